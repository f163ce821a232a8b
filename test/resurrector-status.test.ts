/**
 * `status` against a local HTTPS server speaking the Kubernetes API subset the probes read, and a local HTTPS
 * endpoint standing in for the gateway: healthy, degraded, down, slow, and the kubeconfig's ways to authenticate.
 */
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { resurrectorCommand } from "../cli/resurrector";
import { statusCommand } from "../resurrector/commands/status-command";
import { freePort } from "../resurrector/db/embedded-postgres";
import { loadKubeconfig } from "../resurrector/kube/kubeconfig";
import { healthyCluster, startFakeApi, startPublicEndpoint, testPki, writeKubeconfig, type FakeApi, type TestPki } from "./fake-kube-api";

const token = "test-token-0123";
const dir = mkdtempSync(join(tmpdir(), "loco-status-"));
let pki: TestPki;
let publicEndpoint: { port: number; close(): Promise<void> };
let caFile: string;
const cleanups: (() => Promise<void>)[] = [];

before(async () => {
  pki = await testPki();
  caFile = join(dir, "ca.pem");
  writeFileSync(caFile, pki.caCert);
  publicEndpoint = await startPublicEndpoint(await pki.publicCert(60));
  cleanups.push(() => publicEndpoint.close());
});

after(async () => {
  await Promise.all(cleanups.map((c) => c()));
});

async function api(
  cluster = healthyCluster(),
  auth: { kind: "token"; token: string } | { kind: "client-certificate" } = { kind: "token", token },
): Promise<FakeApi> {
  const started = await startFakeApi({ pki, auth, cluster });
  cleanups.push(() => started.close());
  return started;
}

let kubeconfigs = 0;
const kubeconfigFor = (fake: { url: string }, user: Record<string, unknown> = { token }, cluster: Record<string, unknown> = {}) =>
  writeKubeconfig(dir, fake.url, pki, user, cluster, `kubeconfig-${kubeconfigs++}.yaml`);

/** Runs `status` as the CLI would, probing the public endpoint at 127.0.0.1 as status.loco.test. */
async function status(fake: { url: string }, extra: string[] = [], user?: Record<string, unknown>, port = publicEndpoint.port) {
  const result = await resurrectorCommand(
    [
      "status",
      "--kubeconfig",
      kubeconfigFor(fake, user),
      "--public-url",
      `https://status.loco.test:${port}/`,
      "--resolve",
      "127.0.0.1",
      "--public-ca",
      caFile,
      // Generous: the machine may be busy; the slow-cluster test sets its own.
      "--timeout",
      "10",
      "--json",
      ...extra,
    ],
    {},
  );
  const parsed = result.stdout
    ? (JSON.parse(result.stdout) as { health: string; checks: { name: string; health: string; detail: string }[] })
    : undefined;
  const check = (name: string) => parsed?.checks.find((c) => c.name === name);
  return { result, parsed, check };
}

describe("a healthy cluster", () => {
  test("every probe is ok and the exit code is 0", async () => {
    const { result, parsed } = await status(await api());
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(
      parsed?.checks.filter((c) => c.health !== "ok"),
      [],
    );
    assert.deepEqual(
      parsed?.checks.map((c) => c.name).sort(),
      [
        "api",
        "certificates",
        "gateway",
        "nodes",
        "public-https",
        // One per platform workload.
        "cert-manager",
        "clickhouse",
        "envoy-gateway",
        "gateway-proxy",
        "grafana",
        "harbor",
        "keda",
        "keda-http-add-on",
        "opentelemetry-agent",
        "opentelemetry-collector",
      ].sort(),
    );
  });

  test("the table names each check, its status, time and detail, and the verdict", async () => {
    const result = await resurrectorCommand(
      [
        "status",
        "--kubeconfig",
        kubeconfigFor(await api()),
        "--public-url",
        `https://status.loco.test:${publicEndpoint.port}/`,
        "--resolve",
        "127.0.0.1",
        "--public-ca",
        caFile,
      ],
      {},
    );
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^CHECK\s+STATUS\s+TIME\s+DETAIL$/m);
    assert.match(result.stdout, /^nodes\s+ok\s+\d+ms\s+2\/2 Ready$/m);
    assert.match(result.stdout, /^gateway-proxy\s+ok\s+\d+ms\s+deployment\/envoy-loco-gateway-loco-1a2b 2\/2$/m);
    assert.match(result.stdout, /Cluster is healthy \(exit 0\)\.$/);
  });

  test("add-on workloads are found by the label selectors of the platform-workloads list, per namespace", async () => {
    const fake = await api();
    await status(fake);
    assert.ok(fake.requests.includes("/apis/apps/v1/namespaces/cert-manager/deployments"));
    assert.ok(fake.requests.includes("/apis/apps/v1/deployments"), "the gateway's proxies are looked for in every namespace");
  });
});

