/**
 * Values the layers share are derived once, in the stack config, and every layer that needs one reads that answer.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cloudDerivedValues, localDerivedValues } from "../stacks/config-derived";
import { parseStackConfig, type CloudStackConfig, type StackConfig } from "../stacks/config";
import { rotationPolicy } from "../stacks/rotation-policy";
import { isRotatingCredential } from "../stacks/rotating-credentials";
import { runStack, type ConfigOverride, withOverrides } from "./harness";

function parse(stack: string, overrides: Record<string, ConfigOverride> = {}): StackConfig {
  const config = withOverrides(stack, overrides);
  return parseStackConfig({ stack, values: config.values, secretKeys: new Set(config.secretKeys) });
}

const cloudSettings = { baseDomain: "dev.loco.example.com", regionName: "us-east-1", dns: {}, traffic: { loadBalancer: {} } };

describe("derived values", () => {
  test("the DNS zone is dns.zone when set, else the base domain", () => {
    assert.equal(cloudDerivedValues("dev", "dev", cloudSettings).dnsZone, "dev.loco.example.com");
    const withZone = { ...cloudSettings, dns: { zone: "loco.example.com" } };
    assert.equal(cloudDerivedValues("dev", "dev", withZone).dnsZone, "loco.example.com");
  });

  test("the load balancer is named loco-<stack>-gateway unless traffic.loadBalancer.name says otherwise", () => {
    assert.equal(cloudDerivedValues("dev", "dev", cloudSettings).loadBalancerName, "loco-dev-gateway");
    const named = { ...cloudSettings, traffic: { loadBalancer: { name: "edge" } } };
    assert.equal(cloudDerivedValues("dev", "dev", named).loadBalancerName, "edge");
  });

  test("only prod is protected", () => {
    assert.equal(cloudDerivedValues("prod", "prod", cloudSettings).protect, true);
    assert.equal(cloudDerivedValues("dev", "dev", cloudSettings).protect, false);
    assert.equal(localDerivedValues("local", { baseDomain: "loco.localhost", regionName: "local" }).protect, false);
  });

  test("the public certificate covers the apex, the tenant wildcard and the region wildcard", () => {
    assert.deepEqual(cloudDerivedValues("dev", "dev", cloudSettings).publicCertificate, {
      name: "loco-public",
      secretName: "loco-public-tls",
      namespace: "loco-gateway",
      dnsNames: ["dev.loco.example.com", "*.dev.loco.example.com", "*.us-east-1.dev.loco.example.com"],
    });
  });

  test("the typed stack config carries them, for every environment", () => {
    const dev = parse("dev") as CloudStackConfig;
    assert.equal(dev.environmentName, "loco-dev");
    assert.equal(dev.dnsZone, "loco.example.com");
    assert.equal(dev.protect, false);
    assert.equal((parse("prod") as CloudStackConfig).protect, true);
    const local = parse("local");
    assert.equal(local.protect, false);
    assert.deepEqual(local.publicCertificate.dnsNames, ["loco.localhost", "*.loco.localhost", "*.local.loco.localhost"]);
  });
});

describe("the layers read the derived values", () => {
  test("the DNS records and cert-manager's DNS-01 solver use the same zone", async () => {
    const registered = await runStack("dev", { "loco:dns": { zone: "example.com" } });
    const token = registered.one("cloudflare:index/apiToken:ApiToken");
    assert.equal(token.inputs.name, "loco-platform/dev dns-01 solver (example.com) g0");
    const issuer = registered
      .ofType("kubernetes:cert-manager.io/v1:ClusterIssuer")
      .find((r) => (r.inputs.metadata as { name: string }).name === "letsencrypt-staging");
    const solvers = (issuer?.inputs.spec as { acme: { solvers: { selector: { dnsZones: string[] } }[] } }).acme.solvers;
    assert.deepEqual(solvers[0].selector.dnsZones, ["example.com"]);
  });

  test("prod protects what dev does not, in every layer that keeps state", async () => {
    const protectedTypes = async (stack: string) =>
      [...new Set((await runStack(stack)).all.filter((r) => r.protect).map((r) => r.type))].sort();
    const prod = await protectedTypes("prod");
    assert.deepEqual(prod, [
      "digitalocean:index/databaseCluster:DatabaseCluster",
      "digitalocean:index/databaseDb:DatabaseDb",
      "digitalocean:index/kubernetesCluster:KubernetesCluster",
      "digitalocean:index/loadBalancer:LoadBalancer",
      "digitalocean:index/spacesBucket:SpacesBucket",
      "digitalocean:index/vpc:Vpc",
      "pulumi-nodejs:dynamic/harbor:Project",
    ]);
    assert.deepEqual(await protectedTypes("dev"), []);
    assert.deepEqual(await protectedTypes("local"), []);
  });
});

describe("rotation policies", () => {
  test("a credential's policy is the stack's maximum age and its own counter", () => {
    const config = parse("dev", { "loco:rotation": { maxAgeDays: 20, counters: { harborAdminPassword: 3 } } });
    assert.deepEqual(rotationPolicy(config, "harborAdminPassword"), { maxAgeDays: 20, counter: 3 });
    assert.deepEqual(rotationPolicy(config, "registryPullRobot"), { maxAgeDays: 20, counter: 0 });
  });

  test("a credential the platform does not rotate does not compile", () => {
    const config = parse("dev");
    // @ts-expect-error "harborAdminPasswd" is not a RotatingCredential: a typo is a compile error, not counter 0.
    const typo = rotationPolicy(config, "harborAdminPasswd");
    assert.equal(typo.counter, 0, "at run time nothing would catch it: the type is what does");
    assert.ok(!isRotatingCredential("harborAdminPasswd"));
  });
});
