import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { ConfigError, parseStackConfig, type CloudStackConfig, type LocalStackConfig, type StackConfig } from "../stacks/config";
import { outputIsSecret, valueOf, withOverrides, type ConfigOverride } from "./harness";

function parse(stack: string, overrides: Record<string, ConfigOverride> = {}): StackConfig {
  const config = withOverrides(stack, overrides);
  return parseStackConfig({ stack, values: config.values, secretKeys: new Set(config.secretKeys) });
}

/** Exactly one problem, naming the file and key. */
function onlyProblem(stack: string, overrides: Record<string, ConfigOverride>, key: string): string {
  let found: string[] = [];
  try {
    parse(stack, overrides);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    found = [...error.problems];
  }
  assert.equal(found.length, 1, `expected one problem, got:\n${found.join("\n")}`);
  assert.match(found[0], new RegExp(`^Pulumi\\.${stack}\\.yaml: ${key.replace(/[.[\]]/g, "\\$&")}\\b`));
  return found[0];
}

const pem = (file: string) => readFileSync(join(__dirname, "fixtures", "preserved-certificate", file), "utf8");

describe("traffic config defaults", () => {
  test("dev: one proxy, Let's Encrypt staging, one load balancer node with PROXY protocol (so no HTTP/3)", () => {
    const { traffic } = parse("dev") as CloudStackConfig;
    assert.equal(traffic.http3, false);
    assert.deepEqual([traffic.proxy.minReplicas, traffic.proxy.maxReplicas], [1, 1]);
    assert.equal(traffic.certificates.issuer, "letsencrypt-staging");
    assert.deepEqual(traffic.loadBalancer, { sizeUnit: 1, proxyProtocol: true, disown: false });
    assert.equal(traffic.gatewayApiCrds, "install");
  });

  test("prod: redundant proxies and interceptors, production certificates, a bigger load balancer", () => {
    const { traffic } = parse("prod") as CloudStackConfig;
    assert.ok(traffic.proxy.minReplicas >= 2 && traffic.proxy.maxReplicas > traffic.proxy.minReplicas);
    assert.ok(traffic.interceptor.minReplicas >= 2);
    assert.equal(traffic.certificates.issuer, "letsencrypt-production");
    assert.equal(traffic.loadBalancer.sizeUnit, 2);
  });

  test("local: HTTP/3, and no load balancer or ACME settings exist", () => {
    const { traffic } = parse("local") as LocalStackConfig;
    assert.equal(traffic.http3, true);
    assert.equal("loadBalancer" in traffic, false);
    assert.equal("certificates" in traffic, false);
    onlyProblem("local", { "loco:traffic": { loadBalancer: { sizeUnit: 1 } } }, "loco:traffic.loadBalancer");
  });

  test("the public address is no longer configured: the load balancer provides it", () => {
    const message = onlyProblem(
      "dev",
      { "loco:dns": { zone: "loco.example.com", publicAddress: "203.0.113.10" } },
      "loco:dns.publicAddress",
    );
    assert.match(message, /not a known setting/);
  });
});

