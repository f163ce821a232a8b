/**
 * The fake Kubernetes API the replay is tested against, checked through the client the replay uses
 * (@kubernetes/client-node): if the fake's server-side apply were wrong, the replay's tests would prove nothing.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ApiException, PatchStrategy, type KubernetesObject } from "@kubernetes/client-node";
import { KubeClient } from "../resurrector/kube/api-client";
import { kubeFailure } from "../resurrector/kube/api-errors";
import { loadKubeconfig } from "../resurrector/kube/kubeconfig";
import { testPki, writeKubeconfig, type TestPki } from "./fake-kube-api";
import { startFakeCluster, type FakeCluster } from "./fake-kube-cluster";

const token = "fake-cluster-token";
const dir = mkdtempSync(join(tmpdir(), "loco-fake-cluster-"));
let pki: TestPki;
const cleanups: (() => Promise<void> | void)[] = [];

before(async () => {
  pki = await testPki();
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  rmSync(dir, { recursive: true, force: true });
});

let clusters = 0;
async function cluster(): Promise<{ fake: FakeCluster; client: KubeClient }> {
  const fake = await startFakeCluster({ pki, token });
  const target = await loadKubeconfig([writeKubeconfig(dir, fake.url, pki, { token }, {}, `kubeconfig-${clusters++}.yaml`)], {
    timeoutMs: 10_000,
  });
  const client = await KubeClient.connect(target, { timeoutMs: 10_000 });
  cleanups.push(
    () => fake.close(),
    () => client.close(),
  );
  fake.createNamespace("apps");
  return { fake, client };
}

const configMap = (data: Record<string, string>, labels?: Record<string, string>): KubernetesObject & { data: Record<string, string> } => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "settings", namespace: "apps", ...(labels ? { labels } : {}) },
  data,
});

const applyAs = <T extends KubernetesObject>(client: KubeClient, manager: string, object: T, force = false, dryRun?: string) =>
  client.call(() => client.objects.patch<T>(object, undefined, dryRun, manager, force, PatchStrategy.ServerSideApply));

async function failureOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return { error, failure: kubeFailure(error) };
  }
  assert.fail("the request succeeded");
}

describe("server-side apply", () => {
  test("creates on apply, records the manager's fields, and a second identical apply changes nothing", async () => {
    const { fake, client } = await cluster();
    const created = await applyAs(client, "loco-resurrector", configMap({ a: "1" }, { app: "web" }));
    const version = created.metadata?.resourceVersion;
    assert.ok(version);
    assert.deepEqual(
      created.metadata?.managedFields?.map((m) => [m.manager, m.operation, m.fieldsV1]),
      [["loco-resurrector", "Apply", { "f:data": { "f:a": {} }, "f:metadata": { "f:labels": { "f:app": {} } } }]],
    );
    const again = await applyAs(client, "loco-resurrector", configMap({ a: "1" }, { app: "web" }));
    assert.equal(again.metadata?.resourceVersion, version);
    assert.deepEqual(
      fake.requests.filter((r) => r.method === "PATCH").map((r) => r.status),
      [201, 200],
    );
  });

  test("a field another manager holds with a different value is a 409 naming it; force takes it over", async () => {
    const { fake, client } = await cluster();
    fake.write("loco-api", configMap({ a: "theirs", b: "theirs" }));
    const { failure } = await failureOf(applyAs(client, "loco-resurrector", configMap({ a: "mine" })));
    assert.equal(failure.status, 409);
    assert.deepEqual(failure.conflicts, [{ manager: "loco-api", field: ".data.a" }]);
    assert.equal(
      fake.get("v1", "ConfigMap", "apps", "settings")?.data && (fake.get("v1", "ConfigMap", "apps", "settings")?.data as { a: string }).a,
      "theirs",
    );

    const forced = await applyAs(client, "loco-resurrector", configMap({ a: "mine" }), true);
    assert.deepEqual(forced.data, { a: "mine", b: "theirs" });
    const owners = Object.fromEntries(
      (forced.metadata?.managedFields ?? []).map((m) => [m.manager, Object.keys((m.fieldsV1 as { "f:data": object })["f:data"])]),
    );
    assert.deepEqual(owners, { "loco-api": ["f:b"], "loco-resurrector": ["f:a"] });
  });

  test("the same value held by another manager is shared, not a conflict", async () => {
    const { fake, client } = await cluster();
    fake.write("loco-api", configMap({ a: "same" }));
    const applied = await applyAs(client, "loco-resurrector", configMap({ a: "same" }));
    assert.deepEqual(applied.metadata?.managedFields?.map((m) => m.manager).sort(), ["loco-api", "loco-resurrector"]);
  });

  test("a field the manager stops applying is removed, unless another manager holds it too", async () => {
    const { fake, client } = await cluster();
    await applyAs(client, "loco-resurrector", configMap({ a: "1", b: "2", c: "3" }));
    fake.write("operator", configMap({ a: "1", b: "2", c: "3", d: "4" }));
    await applyAs(client, "other", configMap({ c: "3" }));
    const applied = await applyAs(client, "loco-resurrector", configMap({ a: "1" }));
    assert.deepEqual(applied.data, { a: "1", c: "3", d: "4" });
  });

  test("dryRun=All answers what would be stored and stores nothing; a missing namespace is a 404", async () => {
    const { fake, client } = await cluster();
    const dry = await applyAs(client, "loco-resurrector", configMap({ a: "1" }), false, "All");
    assert.deepEqual(dry.data, { a: "1" });
    assert.equal(fake.get("v1", "ConfigMap", "apps", "settings"), undefined);
    const { failure } = await failureOf(
      applyAs(client, "loco-resurrector", { ...configMap({}), metadata: { name: "x", namespace: "nowhere" } }),
    );
    assert.equal(failure.status, 404);
    assert.match(failure.message, /namespaces "nowhere" not found/);
  });
});

describe("custom resources", () => {
  const crd = {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com" },
    spec: {
      group: "example.com",
      names: { kind: "Widget", plural: "widgets" },
      scope: "Namespaced",
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: { spec: { type: "object", properties: { size: { type: "integer" } }, required: ["size"] } },
            },
          },
        },
      ],
    },
  };
  const widget = (spec: Record<string, unknown>) => ({
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w", namespace: "apps" },
    spec,
  });

  test("are served only while their CRD is installed, and validated against its schema, strictly", async () => {
    const { fake, client } = await cluster();
    const before = await failureOf(applyAs(client, "loco-resurrector", widget({ size: 1 })));
    assert.equal(before.failure.status, 404, "discovery does not know the group");
    fake.installCrd(crd);
    // A new client: client-node caches discovery per client.
    const fresh = await KubeClient.connect(client.target, { timeoutMs: 10_000 });
    cleanups.push(() => fresh.close());
    assert.equal((await applyAs(fresh, "loco-resurrector", widget({ size: 1 }))).metadata?.name, "w");
    const unknown = await failureOf(applyAs(fresh, "loco-resurrector", widget({ size: 1, colour: "red" })));
    assert.equal(unknown.failure.status, 422);
    assert.match(unknown.failure.message, /spec: must NOT have additional properties \(colour\)/);
    const wrongType = await failureOf(applyAs(fresh, "loco-resurrector", widget({ size: "big" })));
    assert.match(wrongType.failure.message, /spec\.size: must be integer/);
  });
});

describe("faults", () => {
  test("429 carries Retry-After; 500 and 409 answer as the API does; a dropped connection has no answer", async () => {
    const { fake, client } = await cluster();
    fake.faults.push(
      { method: "PATCH", status: 429, retryAfterSeconds: 3, times: 1 },
      { method: "PATCH", status: 500, times: 1 },
      { method: "PATCH", status: 409, times: 1 },
      { method: "PATCH", drop: true, times: 1 },
    );
    const tooMany = await failureOf(applyAs(client, "m", configMap({ a: "1" })));
    assert.ok(tooMany.error instanceof ApiException);
    assert.deepEqual([tooMany.failure.status, tooMany.failure.retryAfterSeconds], [429, 3]);
    assert.equal((await failureOf(applyAs(client, "m", configMap({ a: "1" })))).failure.status, 500);
    const conflict = await failureOf(applyAs(client, "m", configMap({ a: "1" })));
    assert.deepEqual([conflict.failure.status, conflict.failure.reason], [409, "Conflict"]);
    assert.match(conflict.failure.message, /the object has been modified/);
    const dropped = await failureOf(applyAs(client, "m", configMap({ a: "1" })));
    assert.equal(dropped.failure.status, undefined);
    assert.equal(dropped.failure.connection, true, dropped.failure.message);
    assert.equal((await applyAs(client, "m", configMap({ a: "1" }))).data?.a, "1");
  });

  test("latency holds every answer, and the most requests in flight at once is counted", async () => {
    const { fake, client } = await cluster();
    fake.latencyMs = 300;
    fake.resetStats();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        applyAs(client, "m", { ...configMap({ a: "1" }), metadata: { name: `c${i}`, namespace: "apps" } }),
      ),
    );
    assert.ok(performance.now() - started >= 300);
    assert.equal(fake.stats.maxInFlight, 6);
  });
});
