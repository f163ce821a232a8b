import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runStack, type Registered } from "./harness";

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
