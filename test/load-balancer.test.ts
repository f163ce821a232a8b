import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as digitalocean from "@pulumi/digitalocean";
import {
  adoptionAnnotations,
  cloudControllerOwnedFields,
  EntryLoadBalancer,
  validateEntryLoadBalancerArgs,
  type EntryLoadBalancerArgs,
} from "../components/load-balancer";
import { runComponents, valueOf } from "./harness";

const lbType = "digitalocean:index/loadBalancer:LoadBalancer";
const args = (patch: Partial<EntryLoadBalancerArgs> = {}): EntryLoadBalancerArgs => ({
  name: "loco-prod-gateway",
  region: "nyc3",
  vpcId: "vpc-1",
  sizeUnit: 2,
  proxyProtocol: true,
  protect: true,
  ...patch,
});
const build = (patch: Partial<EntryLoadBalancerArgs> = {}) =>
  runComponents(
    () => new EntryLoadBalancer("loco-prod-entry", args(patch), { providers: [new digitalocean.Provider("do", { token: "t" })] }),
  );

describe("EntryLoadBalancer", () => {
  test("lives in the environment's VPC and region, outside the cluster, protected in prod", async () => {
    const lb = (await build()).one(lbType);
    assert.equal(lb.inputs.vpcUuid, "vpc-1");
    assert.equal(lb.inputs.region, "nyc3");
    assert.equal(lb.inputs.type, "REGIONAL");
    assert.equal(lb.protect, true);
    assert.equal((await build({ protect: false })).one(lbType).protect, false);
  });

  test("what the cloud controller rewrites on adoption is ignored, so refresh and the CCM never fight", async () => {
    const lb = (await build()).one(lbType);
    assert.deepEqual([...lb.ignoreChanges].sort(), [...cloudControllerOwnedFields].sort());
    assert.ok(lb.ignoreChanges.includes("forwardingRules"));
    // Name, size and PROXY protocol stay managed: the Service annotations carry the same values.
    for (const field of ["name", "sizeUnit", "enableProxyProtocol", "networkStack"]) assert.ok(!lb.ignoreChanges.includes(field), field);
  });

  test("the load balancer and the adoption annotations agree on name, size and PROXY protocol", async () => {
    const lb = (await build()).one(lbType);
    const annotations = adoptionAnnotations({
      loadBalancerId: "lb-1",
      name: "loco-prod-gateway",
      hostname: "lb.loco.example.com",
      sizeUnit: 2,
      proxyProtocol: true,
      disown: false,
    });
    assert.equal(annotations["kubernetes.digitalocean.com/load-balancer-id"], "lb-1");
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-name"], lb.inputs.name);
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-size-unit"], String(lb.inputs.sizeUnit));
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol"], String(lb.inputs.enableProxyProtocol));
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-type"], lb.inputs.type);
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-network-stack"], lb.inputs.networkStack);
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-hostname"], "lb.loco.example.com");
    // TCP passthrough: TLS and HTTP/3 end in Envoy, not on the load balancer.
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-protocol"], "tcp");
    assert.equal(annotations["service.kubernetes.io/do-loadbalancer-disown"], "false");
    assert.ok(
      Object.values(annotations).every((v) => typeof v === "string"),
      "the CCM reads annotation values as strings",
    );
  });

  test("the address and id are exported", async () => {
    const { result } = await build();
    assert.match(await valueOf(result.address), /^203\.0\.113\.\d+$/);
    assert.equal(await valueOf(result.loadBalancerId), "offline-placeholder-loco-prod-entry-lb");
  });

  test("bad args fail with the field named", () => {
    assert.throws(() => validateEntryLoadBalancerArgs("lb", args({ sizeUnit: 0 })), /sizeUnit/);
    assert.throws(() => validateEntryLoadBalancerArgs("lb", args({ name: "Loco_Prod" })), /name/);
  });
});