describe("invalid traffic config fails with one message per problem", () => {
  test("maxReplicas below minReplicas", () => {
    const message = onlyProblem("dev", { "loco:traffic": { proxy: { minReplicas: 3, maxReplicas: 2 } } }, "loco:traffic.proxy.maxReplicas");
    assert.match(message, /= 2: must be >= minReplicas \(3\)/);
  });

  test("prod with a single proxy or interceptor", () => {
    onlyProblem("prod", { "loco:traffic": { proxy: { minReplicas: 1 } } }, "loco:traffic.proxy.minReplicas");
    onlyProblem("prod", { "loco:traffic": { interceptor: { minReplicas: 1 } } }, "loco:traffic.interceptor.minReplicas");
  });

  test("prod with staging certificates", () => {
    const message = onlyProblem(
      "prod",
      { "loco:traffic": { certificates: { issuer: "letsencrypt-staging" } } },
      "loco:traffic.certificates.issuer",
    );
    assert.match(message, /letsencrypt-production in prod/);
  });

  test("an issuer that does not exist", () => {
    const message = onlyProblem("dev", { "loco:traffic": { certificates: { issuer: "letsencrypt" } } }, "loco:traffic.certificates.issuer");
    assert.match(message, /letsencrypt-staging, letsencrypt-production/);
  });

  test("a cold start that does not fit in the gateway's request timeout", () => {
    const message = onlyProblem(
      "dev",
      { "loco:traffic": { interceptor: { coldStartTimeoutSeconds: 60 }, timeouts: { requestSeconds: 60 } } },
      "loco:traffic.interceptor.coldStartTimeoutSeconds",
    );
    assert.match(message, /below traffic\.timeouts\.requestSeconds \(60\)/);
  });

  test("HTTP/3 together with the load balancer's PROXY protocol", () => {
    const message = onlyProblem("dev", { "loco:traffic": { http3: true } }, "loco:traffic.http3");
    assert.match(message, /envoyproxy\/gateway#9798/);
    assert.equal(
      (parse("dev", { "loco:traffic": { http3: true, loadBalancer: { proxyProtocol: false } } }) as CloudStackConfig).traffic.http3,
      true,
    );
  });

  test("a resource size that is not a Kubernetes quantity", () => {
    const message = onlyProblem("dev", { "loco:traffic": { proxy: { memory: "512MB " } } }, "loco:traffic.proxy.memory");
    assert.match(message, /Kubernetes quantity/);
  });

  test("a load balancer size out of range, and a bad ACME email", () => {
    onlyProblem("dev", { "loco:traffic": { loadBalancer: { sizeUnit: 0 } } }, "loco:traffic.loadBalancer.sizeUnit");
    onlyProblem("dev", { "loco:traffic": { certificates: { acmeEmail: "ops-at-example" } } }, "loco:traffic.certificates.acmeEmail");
  });

  test("a typo in a traffic key is refused with a suggestion", () => {
    const message = onlyProblem(
      "dev",
      { "loco:traffic": { apiRateLimit: { requestPerSecond: 10 } } },
      "loco:traffic.apiRateLimit.requestPerSecond",
    );
    assert.match(message, /did you mean "requestsPerSecond"/);
  });
});

describe("loco:preservedCertificates", () => {
  const preserved = (patch: Record<string, unknown> = {}) =>
    JSON.stringify({ "loco-public-tls": { "tls.crt": pem("tls.crt"), "tls.key": pem("tls.key"), ...patch } });

  test("is optional, and when set becomes one secret per Secret name", async () => {
    assert.equal((parse("dev") as CloudStackConfig).credentials.preservedCertificates, undefined);
    const restored = (parse("dev", { "loco:preservedCertificates": { secret: preserved() } }) as CloudStackConfig).credentials
      .preservedCertificates;
    assert.deepEqual(Object.keys(restored ?? {}), ["loco-public-tls"]);
    const certificate = restored?.["loco-public-tls"];
    assert.ok(certificate);
    assert.equal(await outputIsSecret(certificate), true);
    assert.equal((await valueOf(certificate))["tls.crt"], pem("tls.crt"));
  });

  test("stored in plaintext is refused", () => {
    const message = onlyProblem("dev", { "loco:preservedCertificates": preserved() }, "loco:preservedCertificates");
    assert.match(message, /plaintext/);
    assert.doesNotMatch(message, /BEGIN/);
  });

  test("a key that does not match is refused without echoing either", () => {
    const message = onlyProblem(
      "dev",
      { "loco:preservedCertificates": { secret: preserved({ "tls.key": pem("unrelated.key") }) } },
      "loco:preservedCertificates",
    );
    assert.match(message, /does not belong/);
    assert.doesNotMatch(message, /BEGIN/);
  });

  test("a certificate for another stack's names is refused", () => {
    const message = onlyProblem("prod", { "loco:preservedCertificates": { secret: preserved() } }, "loco:preservedCertificates");
    assert.match(message, /cert-manager would replace it/);
  });

  test("is not a setting of the local stack", () => {
    onlyProblem("local", { "loco:preservedCertificates": { secret: preserved() } }, "loco:preservedCertificates");
  });
});
