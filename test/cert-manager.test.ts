import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { acmeServers, CertManager, certManagerNamespace, dnsSolverTokenSecret, type CertManagerArgs } from "../components/cert-manager";
import { parsePreservedCertificates, publicCertificateDnsNames } from "../lib/public-certificate";
import { gatewayListeners, sharedGateway } from "../lib/shared-gateway";
import { userDomainIssuer } from "../lib/tenant-domains";
import { expectedCorePoolPlacement } from "./core-pool-placement";
import { isSecret, runComponents, secretValue, valueOf, type RecordedResource } from "./harness";

const fixtures = join(__dirname, "fixtures", "preserved-certificate");
/** A self-signed test certificate for the dev stack's names (100 years), its key, and a key that is not its own. */
const pem = (file: string) => readFileSync(join(fixtures, file), "utf8");

const acme = (patch: Partial<Extract<CertManagerArgs["issuer"], { kind: "acme" }>> = {}): CertManagerArgs["issuer"] => ({
  kind: "acme",
  use: "letsencrypt-staging",
  email: "ops@loco.example.com",
  dnsZone: "loco.example.com",
  cloudflareApiToken: pulumi.secret("cf-scoped-token"),
  ...patch,
});
const args = (patch: Partial<CertManagerArgs> = {}): Omit<CertManagerArgs, "gatewayApiCrds"> => ({
  replicas: 1,
  issuer: acme(),
  certificates: [
    {
      name: "loco-public",
      secretName: "loco-public-tls",
      namespace: "loco-gateway",
      dnsNames: publicCertificateDnsNames("dev.loco.example.com", "us-east-1"),
    },
  ],
  ...patch,
});
const build = (patch: Partial<CertManagerArgs> = {}) =>
  runComponents(() => {
    const provider = new k8s.Provider("k8s", { context: "test" });
    // Stands in for the Gateway API CRDs the traffic layer installs.
    const gatewayApiCrds = new k8s.core.v1.ConfigMap("gateway-api-crds", { metadata: { name: "gateway-api-crds" } }, { provider });
    return new CertManager("cert-manager", { gatewayApiCrds, ...args(patch) }, { providers: [provider] });
  });

const clusterIssuer = (registered: Awaited<ReturnType<typeof build>>, name: string) =>
  registered.ofType("kubernetes:cert-manager.io/v1:ClusterIssuer").find((r) => (r.inputs.metadata as { name: string }).name === name);

const spec = (r: RecordedResource) => r.inputs.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const named = (resources: RecordedResource[], name: string) => {
  const found = resources.find((r) => (r.inputs.metadata as { name: string }).name === name);
  assert.ok(found, `no object named ${name}`);
  return found;
};
const issuers = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const certificates = "kubernetes:cert-manager.io/v1:Certificate";

