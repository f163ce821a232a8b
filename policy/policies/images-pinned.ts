import { entriesOf, formatPath, knownString, visit, type Finding, type ResourcePolicy } from "../resource";

/** Tags that name a moving target, alone or with a variant suffix of letters only (`stable-alpine`, not `main-3f2a1b9`). */
const floatingWords = [
  "latest",
  "stable",
  "main",
  "master",
  "edge",
  "nightly",
  "dev",
  "develop",
  "head",
  "canary",
  "alpha",
  "beta",
  "rc",
  "lts",
  "current",
  "mainline",
  "unstable",
  "next",
  "preview",
  "testing",
  "snapshot",
];

const digestPattern = /^sha256:[0-9a-f]{64}$/;

/**
 * Why a tag floats, or undefined when it names one build. A major version alone (`17`, `v3`, `17-alpine`) floats;
 * two numbers are accepted, because some projects release that way (PostgreSQL 17.5 is one release).
 */
export function whyTagFloats(tag: string): string | undefined {
  const lower = tag.toLowerCase();
  const word = floatingWords.find((w) => lower === w || new RegExp(`^${w}(-[a-z]+)+$`).test(lower));
  if (word) return `the tag "${tag}" moves with every ${word} build`;
  if (/^v?\d+(-[a-z][a-z-]*)?$/i.test(tag)) return `the tag "${tag}" is a major version that moves with every release`;
  return undefined;
}

/** Splits `registry/repo:tag@sha256:...` without mistaking a registry port for a tag. */
export function parseImageReference(reference: string): { readonly repository: string; readonly tag?: string; readonly digest?: string } {
  const [withoutDigest, digest] = reference.split("@", 2);
  const lastSlash = withoutDigest.lastIndexOf("/");
  const colon = withoutDigest.indexOf(":", lastSlash + 1);
  return colon === -1
    ? { repository: withoutDigest, digest }
    : { repository: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
}

/** Why an image reference is not pinned, or undefined when it is. */
export function whyImageFloats(reference: string): string | undefined {
  const { tag, digest } = parseImageReference(reference);
  if (digest !== undefined) return digestPattern.test(digest) ? undefined : `the digest "${digest}" is not sha256:<64 hex digits>`;
  if (tag === undefined || tag === "") return "it has no tag, so it means :latest";
  return whyTagFloats(tag);
}

const helmTypes = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

/**
 * An image given as an object: Helm values (`{repository, tag}`) or an App Platform spec (`{registry, repository,
 * tag, digest}`). In Helm values a missing tag means the chart's appVersion, which the chart version pins; anywhere
 * else it means latest.
 */
function objectImageProblem(image: unknown, inHelmValues: boolean): string | undefined {
  const fields = Object.fromEntries(entriesOf(image));
  const digest = knownString(fields.digest);
  if (digest) return digestPattern.test(digest) ? undefined : `the digest "${digest}" is not sha256:<64 hex digits>`;
  if (fields.tag === undefined || knownString(fields.tag) === "") return inHelmValues ? undefined : "it has no tag, so it means latest";
  const tag = knownString(fields.tag);
  return tag === undefined ? undefined : whyTagFloats(tag);
}

export const imagesPinned: ResourcePolicy = {
  kind: "resource",
  name: "images-pinned",
  description:
    "Every container image names one build: a digest, or a tag that is not latest, a moving word (stable, main, ...) or a bare major version.",
  fix: "pin the image to an exact version tag (e.g. 1.27.3) or a digest (@sha256:...)",
  check(resource) {
    const findings: Finding[] = [];
    const inHelmValues = helmTypes.includes(resource.type);
    visit(
      resource.inputs,
      (path, key, value) => {
        // A CRD's schema may declare an `image` field (loco's Application does): a schema runs nothing.
        if (key !== "image" || path.includes("openAPIV3Schema")) return;
        const reference = knownString(value);
        const problem =
          reference !== undefined
            ? whyImageFloats(reference)
            : entriesOf(value).length > 0
              ? objectImageProblem(value, inHelmValues)
              : undefined;
        if (problem) findings.push({ message: `${formatPath(path)} is not pinned: ${problem}` });
      },
      { intoSecrets: true },
    );
    return findings;
  },
};
