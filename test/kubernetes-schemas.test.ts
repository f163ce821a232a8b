import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildPlan } from "../plan/offline-plan";
import { secretMask } from "../plan/secrets";
import { projectDir } from "./harness";
import { validateKubernetesObject, type KubernetesObject } from "./kubernetes-schema";
import { skipUnlessUpstream } from "./upstream";

/**
 * The plan masks secret values as "[secret]", sometimes a whole field (Pulumi makes a Secret's `data` and
 * `stringData` secret as a whole). A masked field cannot be checked offline: it is left out, so only what is known
 * is validated, and a masked required field still fails as missing.
 */
function withoutMaskedFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMaskedFields);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== secretMask)
      .map(([k, v]) => [k, withoutMaskedFields(v)]),
  );
}

describe("every Kubernetes object the program declares validates against its upstream schema", () => {
  for (const stack of ["dev", "prod", "local"]) {
    test(`${stack} stack`, async () => {
      const plan = await buildPlan(projectDir, stack);
      const problems: string[] = [];
      for (const manifest of plan.manifests) {
        const result = await validateKubernetesObject(withoutMaskedFields(manifest.object) as KubernetesObject);
        problems.push(...result.problems);
      }
      assert.deepEqual(problems, []);
    });
  }
});

describe("the validator itself", () => {
  test("rejects a core object missing a required field", async () => {
    const result = await validateKubernetesObject({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { template: {} },
    });
    assert.deepEqual(result.checkedBy, ["model"]);
    assert.match(result.problems.join("\n"), /selector/);
  });

  test("rejects a Gateway API object with a wrongly typed field", async () => {
    const result = await validateKubernetesObject({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "r" },
      spec: { hostnames: "not-a-list" },
    });
    assert.ok(result.problems.length > 0);
  });

  test("an unknown kind is a problem, not a silent pass", async () => {
    const result = await validateKubernetesObject({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } });
    assert.match(result.problems.join("\n"), /no schema knows this kind/);
  });

  test("with the upstream CRDs present, an unknown field (a typo) is rejected", { skip: skipUnlessUpstream("crds") }, async () => {
    const result = await validateKubernetesObject({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "r", namespace: "n" },
      spec: { hostnames: ["a.example.com"], rulez: [] },
    });
    assert.ok(result.checkedBy.includes("crd"));
    assert.match(result.problems.join("\n"), /rulez/);
  });

  test(
    "with loco's CRD present, an Application (what loco's API writes) is checked strictly",
    { skip: skipUnlessUpstream("locoCrd") },
    async () => {
      const application = {
        apiVersion: "infra.loco.io/v1alpha1",
        kind: "Application",
        metadata: { name: "resource-101", namespace: "loco" },
        spec: {
          type: "SERVICE",
          resourceId: 101,
          workspaceId: 11,
          region: "us-east-1",
          serviceSpec: { deployment: { image: "web:1", port: 8000 } },
        },
      };
      const valid = await validateKubernetesObject(application);
      assert.deepEqual(valid.checkedBy, ["crd"]);
      assert.deepEqual(valid.problems, []);
      const typo = await validateKubernetesObject({ ...application, spec: { ...application.spec, serviceSpec: { deploymnet: {} } } });
      assert.match(typo.problems.join("\n"), /deploymnet/);
    },
  );
});