describe("CertManager", () => {
  test("issuers point at Let's Encrypt's staging and production ACME directories", async () => {
    const registered = await build();
    assert.equal(
      spec(named(registered.ofType(issuers), "letsencrypt-staging")).acme.server,
      "https://acme-staging-v02.api.letsencrypt.org/directory",
    );
    assert.equal(
      spec(named(registered.ofType(issuers), "letsencrypt-production")).acme.server,
      "https://acme-v02.api.letsencrypt.org/directory",
    );
  });

  test("config picks the certificates' issuer", async () => {
    const staging = (await build()).one(certificates);
    assert.equal(spec(staging).issuerRef.name, "letsencrypt-staging");
    const production = (await build({ issuer: acme({ use: "letsencrypt-production" }) })).one(certificates);
    assert.deepEqual(spec(production).issuerRef, { group: "cert-manager.io", kind: "ClusterIssuer", name: "letsencrypt-production" });
  });

  test("the DNS-01 solver uses the scoped Cloudflare token, from a secret Secret in cert-manager's namespace, on the one zone", async () => {
    const registered = await build();
    const token = registered.one("kubernetes:core/v1:Secret");
    assert.deepEqual(token.inputs.metadata, { name: dnsSolverTokenSecret.name, namespace: certManagerNamespace });
    assert.ok(isSecret(token.inputs.stringData), "the token Secret's data must be a Pulumi secret");
    assert.deepEqual(secretValue(token.inputs.stringData), { [dnsSolverTokenSecret.key]: "cf-scoped-token" });
    const dnsIssuers = registered.ofType(issuers).filter((r) => (r.inputs.metadata as { name: string }).name in acmeServers);
    assert.equal(dnsIssuers.length, 2);
    for (const issuer of dnsIssuers) {
      assert.deepEqual(spec(issuer).acme.solvers, [
        {
          selector: { dnsZones: ["loco.example.com"] },
          dns01: { cloudflare: { apiTokenSecretRef: { name: dnsSolverTokenSecret.name, key: dnsSolverTokenSecret.key } } },
        },
      ]);
      assert.ok(registered.waitsFor(issuer, token));
    }
  });

  test("the certificate covers the apex, the tenant wildcard and the region wildcard, in the consumer's namespace", async () => {
    const certificate = (await build()).one(certificates);
    assert.deepEqual(spec(certificate).dnsNames, ["dev.loco.example.com", "*.dev.loco.example.com", "*.us-east-1.dev.loco.example.com"]);
    assert.equal(spec(certificate).secretName, "loco-public-tls");
    assert.deepEqual(certificate.inputs.metadata, {
      name: "loco-public",
      namespace: "loco-gateway",
      annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "1200" },
    });
    assert.deepEqual(spec(certificate).secretTemplate, { labels: { "loco.dev/preserve": "true" } });
  });

  test("Certificates and ClusterIssuers wait for the release that installs their CRDs", async () => {
    const registered = await build();
    const release = registered.one("kubernetes:helm.sh/v3:Release");
    assert.deepEqual((release.inputs.values as { crds: unknown }).crds, { enabled: true, keep: true });
    for (const object of [...registered.ofType(issuers), ...registered.ofType(certificates)]) {
      assert.ok(registered.waitsFor(object, release), `${object.name} must wait for cert-manager's CRDs`);
    }
  });

  test("the release is on the core pool, with every component placed there", async () => {
    const values = (await build()).one("kubernetes:helm.sh/v3:Release").inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    for (const part of [values, values.webhook, values.cainjector, values.startupapicheck]) {
      assert.deepEqual(part.tolerations, expectedCorePoolPlacement.tolerations);
      assert.deepEqual(part.affinity, expectedCorePoolPlacement.affinity);
      assert.deepEqual(part.nodeSelector, expectedCorePoolPlacement.nodeSelector);
    }
    assert.equal(values.enableCertificateOwnerRef, false, "deleting a Certificate must leave its Secret for the resurrector");
  });

  test("two replicas get PodDisruptionBudgets; one does not", async () => {
    const ha = (await build({ replicas: 2 })).one("kubernetes:helm.sh/v3:Release").inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(ha.podDisruptionBudget, { enabled: true, minAvailable: 1 });
    assert.equal(ha.webhook.replicaCount, 2);
    const single = (await build()).one("kubernetes:helm.sh/v3:Release").inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(single.podDisruptionBudget, { enabled: false });
  });

  test("the local stack uses a self-signed CA: root issuer, CA certificate, CA issuer, in dependency order, and no ACME", async () => {
    const registered = await build({ issuer: { kind: "local-ca" } });
    const root = named(registered.ofType(issuers), "loco-selfsigned");
    const caIssuer = named(registered.ofType(issuers), "loco-local-ca");
    const caCertificate = named(registered.ofType(certificates), "loco-local-ca");
    assert.deepEqual(spec(root), { selfSigned: {} });
    assert.equal(spec(caCertificate).isCA, true);
    assert.equal(spec(caCertificate).issuerRef.name, "loco-selfsigned");
    assert.deepEqual(spec(caIssuer), { ca: { secretName: "loco-local-ca" } });
    assert.ok(registered.waitsFor(caCertificate, root));
    assert.ok(registered.waitsFor(caIssuer, caCertificate));
    const publicCertificate = named(registered.ofType(certificates), "loco-public");
    assert.equal(spec(publicCertificate).issuerRef.name, "loco-local-ca");
    assert.ok(registered.waitsFor(publicCertificate, caIssuer));
    assert.equal(registered.ofType("kubernetes:core/v1:Secret").length, 0, "no Cloudflare token on the local stack");
    assert.ok(registered.ofType(issuers).every((issuer) => spec(issuer).acme === undefined));
  });
});

