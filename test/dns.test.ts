import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as cloudflare from "@pulumi/cloudflare";
import { Dns, scopedToZone, type DnsArgs } from "../components/dns";
import { publicNames } from "../lib/public-names";
import { outputIsSecret, runComponents, valueOf } from "./harness";

const args = (patch: Partial<DnsArgs> = {}): DnsArgs => ({
  zone: "loco.example.com",
  names: publicNames("dev.loco.example.com", "us-east-1", "app"),
  publicAddress: "203.0.113.10",
  loadBalancerHostname: "lb.dev.loco.example.com",
  ttl: 300,
  tokenSlots: { active: "a", counter: 0, slots: { a: { generation: 0, issuedAt: "2026-01-01T00:00:00Z" } } },
  managedBy: "loco-platform/test",
  ...patch,
});

const build = (patch: Partial<DnsArgs> = {}) =>
  runComponents(() => new Dns("loco-test", args(patch), { providers: [new cloudflare.Provider("cf", { apiToken: "t" })] }));

describe("Dns", () => {
  test("every public name points at the entry address, unproxied, with the configured TTL", async () => {
    const records = (await build()).ofType("cloudflare:index/dnsRecord:DnsRecord");
    assert.deepEqual(records.map((r) => r.inputs.name).sort(), [
      "*.dev.loco.example.com",
      "*.us-east-1.dev.loco.example.com",
      "api.dev.loco.example.com",
      "app.dev.loco.example.com",
      "dashboards.dev.loco.example.com",
      "lb.dev.loco.example.com",
      "registry.dev.loco.example.com",
      "status.dev.loco.example.com",
    ]);
    for (const record of records) {
      assert.equal(record.inputs.type, "A");
      assert.equal(record.inputs.content, "203.0.113.10");
      assert.equal(record.inputs.proxied, false);
      assert.equal(record.inputs.ttl, 300);
      assert.match(String(record.inputs.zoneId), /zone/);
    }
  });

  test("the web app can live at the apex", async () => {
    const names = (await build({ names: publicNames("loco.example.com", "us-east-1", "apex") }))
      .ofType("cloudflare:index/dnsRecord:DnsRecord")
      .map((r) => r.inputs.name);
    assert.ok(names.includes("loco.example.com"));
    assert.ok(!names.includes("app.loco.example.com"));
  });

  test("the solver token may edit DNS and read the zone on this zone only", async () => {
    const registered = await build();
    const token = registered.one("cloudflare:index/apiToken:ApiToken");
    const policies = token.inputs.policies as { effect: string; permissionGroups: { id: string }[]; resources: string }[];
    assert.equal(policies.length, 1);
    assert.equal(policies[0].effect, "allow");
    assert.deepEqual(
      policies[0].permissionGroups.map((g) => g.id),
      ["offline-placeholder-permission-dns-write", "offline-placeholder-permission-zone-read"],
    );
    // v6 takes resources as a JSON string; a map (the v4 shape) would be rejected.
    assert.equal(typeof policies[0].resources, "string");
    const zoneId = registered.ofType("cloudflare:index/dnsRecord:DnsRecord")[0].inputs.zoneId;
    assert.deepEqual(JSON.parse(policies[0].resources), { [`com.cloudflare.api.account.zone.${String(zoneId)}`]: "*" });
  });

  test("the solver token is exported as a secret", async () => {
    const dns = (await build()).result;
    assert.equal(await outputIsSecret(dns.dnsSolverToken), true);
  });

  test("a token per existing slot, named by its generation; the solver gets the active slot's", async () => {
    const registered = await build({
      tokenSlots: {
        active: "b",
        counter: 1,
        slots: { a: { generation: 0, issuedAt: "2026-01-01T00:00:00Z" }, b: { generation: 1, issuedAt: "2026-01-31T00:00:00Z" } },
        overlapUntil: "2026-02-02T00:00:00Z",
      },
    });
    const tokens = registered.ofType("cloudflare:index/apiToken:ApiToken");
    assert.deepEqual(tokens.map((t) => `${t.name}=${String(t.inputs.name)}`).sort(), [
      "loco-test-dns-solver-token-a=loco-platform/test dns-01 solver (loco.example.com) g0",
      "loco-test-dns-solver-token-b=loco-platform/test dns-01 solver (loco.example.com) g1",
    ]);
    // The mocks' token value is derived from the resource's name (plan/cloud-placeholders.ts).
    const value = await valueOf(registered.result.dnsSolverToken);
    assert.match(value, /^offline-placeholder-token-[0-9a-f]{16}$/);
    const single = await build();
    assert.notEqual(await valueOf(single.result.dnsSolverToken), value, "slot a's token is not slot b's");
  });

  test("scopedToZone names exactly one zone", () => {
    assert.equal(scopedToZone("abc"), '{"com.cloudflare.api.account.zone.abc":"*"}');
  });
});
