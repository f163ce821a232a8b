import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildPlan } from "../plan/offline-plan";
import { secretMask } from "../plan/secrets";
import { projectDir } from "./harness";
import { upstreamDir, validateKubernetesObject, type KubernetesObject } from "./kubernetes-schema";

/**
 * @pulumi/kubernetes marks a Secret's whole `data`/`stringData` secret, so the plan records it as "[secret]".
 * Its shape is the provider's own (string values from the program's Outputs); the rest of the Secret is checked.
 */
function withOpaqueSecretData(object: KubernetesObject): KubernetesObject {
  if (object.kind !== "Secret") return object;
  const opaque = (value: unknown) => (value === secretMask ? {} : value);
  return { ...object, data: opaque(object.data), stringData: opaque(object.stringData) };
}

describe("every Kubernetes object the program declares validates against its upstream schema", () => {
  for (const stack of ["dev", "prod", "local"]) {
    test(`${stack} stack`, async () => {
      const plan = await buildPlan(projectDir, stack);
      const problems: string[] = [];
      for (const manifest of plan.manifests) {
        const result = await validateKubernetesObject(withOpaqueSecretData(manifest.object as KubernetesObject));
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

  test(
    "with the upstream CRDs present, an unknown field (a typo) is rejected",
    { skip: upstreamDir() ? false : "../shared/upstream is not beside the project" },
    async () => {
      const result = await validateKubernetesObject({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "r", namespace: "n" },
        spec: { hostnames: ["a.example.com"], rulez: [] },
      });
      assert.ok(result.checkedBy.includes("crd"));
      assert.match(result.problems.join("\n"), /rulez/);
    },
  );
});