describe("starting from a preserved certificate", () => {
  const preserved = { "tls.crt": pem("tls.crt"), "tls.key": pem("tls.key") };

  test("the restored Secret exists before the Certificate, with the issuer annotations cert-manager checks", async () => {
    const registered = await build({
      certificates: [{ ...args().certificates[0], preserved: pulumi.secret(preserved) }],
    });
    const restored = registered.all.find((r) => r.name === "cert-manager-loco-public-restored");
    assert.ok(restored);
    const certificate = registered.one(certificates);
    assert.ok(registered.waitsFor(certificate, restored), "cert-manager must find the Secret before it sees the Certificate");
    const metadata = restored.inputs.metadata as { name: string; namespace: string; annotations: Record<string, string> };
    assert.equal(metadata.name, "loco-public-tls");
    assert.equal(metadata.namespace, "loco-gateway");
    assert.deepEqual(metadata.annotations, {
      "cert-manager.io/certificate-name": "loco-public",
      "cert-manager.io/issuer-name": "letsencrypt-staging",
      "cert-manager.io/issuer-kind": "ClusterIssuer",
      "cert-manager.io/issuer-group": "cert-manager.io",
    });
    assert.equal(restored.inputs.type, "kubernetes.io/tls");
    assert.deepEqual(secretValue(restored.inputs.stringData), preserved);
  });

  test("the restored Secret is a seed: Pulumi never writes it again and never deletes it", async () => {
    const registered = await build({ certificates: [{ ...args().certificates[0], preserved: pulumi.secret(preserved) }] });
    const restored = registered.all.find((r) => r.name === "cert-manager-loco-public-restored");
    assert.ok(restored);
    assert.ok(restored.ignoreChanges.includes("data") && restored.ignoreChanges.includes("stringData"));
    assert.equal(restored.retainOnDelete, true);
  });

  test("without a preserved copy there is no Secret to restore", async () => {
    const registered = await build();
    assert.equal(registered.all.filter((r) => r.name.endsWith("-restored")).length, 0);
  });

  test("the certificate Secrets are exported for the resurrector", async () => {
    const { result } = await build();
    assert.deepEqual(await valueOf(result.certificateSecrets), [
      {
        name: "loco-public",
        namespace: "loco-gateway",
        secretName: "loco-public-tls",
        dnsNames: ["dev.loco.example.com", "*.dev.loco.example.com", "*.us-east-1.dev.loco.example.com"],
      },
    ]);
  });
});

