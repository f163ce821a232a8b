import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { join } from "node:path";
import { runUnderMocks } from "../plan/mock-runtime";
import { projectDir, runStack, withOverrides, type Registered } from "./harness";

const clusterType = "digitalocean:index/kubernetesCluster:KubernetesCluster";
const loadBalancerType = "digitalocean:index/loadBalancer:LoadBalancer";
const envoyProxyType = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy";

/** The committed prod cluster settings with another generation, as the resurrector's rebuild sets it. */
const generation = (n: number) => ({
  "loco:cluster": {
    kubernetesVersion: "1.35",
    generation: n,
    appPools: [{ name: "apps", size: "s-4vcpu-8gb", minNodes: 2, maxNodes: 10 }],
  },
});

/** What must not change when the cluster is replaced: a resource's inputs and lifecycle options. */
const lifecycle = (registered: Registered, type: string) =>
  registered.ofType(type).map((r) => ({ urn: r.urn, inputs: r.inputs, protect: r.protect, replaceOnChanges: r.replaceOnChanges }));

describe("a new cluster generation", () => {
  test("builds a cluster under a new name and leaves the load balancer, its DNS and the VPC exactly as they were", async () => {
    // One stack at a time: the mock runtime is global to the process.
    const first = await runStack("prod", generation(1));
    const second = await runStack("prod", generation(2));
    assert.equal(first.one(clusterType).inputs.name, "loco-prod-cluster");
    assert.equal(second.one(clusterType).inputs.name, "loco-prod-cluster-g2");
    for (const type of [loadBalancerType, "digitalocean:index/vpc:Vpc", "cloudflare:index/dnsRecord:DnsRecord"]) {
      assert.deepEqual(lifecycle(second, type), lifecycle(first, type), `${type} must not change with the generation`);
    }
  });

  test("the load balancer does not wait for the cluster, so replacing the cluster can never replace it", async () => {
    const registered = await runStack("prod", generation(2));
    assert.ok(!registered.waitsFor(registered.one(loadBalancerType), registered.one(clusterType)));
    assert.equal(registered.one(loadBalancerType).protect, true);
  });

  test("the new cluster's gateway Service adopts the same load balancer with the same annotations", async () => {
    // One stack at a time: the mock runtime is global to the process.
    const first = await runStack("prod", generation(1));
    const second = await runStack("prod", generation(2));
    const spec = (registered: Registered) => registered.one(envoyProxyType).inputs.spec;
    assert.deepEqual(spec(second), spec(first));
  });
});

describe("a generation below the one the stack last deployed", () => {
  // What a resurrector rebuild leaves: the backend's last run deployed generation 2, the repository still says 1.
  const deployed = (n: number) => ({ cluster: { id: "cluster-id", name: `loco-prod-cluster-g${n}`, generation: n } });

  /** Runs the real program and hands back what it threw (or undefined) and what it registered. */
  const refusal = async (configured: number, previousOutputs: Record<string, unknown>) => {
    const program = require(join(projectDir, "index.ts")) as () => Promise<unknown>;
    const run = await runUnderMocks(
      () =>
        program().then(
          () => undefined,
          (error: unknown) => error,
        ),
      { stack: "prod", config: withOverrides("prod", generation(configured)), previousOutputs },
    );
    return { error: run.result, resources: run.resources };
  };

  test("stops the run in one line naming both generations and the stack file, before any resource is declared", async () => {
    const { error, resources } = await refusal(1, deployed(2));
    assert.ok(error instanceof Error, "the program must refuse");
    assert.equal(
      error.message,
      "loco:cluster.generation is 1 but stack prod last deployed generation 2 (a resurrector rebuild?): " +
        "set loco:cluster.generation: 2 in Pulumi.prod.yaml; deploying 1 would replace the running cluster and delete it",
    );
    assert.deepEqual(resources, []);
  });

  test("the same generation deploys the cluster the stack already has", async () => {
    const registered = await runStack("prod", generation(2), deployed(2));
    assert.equal(registered.one(clusterType).inputs.name, "loco-prod-cluster-g2");
  });

  test("a higher generation is allowed: that is how a rebuild or an operator starts a new cluster", async () => {
    const registered = await runStack("prod", generation(3), deployed(2));
    assert.equal(registered.one(clusterType).inputs.name, "loco-prod-cluster-g3");
  });

  test("a first run, or a last run from before the output existed, has nothing to compare with", async () => {
    assert.equal((await runStack("prod", generation(1), {})).one(clusterType).inputs.name, "loco-prod-cluster");
    const before = { cluster: { id: "cluster-id", name: "loco-prod-cluster" } };
    assert.equal((await runStack("prod", generation(1), before)).one(clusterType).inputs.name, "loco-prod-cluster");
  });

  test("a recorded generation that is not a whole number is refused by name", async () => {
    const { error, resources } = await refusal(1, { cluster: { generation: "two" } });
    assert.ok(error instanceof Error, "the program must refuse");
    assert.match(error.message, /^stack output cluster\.generation is "two", not a whole number from 1/);
    assert.deepEqual(resources, []);
  });

  test("the run publishes the generation it deployed, for the next run to check against", async () => {
    const registered = await runStack("prod", generation(2));
    assert.equal((registered.stackOutputs.cluster as { generation: unknown }).generation, 2);
  });
});