describe("a degraded cluster (exit 1)", () => {
  test("a non-critical add-on down, a node not ready", async () => {
    const cluster = healthyCluster();
    cluster.workloads = cluster.workloads.map((w) => (w.name === "grafana" ? { ...w, ready: 0 } : w));
    cluster.nodes.push({ name: "apps-2", ready: false });
    const { result, check } = await status(await api(cluster));
    assert.equal(result.code, 1);
    assert.equal(check("grafana")?.health, "degraded");
    assert.match(check("grafana")?.detail ?? "", /deployment\/grafana 0\/1: dashboards and alerting unavailable/);
    assert.equal(check("nodes")?.health, "degraded");
    assert.match(check("nodes")?.detail ?? "", /2\/3 Ready; not ready: apps-2/);
  });

  test("an add-on that is not installed at all", async () => {
    const cluster = healthyCluster();
    cluster.workloads = cluster.workloads.filter((w) => w.namespace !== "loco-registry");
    const { result, check } = await status(await api(cluster));
    assert.equal(result.code, 1);
    assert.match(check("harbor")?.detail ?? "", /no workloads in loco-registry \(app\.kubernetes\.io\/instance=harbor\)/);
  });

  test("the public endpoint answers 5xx, or with a certificate close to expiry, or an untrusted one", async () => {
    const failing = await startPublicEndpoint(await pki.publicCert(60), 503);
    const expiring = await startPublicEndpoint(await pki.publicCert(5));
    cleanups.push(
      () => failing.close(),
      () => expiring.close(),
    );
    const fake = await api();

    const fiveHundred = await status(fake, [], undefined, failing.port);
    assert.equal(fiveHundred.result.code, 1);
    assert.match(fiveHundred.check("public-https")?.detail ?? "", /HTTP 503.*the backend fails/);

    const soon = await status(fake, [], undefined, expiring.port);
    assert.equal(soon.result.code, 1);
    assert.match(soon.check("public-https")?.detail ?? "", /expires within 14 days/);

    const untrusted = await resurrectorCommand(
      [
        "status",
        "--kubeconfig",
        kubeconfigFor(fake),
        "--public-url",
        `https://status.loco.test:${publicEndpoint.port}/`,
        "--resolve",
        "127.0.0.1",
        "--json",
      ],
      {},
    );
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/);
  });

  test("a tenant certificate cert-manager has not renewed in time", async () => {
    const cluster = healthyCluster();
    cluster.certificates.push({
      namespace: "w11-web",
      name: "www.acme-shop.com",
      ready: true,
      notAfter: new Date(Date.now() + 3 * 86_400_000).toISOString(),
    });
    const { result, check } = await status(await api(cluster));
    assert.equal(result.code, 1);
    assert.match(check("certificates")?.detail ?? "", /w11-web\/www\.acme-shop\.com expires .* \(renewal is late\)/);
  });
});

