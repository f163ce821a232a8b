/**
 * The `Application` CRD is written in code (loco/application-crd.ts); loco's own controller-gen output in
 * ../shared/upstream/loco is the reference it must equal. Locally without the reference this check skips; under
 * CI=true it fails instead, naming the missing file.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { applicationCrd } from "../loco/application-crd";
import { imagesPinned } from "../policy/policies/images-pinned";
import { locoApplication } from "../lib/loco-system";
import { validateKubernetesObject } from "./kubernetes-schema";

const isCi = ["true", "1"].includes((process.env.CI ?? "").toLowerCase());
const referenceFile = join(
  process.env.LOCO_UPSTREAM_DIR ? resolve(process.env.LOCO_UPSTREAM_DIR) : resolve(__dirname, "..", "..", "shared", "upstream"),
  "loco",
  "applications.infra.loco.io.yaml",
);
const skip = isCi || existsSync(referenceFile) ? false : `needs ${referenceFile} (loco's Application CRD; set LOCO_UPSTREAM_DIR)`;

/** The first path at which two JSON values differ, for a message that says where to look. */
function firstDifference(ours: unknown, theirs: unknown, path = ""): string | undefined {
  if (typeof ours !== typeof theirs || Array.isArray(ours) !== Array.isArray(theirs) || (ours === null) !== (theirs === null)) {
    return `${path || "/"}: ours ${JSON.stringify(ours)}, loco's ${JSON.stringify(theirs)}`;
  }
  if (ours && typeof ours === "object") {
    const a = ours as Record<string, unknown>;
    const b = theirs as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      const found = firstDifference(a[key], b[key], `${path}/${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return ours === theirs ? undefined : `${path}: ours ${JSON.stringify(ours)}, loco's ${JSON.stringify(theirs)}`;
}

describe("loco's Application CRD, built in code", () => {
  test("equals the CRD loco's controller-gen generates, field for field", { skip }, () => {
    if (!existsSync(referenceFile)) throw new Error(`${referenceFile} is missing and CI=true never skips this check`);
    const reference = parse(readFileSync(referenceFile, "utf8")) as { metadata: { name: string }; spec: unknown };
    const ours = applicationCrd();
    assert.equal(ours.metadata.name, reference.metadata.name);
    // JSON round trip: the object as it is sent to the API server (no undefined members).
    const sent = JSON.parse(JSON.stringify(ours.spec)) as unknown;
    assert.equal(firstDifference(sent, reference.spec), undefined);
    assert.deepEqual(sent, reference.spec);
  });

  test("names the group, kind and version loco's API writes and the resurrector's replay checks for", () => {
    const crd = applicationCrd();
    assert.equal(crd.metadata.name, `${locoApplication.plural}.${locoApplication.group}`);
    assert.equal(crd.spec.group, locoApplication.group);
    assert.equal(crd.spec.names.kind, locoApplication.kind);
    assert.deepEqual(
      crd.spec.versions.map((v) => [v.name, v.served, v.storage]),
      [[locoApplication.version, true, true]],
    );
  });

  test("is a valid CustomResourceDefinition by the Kubernetes schema", async () => {
    const result = await validateKubernetesObject(applicationCrd() as unknown as Parameters<typeof validateKubernetesObject>[0]);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.checkedBy, ["model"]);
  });

  test("the comparison would catch a drift: a changed field is named", () => {
    const crd = applicationCrd();
    const drifted = JSON.parse(JSON.stringify(crd.spec)) as { versions: { schema: { openAPIV3Schema: { required: string[] } } }[] };
    drifted.versions[0].schema.openAPIV3Schema.required = ["spec", "status"];
    assert.match(String(firstDifference(drifted, JSON.parse(JSON.stringify(crd.spec)))), /openAPIV3Schema\/required/);
  });

  test("the images-pinned policy reads the CRD's `image` field as a schema, not as an image to run", () => {
    const resource = (type: string, inputs: Record<string, unknown>) => ({
      urn: `urn:${type}`,
      type,
      name: "n",
      protect: false,
      inputs,
      dependencies: [],
    });
    const crd = resource(
      "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
      applicationCrd() as unknown as Record<string, unknown>,
    );
    assert.deepEqual(imagesPinned.check(crd, { stack: "dev" }), []);
    // The same policy still fires on a container image that floats.
    const pod = resource("kubernetes:core/v1:Pod", { spec: { containers: [{ name: "c", image: "ghcr.io/team-loco/loco-api" }] } });
    assert.equal(imagesPinned.check(pod, { stack: "dev" }).length, 1);
  });
});
