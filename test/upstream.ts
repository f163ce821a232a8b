/**
 * Where the strict checks find the pinned upstream reference: CRDs, chart values and schemas, Harbor's swagger and
 * loco's own CRD. The project never copies it; it is `../shared/upstream` beside the project (as CI has it), or
 * wherever `$LOCO_UPSTREAM_DIR` points (then only there: an explicit setting never falls back to another copy).
 *
 * Every strict check looks its files up here, so the rule is in one place:
 * - present: the check runs;
 * - absent under CI=true: the check still runs and fails, naming the missing file and how to provide it;
 * - absent elsewhere: the check is skipped, and test/upstream.test.ts prints one line naming what was skipped.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** The environment variable that points the strict checks at a copy of the upstream reference. */
export const upstreamDirVariable = "LOCO_UPSTREAM_DIR";

/** Where the reference is looked for when the variable is unset: beside the project. */
export const defaultUpstreamDir = resolve(__dirname, "..", "..", "shared", "upstream");

/** Each part of the reference a strict check reads, and what it holds. */
export const upstreamParts = {
  crds: { path: "crds", holds: "the pinned CRDs (Gateway API, cert-manager, KEDA, KEDA HTTP add-on, Envoy Gateway)" },
  charts: { path: "charts", holds: "the pinned charts' values.yaml and values.schema.json" },
  harborSwagger: { path: join("harbor", "swagger.yaml"), holds: "Harbor's API swagger" },
  locoCrd: { path: join("loco", "applications.infra.loco.io.yaml"), holds: "loco's Application CRD" },
} as const;

export type UpstreamPart = keyof typeof upstreamParts;

/** Whether this run is CI, where a strict check may never be skipped. */
export const isCi = (): boolean => ["true", "1"].includes((process.env.CI ?? "").toLowerCase());

/** The directory in use: $LOCO_UPSTREAM_DIR when set, else ../shared/upstream. */
export function upstreamDir(): string {
  const configured = process.env[upstreamDirVariable];
  return configured ? resolve(configured) : defaultUpstreamDir;
}

const pathOf = (part: UpstreamPart, more: readonly string[]) => join(upstreamDir(), upstreamParts[part].path, ...more);

/** The one message for a missing reference file: what is missing, what it holds, how to provide it. */
export function missingUpstreamMessage(part: UpstreamPart, ...more: string[]): string {
  const source = process.env[upstreamDirVariable] ? `$${upstreamDirVariable}` : `the default location (${upstreamDirVariable} is unset)`;
  return (
    `the upstream reference is missing ${pathOf(part, more)} (${upstreamParts[part].holds}), looked up through ${source}. ` +
    `Strict checks need it${isCi() ? " and CI=true never skips them" : ""}: set ${upstreamDirVariable} to a copy of loco's ` +
    `shared/upstream directory (crds/, charts/, harbor/, loco/), or place that directory at ${defaultUpstreamDir}.`
  );
}

/** The file or directory when it is there; undefined otherwise. Never throws. */
export function findUpstream(part: UpstreamPart, ...more: string[]): string | undefined {
  const path = pathOf(part, more);
  return existsSync(path) ? path : undefined;
}

/** The file or directory, or an error saying what is missing and how to provide it. For a strict check's body. */
export function requireUpstream(part: UpstreamPart, ...more: string[]): string {
  const path = findUpstream(part, ...more);
  if (!path) throw new Error(missingUpstreamMessage(part, ...more));
  return path;
}

/**
 * For code that checks more when the reference is there (a schema layer): the path when present, undefined when
 * absent locally, and an error under CI, where an absent reference must fail rather than quietly check less.
 */
export function upstreamForStrictCheck(part: UpstreamPart, ...more: string[]): string | undefined {
  return isCi() ? requireUpstream(part, ...more) : findUpstream(part, ...more);
}

/**
 * A strict test's `skip` option: false when the file is there, and under CI (so the test runs and fails on
 * {@link requireUpstream}); otherwise a short reason.
 */
export function skipUnlessUpstream(part: UpstreamPart, ...more: string[]): string | false {
  if (isCi() || findUpstream(part, ...more)) return false;
  return `needs ${join(upstreamParts[part].path, ...more)} from the upstream reference (set ${upstreamDirVariable})`;
}

/** The parts of the reference that are absent, in declaration order. */
export function missingUpstreamParts(): UpstreamPart[] {
  return (Object.keys(upstreamParts) as UpstreamPart[]).filter((part) => !findUpstream(part));
}

/** The single line a local run prints when strict checks are skipped; undefined when nothing is missing. */
export function skippedChecksLine(): string | undefined {
  const missing = missingUpstreamParts();
  if (missing.length === 0) return undefined;
  return (
    `upstream reference not found in ${upstreamDir()}: skipped the strict checks against ` +
    `${missing.map((part) => upstreamParts[part].holds).join("; ")}. To run them, set ${upstreamDirVariable} to a copy ` +
    `of loco's shared/upstream directory (or place it at ${defaultUpstreamDir}); CI=true fails instead of skipping.`
  );
}