describe("a cluster that is down (exit 2)", () => {
  test("the gateway's proxies are not running", async () => {
    const cluster = healthyCluster();
    cluster.workloads = cluster.workloads.map((w) => (w.name.startsWith("envoy-loco") ? { ...w, ready: 0 } : w));
    const { result, check } = await status(await api(cluster));
    assert.equal(result.code, 2);
    assert.equal(check("gateway-proxy")?.health, "down");
  });

  test("no node is Ready, and the Gateway is not programmed", async () => {
    const cluster = healthyCluster();
    cluster.nodes = cluster.nodes.map((n) => ({ ...n, ready: false }));
    cluster.gateway = { programmed: false, statusHost: "status.loco.test" };
    const { result, check } = await status(await api(cluster));
    assert.equal(result.code, 2);
    assert.equal(check("nodes")?.health, "down");
    assert.match(check("gateway")?.detail ?? "", /not programmed: no address assigned/);
  });

  test("the Gateway's wildcard certificate has expired", async () => {
    const cluster = healthyCluster();
    cluster.certificates = [
      { namespace: "loco-gateway", name: "loco-wildcard", ready: false, notAfter: new Date(Date.now() - 86_400_000).toISOString() },
    ];
    const { result, check } = await status(await api(cluster));
    assert.equal(result.code, 2);
    assert.match(check("certificates")?.detail ?? "", /loco-gateway\/loco-wildcard expired/);
  });

  test("the API refuses the credentials", async () => {
    const { result, check } = await status(await api(), [], { token: "stale-token" });
    assert.equal(result.code, 2);
    assert.match(check("api")?.detail ?? "", /HTTP 401: the kubeconfig's credentials are refused/);
  });

  test("the API is unreachable: every API probe says so, fast, and the public endpoint is still probed", async () => {
    const port = await freePort();
    const { result, parsed, check } = await status({ url: `https://127.0.0.1:${port}` });
    assert.equal(result.code, 2);
    for (const c of parsed?.checks.filter((c) => c.name !== "public-https") ?? []) {
      assert.match(c.detail, /ECONNREFUSED/, c.name);
      assert.notEqual(c.health, "ok");
    }
    assert.equal(check("public-https")?.health, "ok");
  });

  test("the public endpoint does not answer", async () => {
    const { result, check } = await status(await api(), [], undefined, await freePort());
    assert.equal(result.code, 2);
    assert.match(check("public-https")?.detail ?? "", /https:\/\/status\.loco\.test:\d+\/ \(at 127\.0\.0\.1\): .*ECONNREFUSED/);
  });

  test("an expired certificate on the public endpoint", async () => {
    const expired = await startPublicEndpoint(await pki.publicCert(-1));
    cleanups.push(() => expired.close());
    const { result, check } = await status(await api(), [], undefined, expired.port);
    assert.equal(result.code, 2);
    assert.match(check("public-https")?.detail ?? "", /EXPIRED/);
  });
});

describe("a slow cluster", () => {
  test("a probe that gets no answer is cut at the timeout, and every other probe still reports", { timeout: 30_000 }, async () => {
    const cluster = healthyCluster();
    cluster.delays["/api/v1/nodes"] = 20_000;
    cluster.delays["/apis/cert-manager.io/v1/certificates"] = 20_000;
    const { result, parsed, check } = await status(await api(cluster), ["--timeout", "1"]);
    assert.equal(result.code, 2);
    assert.equal(check("nodes")?.health, "down");
    assert.equal(check("nodes")?.detail, "timed out: no answer within 1000 ms");
    assert.equal(check("certificates")?.health, "degraded");
    assert.equal(check("certificates")?.detail, "timed out: no answer within 1000 ms");
    assert.equal(parsed?.checks.length, 5 + 10, "every probe answers, the timed-out ones included");
  });
});

describe("the public probe's target", () => {
  test("without --public-url it is the Gateway's status listener host", async () => {
    const fake = await api();
    const result = await statusCommand({ kubeconfigPaths: [kubeconfigFor(fake)], resolve: "127.0.0.1", timeoutMs: 10_000, json: true });
    const check = (JSON.parse(result.stdout) as { checks: { name: string; detail: string }[] }).checks.find(
      (c) => c.name === "public-https",
    );
    // Port 443 on this machine serves nothing: what matters is which URL was probed.
    assert.match(check?.detail ?? "", /^https:\/\/status\.loco\.test\/ \(at 127\.0\.0\.1\)/);
  });

  test("a Gateway without a status listener, and no --public-url: degraded, saying so", async () => {
    const cluster = healthyCluster();
    cluster.gateway = { programmed: true };
    const fake = await api(cluster);
    const result = await statusCommand({ kubeconfigPaths: [kubeconfigFor(fake)], timeoutMs: 10_000, json: true });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /no --public-url, and the Gateway has no https-status listener hostname/);
  });
});