describe("parsePreservedCertificates", () => {
  const expected = (now = new Date("2026-11-22T00:00:00Z")) => ({
    certificates: { "loco-public-tls": publicCertificateDnsNames("dev.loco.example.com", "us-east-1") },
    now,
  });
  const entry = (patch: Record<string, unknown> = {}) =>
    JSON.stringify({ "loco-public-tls": { "tls.crt": pem("tls.crt"), "tls.key": pem("tls.key"), ...patch } });
  const noKeyMaterial = (problems: string[]) => {
    for (const problem of problems) assert.doesNotMatch(problem, /BEGIN|PRIVATE/, "a problem must never echo certificate or key material");
  };

  test("a matching, valid certificate is accepted", () => {
    const { value, problems } = parsePreservedCertificates(entry(), expected());
    assert.deepEqual(problems, []);
    assert.deepEqual(Object.keys(value ?? {}), ["loco-public-tls"]);
  });

  test("a key that does not belong to the certificate is refused", () => {
    const { problems } = parsePreservedCertificates(entry({ "tls.key": pem("unrelated.key") }), expected());
    assert.equal(problems.length, 1);
    assert.match(problems[0], /tls\.key does not belong to tls\.crt/);
    noKeyMaterial(problems);
  });

  test("a certificate for other names is refused: cert-manager would replace it at once", () => {
    const { problems } = parsePreservedCertificates(entry(), {
      certificates: { "loco-public-tls": publicCertificateDnsNames("loco.example.com", "us-east-1") },
      now: new Date("2026-11-22T00:00:00Z"),
    });
    assert.match(problems.join("\n"), /is for .*dev\.loco\.example\.com.*not .*loco\.example\.com/);
  });

  test("an expired certificate is refused", () => {
    const { problems } = parsePreservedCertificates(entry(), expected(new Date("2200-01-01T00:00:00Z")));
    assert.match(problems.join("\n"), /expired/);
  });

  test("a Secret the stack does not declare, and JSON that does not parse, are refused without echoing the value", () => {
    assert.match(
      parsePreservedCertificates(JSON.stringify({ other: {} }), expected()).problems.join("\n"),
      /"other", which this stack does not declare/,
    );
    const broken = parsePreservedCertificates(`{"loco-public-tls": "${pem("tls.key").slice(0, 40)}`, expected());
    assert.equal(broken.problems.length, 1);
    noKeyMaterial(broken.problems);
    assert.match(
      parsePreservedCertificates(entry({ "tls.crt": "not a certificate" }), expected()).problems[0],
      /tls\.crt is not a PEM certificate/,
    );
  });
});

describe("tenants' own domains (the renderer's contract in lib/tenant-domains.ts)", () => {
  test("their issuer solves HTTP-01 through the shared Gateway's port-80 listener, on the stack's ACME directory", async () => {
    const registered = await build({ issuer: acme({ use: "letsencrypt-production" }) });
    const issuer = clusterIssuer(registered, userDomainIssuer.name);
    assert.ok(issuer, "the ClusterIssuer the renderer names must exist");
    const acmeSpec = spec(issuer).acme;
    assert.equal(acmeSpec.server, "https://acme-v02.api.letsencrypt.org/directory");
    assert.deepEqual(acmeSpec.solvers, [
      {
        http01: {
          gatewayHTTPRoute: {
            parentRefs: [
              {
                group: "gateway.networking.k8s.io",
                kind: "Gateway",
                name: sharedGateway.name,
                namespace: sharedGateway.namespace,
                sectionName: gatewayListeners.http,
              },
            ],
          },
        },
      },
    ]);
    assert.ok(registered.waitsFor(issuer, registered.one("kubernetes:helm.sh/v3:Release")), "it waits for the CRDs");
  });

  test("cert-manager runs with Gateway API support, started after the Gateway API CRDs", async () => {
    const registered = await build();
    const release = registered.one("kubernetes:helm.sh/v3:Release");
    assert.deepEqual((release.inputs.values as { config: { gatewayAPI: unknown } }).config.gatewayAPI, { enabled: true });
    assert.ok(registered.waitsFor(release, registered.one("kubernetes:core/v1:ConfigMap")));
  });

  test("on the local stack the local CA signs them, under the same issuer name", async () => {
    const registered = await build({ issuer: { kind: "local-ca" } });
    const issuer = clusterIssuer(registered, userDomainIssuer.name);
    assert.deepEqual(issuer && spec(issuer), { ca: { secretName: "loco-local-ca" } });
  });
});