describe("kubeconfig credentials", () => {
  test("a client certificate, inline or from files, authenticates over mutual TLS", async () => {
    const fake = await api(healthyCluster(), { kind: "client-certificate" });
    const inline = {
      "client-certificate-data": Buffer.from(pki.clientCert).toString("base64"),
      "client-key-data": Buffer.from(pki.clientKey).toString("base64"),
    };
    assert.equal((await status(fake, [], inline)).check("nodes")?.health, "ok");
    writeFileSync(join(dir, "client.crt"), pki.clientCert);
    writeFileSync(join(dir, "client.key"), pki.clientKey);
    assert.equal((await status(fake, [], { "client-certificate": "client.crt", "client-key": "client.key" })).check("nodes")?.health, "ok");
    assert.equal((await status(fake, [], { token })).result.code, 2, "without the certificate the API refuses");
  });

  test("a token file is read relative to the kubeconfig", async () => {
    writeFileSync(join(dir, "token"), `${token}\n`);
    assert.equal((await status(await api(), [], { tokenFile: "token" })).result.code, 0);
  });

  test("an exec plugin supplies the token (as doctl's exec-credential does)", async () => {
    const plugin = join(dir, "credential-plugin.js");
    writeFileSync(
      plugin,
      `#!/usr/bin/env node\nconst info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);\nprocess.stdout.write(JSON.stringify({ apiVersion: info.apiVersion, kind: "ExecCredential", status: { token: process.env.PLUGIN_TOKEN } }));\n`,
    );
    chmodSync(plugin, 0o755);
    const exec = { apiVersion: "client.authentication.k8s.io/v1", command: plugin, env: [{ name: "PLUGIN_TOKEN", value: token }] };
    assert.equal((await status(await api(), [], { exec })).result.code, 0);
  });

  test("an exec plugin that hangs is stopped at the timeout: exit 3, nothing probed", { timeout: 30_000 }, async () => {
    const plugin = join(dir, "hanging-plugin.js");
    writeFileSync(plugin, "#!/usr/bin/env node\nsetTimeout(() => {}, 60000);\n");
    chmodSync(plugin, 0o755);
    const { result } = await status(await api(), ["--timeout", "0.5"], { exec: { command: plugin } });
    assert.equal(result.code, 3);
    assert.match(result.stderr, /did not answer within 500 ms\nNothing was probed/);
  });

  test("unsupported or broken kubeconfigs exit 3 with the reason", async () => {
    const fake = await api();
    for (const [user, reason] of [
      [{ "auth-provider": { name: "gcp" } }, /auth-provider gcp is not supported/],
      [{ username: "admin", password: "x" }, /basic auth \(username\/password\) is not supported/],
      [{ "client-certificate-data": "eA==" }, /a client certificate without client-key/],
      [{ tokenFile: "missing-token" }, /tokenFile: cannot read/],
    ] as const) {
      const { result } = await status(fake, [], user);
      assert.equal(result.code, 3, String(reason));
      assert.match(result.stderr, reason);
    }
    const missing = await resurrectorCommand(["status", "--kubeconfig", join(dir, "nope.yaml")], {});
    assert.equal(missing.code, 3);
    const wrongContext = await resurrectorCommand(["status", "--kubeconfig", kubeconfigFor(fake), "--context", "other"], {});
    assert.match(wrongContext.stderr, /has no context "other"/);
  });

  test("the cluster's CA is what the API's certificate is checked against; skipping the check must be asked for", async () => {
    const fake = await api();
    const wrongCa = kubeconfigFor(
      fake,
      { token },
      { "certificate-authority-data": Buffer.from((await testPki()).caCert).toString("base64") },
    );
    const refused = await statusCommand({
      kubeconfigPaths: [wrongCa],
      timeoutMs: 10_000,
      json: true,
      publicUrl: `https://status.loco.test:${publicEndpoint.port}/`,
      resolve: "127.0.0.1",
    });
    assert.match(refused.stdout, /certificate|UNABLE_TO_VERIFY|signature/i);
    assert.equal(refused.code, 2);
    const connection = await loadKubeconfig([kubeconfigFor(fake, { token }, { "insecure-skip-tls-verify": true })], { timeoutMs: 1000 });
    assert.equal(connection.insecureSkipTlsVerify, true);
  });

  test("bad options exit 64", async () => {
    assert.equal((await resurrectorCommand(["status"], {})).code, 64);
    assert.equal((await resurrectorCommand(["status", "--kubeconfig", "x", "--timeout", "never"], {})).code, 64);
    assert.equal((await resurrectorCommand(["status", "--kubeconfig", "x", "--public-url", "http://plain"], {})).code, 64);
  });
});

describe("kubeconfig files", () => {
  test("a kubeconfig whose contexts, clusters or users is not a list: exit 3 naming the field, never a crash", async () => {
    const fake = await api();
    const good = {
      apiVersion: "v1",
      kind: "Config",
      "current-context": "guarded",
      contexts: [{ name: "guarded", context: { cluster: "loco", user: "resurrector" } }],
      clusters: [{ name: "loco", cluster: { server: fake.url, "certificate-authority-data": Buffer.from(pki.caCert).toString("base64") } }],
      users: [{ name: "resurrector", user: { token } }],
    };
    for (const [field, broken] of [
      ["contexts", { guarded: { cluster: "loco", user: "resurrector" } }],
      ["clusters", "loco"],
      ["users", { resurrector: { token } }],
    ] as const) {
      const path = join(dir, `not-a-list-${field}.yaml`);
      writeFileSync(path, JSON.stringify({ ...good, [field]: broken }));
      const result = await resurrectorCommand(["status", "--kubeconfig", path], {});
      assert.equal(result.code, 3, `${field}: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`${field} must be a list`));
      assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
    }
  });

  test("KUBECONFIG=a:b is merged as kubectl merges it: the first file to name a context, cluster or user wins", async () => {
    const fake = await api();
    const contexts = join(dir, "merge-contexts.yaml");
    const clusters = join(dir, "merge-clusters.yaml");
    writeFileSync(
      contexts,
      JSON.stringify({
        "current-context": "guarded",
        contexts: [{ name: "guarded", context: { cluster: "loco", user: "resurrector" } }],
        users: [{ name: "resurrector", user: { token } }],
      }),
    );
    writeFileSync(
      clusters,
      JSON.stringify({
        // Ignored: the first file already named the current context and the user.
        "current-context": "elsewhere",
        contexts: [{ name: "elsewhere", context: { cluster: "loco", user: "resurrector" } }],
        clusters: [
          { name: "loco", cluster: { server: fake.url, "certificate-authority-data": Buffer.from(pki.caCert).toString("base64") } },
        ],
        users: [{ name: "resurrector", user: { token: "stale-token" } }],
      }),
    );
    const result = await resurrectorCommand(
      [
        "status",
        "--public-url",
        `https://status.loco.test:${publicEndpoint.port}/`,
        "--resolve",
        "127.0.0.1",
        "--public-ca",
        caFile,
        "--json",
      ],
      { KUBECONFIG: [join(dir, "missing.yaml"), contexts, clusters].join(":") },
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal((JSON.parse(result.stdout) as { context: string }).context, "guarded");
  });
});
