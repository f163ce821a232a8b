/**
 * The replay (phase 3 of a rebuild) against the fake Kubernetes API (test/fake-kube-cluster.ts) with loco's schema
 * in a real PostgreSQL: both modes, the exact objects the server stored, idempotence, every injected fault, field
 * manager conflicts, malformed rows, the concurrency bound, the preflight refusals, dry run, and the command line.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { resurrectorCommand } from "../cli/resurrector";
import { generateMasterKey, parseMasterKey } from "../resurrector/crypto/envelope";
import { connectDatabase } from "../resurrector/db/connect";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { readClusterSnapshot } from "../resurrector/db/read-snapshot";
import { loadDemoDatabase, loadLocoFixture } from "../resurrector/demo/demo-database";
import { loadKubeconfig } from "../resurrector/kube/kubeconfig";
import type { ReplayReport } from "../resurrector/replay/replay-report";
import { replayTenants, type ReplayOptions } from "../resurrector/replay/replay-tenants";
import { testPki, writeKubeconfig, type TestPki } from "./fake-kube-api";
import { startFakeCluster, type FakeCluster } from "./fake-kube-cluster";
import { locoApplicationCrd } from "./loco-application-crd";
import { isCi, requireUpstream, skipUnlessUpstream } from "./upstream";
import { fleetEnvironment, loadFleet } from "./loco-fleet";

const token = "replay-token";
const encodedKey = generateMasterKey();
const master = parseMasterKey(encodedKey);
const now = new Date("2026-11-22T00:00:00Z");
const dir = mkdtempSync(join(tmpdir(), "loco-replay-"));
const fleetSize = 40;
let pki: TestPki;
let server: EmbeddedDatabase;
let demoUrl: string;
let fleetUrl: string;
const cleanups: (() => Promise<void> | void)[] = [];

/** loco's Application CRD from the upstream reference when it is there (then every Application is schema-checked). */
const locoCrd = locoApplicationCrd();
const withoutUpstream = skipUnlessUpstream("locoCrd");

async function freshDatabase(name: string): Promise<string> {
  const admin = await connectDatabase(server.url);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return server.url.replace(/\/loco$/, `/${name}`);
}

async function withClient<T>(url: string, work: (client: Awaited<ReturnType<typeof connectDatabase>>) => Promise<T>): Promise<T> {
  const client = await connectDatabase(url);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

before(async () => {
  // Under CI the strict check may not run against the stand-in CRD: fail, saying what is missing and how to provide it.
  if (isCi()) requireUpstream("locoCrd");
  pki = await testPki();
  server = await startEmbeddedPostgres("loco");
  demoUrl = server.url;
  await withClient(demoUrl, (client) => loadDemoDatabase(client, master, now));
  fleetUrl = await freshDatabase("fleet");
  await withClient(fleetUrl, (client) => loadFleet(client, fleetSize, master));
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Cluster {
  readonly fake: FakeCluster;
  readonly kubeconfig: string;
}

let clusters = 0;
/** A fake cluster as a rebuild finds it after the platform converged: loco's namespace and CRD, KEDA's namespace. */
async function cluster(options: { crd?: boolean; locoNamespace?: boolean } = {}): Promise<Cluster> {
  const fake = await startFakeCluster({ pki, token });
  cleanups.push(() => fake.close());
  if (options.crd !== false) fake.installCrd(locoCrd);
  if (options.locoNamespace !== false) fake.createNamespace("loco-system");
  fake.createNamespace("keda");
  fake.resetStats();
  return { fake, kubeconfig: writeKubeconfig(dir, fake.url, pki, { token }, {}, `kubeconfig-${clusters++}.yaml`) };
}

const env = { LOCO_RESURRECTOR_KEY: encodedKey };

async function replayCli(target: Cluster, url: string, extra: string[] = []) {
  const result = await resurrectorCommand(["replay", "--database-url", url, "--kubeconfig", target.kubeconfig, "--json", ...extra], env);
  const report = result.stdout ? (JSON.parse(result.stdout) as ReplayReport) : undefined;
  return { result, report, app: (id: string) => report?.apps.find((a) => a.resourceId === id) };
}

/** replayTenants itself, with retries that do not really wait (their requested waits are recorded). */
async function replayApi(target: Cluster, url: string, options: Partial<ReplayOptions> = {}) {
  const waits: number[] = [];
  const snapshot = await withClient(url, (client) => readClusterSnapshot(client));
  const report = await replayTenants({
    snapshot,
    target: await loadKubeconfig([target.kubeconfig], { timeoutMs: 10_000 }),
    environment: "prod",
    masterKey: master,
    requestTimeoutMs: 10_000,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
  return { report, waits };
}

const application = (fake: FakeCluster, resourceId: string) =>
  fake.get("infra.loco.io/v1alpha1", "Application", "loco-system", `resource-${resourceId}`);
const patches = (fake: FakeCluster) => fake.requests.filter((r) => r.method === "PATCH");

describe("mode application: loco's own Applications", () => {
  test("writes each app's Application exactly as loco's API builds it, with its environment from the sealed store", async () => {
    const url = await freshDatabase("exact_application");
    await withClient(url, async (client) => {
      await loadDemoDatabase(client, master, now);
      await client.query(`UPDATE resources SET spec = $1 WHERE id = 101`, [
        {
          routing: { port: 8000, pathPrefix: "/", idleTimeout: 120 },
          observability: {
            logging: { enabled: true, retentionPeriod: "7d", structured: true },
            metrics: { enabled: false },
            tracing: { enabled: true, sampleRate: 0.25, tags: { team: "web" } },
          },
          regions: {
            "us-east-1": {
              enabled: true,
              primary: true,
              cpu: "100m",
              memory: "128Mi",
              minReplicas: 1,
              maxReplicas: 3,
              scalers: { enabled: true, cpuTarget: 70, memoryTarget: 80 },
            },
          },
        },
      ]);
    });
    const target = await cluster();
    const { result, app } = await replayCli(target, url);
    assert.equal(app("101")?.outcome, "created", result.stdout);
    const stored = application(target.fake, "101");
    const metadata = stored?.metadata as {
      name: string;
      namespace: string;
      labels?: unknown;
      managedFields: { manager: string; operation: string }[];
    };
    assert.deepEqual([metadata.name, metadata.namespace, metadata.labels], ["resource-101", "loco-system", undefined]);
    assert.deepEqual(
      metadata.managedFields.map((m) => [m.manager, m.operation]),
      [["loco-resurrector", "Apply"]],
    );
    assert.deepEqual(stored?.spec, {
      type: "SERVICE",
      resourceId: 101,
      workspaceId: 11,
      region: "us-east-1",
      serviceSpec: {
        deployment: {
          image: "registry.loco.dev/acme/web:9a8b7c",
          port: 8000,
          buildType: "docker",
          cpu: "250m",
          memory: "256Mi",
          minReplicas: 2,
          maxReplicas: 6,
          scalers: { enabled: true, cpuTarget: 70, memoryTarget: 80 },
          healthCheck: { path: "/api/health", interval: 30, timeout: 5, failThreshold: 3 },
          env: { DATABASE_URL: "postgres://web:demo@db.acme.example/web", SESSION_SECRET: "demo-session-secret" },
        },
        resources: {
          cpu: "250m",
          memory: "256Mi",
          replicas: { min: 2, max: 6 },
          scalers: { enabled: true, cpuTarget: 70, memoryTarget: 80 },
        },
        routing: { hostName: "web.loco.dev", pathPrefix: "/", idleTimeout: 120 },
        obs: {
          logging: { enabled: true, retentionPeriod: "7d", structured: true },
          metrics: {},
          tracing: { enabled: true, sampleRate: "0.25", tags: { team: "web" } },
        },
      },
    });
    // Without a resource spec (loco.dev's other demo apps): the deployment's own values, routing by hostname only.
    assert.deepEqual(application(target.fake, "212")?.spec, {
      type: "SERVICE",
      resourceId: 212,
      workspaceId: 21,
      region: "us-east-1",
      serviceSpec: {
        deployment: {
          image: "registry.loco.dev/globex/blog:cd34",
          port: 2368,
          buildType: "docker",
          cpu: "100m",
          memory: "128Mi",
          minReplicas: 1,
          maxReplicas: 1,
        },
        resources: { cpu: "100m", memory: "128Mi", replicas: { min: 1, max: 1 }, scalers: {} },
        routing: { hostName: "blog-globex.loco.dev" },
      },
    });
    assert.doesNotMatch(result.stdout, /demo-session-secret|postgres:\/\/web:demo/, "the report never shows an environment value");
  });

  test("the demo: good apps created, bad rows failed with their reason, deliberate ones skipped; exit 1", async () => {
    const target = await cluster();
    const { result, report, app } = await replayCli(target, demoUrl);
    assert.equal(result.code, 1, result.stderr);
    const outcomes = Object.fromEntries(report?.apps.map((a) => [a.resourceId, a.outcome]) ?? []);
    assert.deepEqual(outcomes, {
      "101": "created",
      "102": "created",
      "103": "skipped",
      "104": "skipped",
      "105": "failed",
      "106": "failed",
      "107": "failed",
      "108": "failed",
      "121": "failed",
      "122": "skipped",
      "123": "skipped",
      "211": "created",
      "212": "created",
      "213": "skipped",
    });
    assert.match(
      app("121")?.reason ?? "",
      /loco refuses it: cpu 50m is outside loco's 100m to 2000m; loco refuses it: replicas\.min 0 is below loco's 1/,
    );
    assert.match(app("106")?.reason ?? "", /spec\.service\.build\.image is missing/);
    assert.match(app("122")?.reason ?? "", /suspended/);
    assert.match(
      app("123")?.reason ?? "",
      /a worker cannot be an Application \(loco's API deploys services only\): replay it with --mode objects/,
    );
    assert.deepEqual(
      target.fake
        .list("infra.loco.io/v1alpha1", "Application")
        .map((a) => (a.metadata as { name: string }).name)
        .sort(),
      ["resource-101", "resource-102", "resource-211", "resource-212"],
    );
    assert.deepEqual(report?.counts && { ...report.counts, requests: 0 }, {
      apps: 14,
      created: 4,
      updated: 0,
      unchanged: 0,
      failed: 5,
      skipped: 5,
      objects: 4,
      requests: 0,
      retries: 0,
    });
  });

  test("running it twice changes nothing: the second run reports every app unchanged and the server wrote nothing", async () => {
    const target = await cluster();
    const first = await replayCli(target, fleetUrl);
    assert.equal(first.result.code, 0, first.result.stdout);
    assert.equal(first.report?.counts.created, fleetSize);
    const versions = target.fake
      .list("infra.loco.io/v1alpha1", "Application")
      .map((a) => (a.metadata as { resourceVersion: string }).resourceVersion);
    const second = await replayCli(target, fleetUrl);
    assert.equal(second.result.code, 0);
    assert.deepEqual(
      second.report?.counts && [second.report.counts.unchanged, second.report.counts.created, second.report.counts.updated],
      [fleetSize, 0, 0],
    );
    assert.deepEqual(
      target.fake.list("infra.loco.io/v1alpha1", "Application").map((a) => (a.metadata as { resourceVersion: string }).resourceVersion),
      versions,
    );
  });

  test("an Application changed on the cluster by our own manager earlier is put back, and reported updated", async () => {
    const target = await cluster();
    await replayCli(target, fleetUrl);
    const { report } = await replayApi(target, fleetUrl, { environment: "prod" });
    assert.equal(report.counts.unchanged, fleetSize);
    const url = await freshDatabase("fleet_changed");
    await withClient(url, async (client) => {
      await loadFleet(client, fleetSize, master);
      await client.query(
        `UPDATE deployments SET spec = jsonb_set(spec, '{service,build,image}', '"registry.loco.dev/t/app-7:v2"') WHERE resource_id = 7`,
      );
    });
    const changed = await replayCli(target, url);
    assert.deepEqual(changed.report?.counts && [changed.report.counts.updated, changed.report.counts.unchanged], [1, fleetSize - 1]);
    assert.equal(
      (application(target.fake, "7")?.spec as { serviceSpec: { deployment: { image: string } } }).serviceSpec.deployment.image,
      "registry.loco.dev/t/app-7:v2",
    );
  });

  test("every Application is valid by loco's CRD, checked strictly by the API server", { skip: withoutUpstream }, async () => {
    const target = await cluster();
    const { result } = await replayCli(target, fleetUrl);
    assert.equal(result.code, 0, result.stdout);
    assert.deepEqual(
      patches(target.fake).filter((r) => r.status !== 201),
      [],
    );
  });
});

describe("mode objects: the renderer's objects", () => {
  test("writes every rendered object, Secrets filled from the store; a second run changes nothing", async () => {
    const target = await cluster({ crd: false, locoNamespace: false });
    const first = await replayCli(target, demoUrl, ["--mode", "objects"]);
    assert.equal(first.result.code, 1, "the demo's bad rows fail");
    assert.deepEqual(
      first.report?.apps.filter((a) => a.outcome === "created").map((a) => a.resourceId),
      ["101", "102", "103", "121", "123", "211", "212"],
    );
    const byKind = new Map<string, number>();
    for (const app of first.report?.apps ?? []) for (const o of app.objects) byKind.set(o.kind, (byKind.get(o.kind) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries([...byKind].sort()), {
      Certificate: 1,
      Deployment: 7,
      HTTPRoute: 7,
      InterceptorRoute: 1,
      ListenerSet: 1,
      Namespace: 7,
      NetworkPolicy: 7,
      PodDisruptionBudget: 1,
      ReferenceGrant: 1,
      ScaledObject: 5,
      Secret: 5,
      Service: 5,
    });
    const secret = target.fake.get("v1", "Secret", "w11-web", "web-env") as { data: Record<string, string> } | undefined;
    assert.deepEqual(Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString()])), {
      DATABASE_URL: "postgres://web:demo@db.acme.example/web",
      SESSION_SECRET: "demo-session-secret",
    });
    const deployment = target.fake.get("apps/v1", "Deployment", "w11-web", "web") as {
      spec: { replicas: number; template: { spec: { containers: { image: string }[] } } };
    };
    assert.equal(deployment.spec.template.spec.containers[0].image, "registry.loco.dev/acme/web:9a8b7c");
    assert.match(first.result.stdout, /loco-registry-pull Secret is not written/);

    const second = await replayCli(target, demoUrl, ["--mode", "objects"]);
    assert.deepEqual(
      second.report?.apps.filter((a) => a.objects.length > 0).map((a) => [a.resourceId, a.outcome]),
      [
        ["101", "unchanged"],
        ["102", "unchanged"],
        ["103", "unchanged"],
        ["121", "unchanged"],
        ["123", "unchanged"],
        ["211", "unchanged"],
        ["212", "unchanged"],
      ],
    );
  });

  test("a Deployment whose replicas an autoscaler took is applied without them, not reported as a conflict", async () => {
    const target = await cluster({ crd: false, locoNamespace: false });
    await replayCli(target, demoUrl, ["--mode", "objects"]);
    const live = target.fake.get("apps/v1", "Deployment", "w11-web", "web") as { spec: { replicas: number } };
    target.fake.write("kube-controller-manager", { ...live, spec: { ...live.spec, replicas: 5 } });
    const again = await replayCli(target, demoUrl, ["--mode", "objects"]);
    assert.equal(again.app("101")?.outcome, "unchanged", JSON.stringify(again.app("101")));
    assert.equal((target.fake.get("apps/v1", "Deployment", "w11-web", "web") as { spec: { replicas: number } }).spec.replicas, 5);
  });
});

describe("faults", () => {
  test("429 (Retry-After honoured), 500, 503, a concurrent-write 409 and dropped connections are retried until every app is in", async () => {
    const target = await cluster();
    target.fake.faults.push(
      { method: "PATCH", status: 429, retryAfterSeconds: 2, times: 3 },
      { method: "PATCH", status: 500, times: 3 },
      { method: "PATCH", status: 503, times: 2 },
      { method: "PATCH", status: 409, times: 2 },
      { method: "PATCH", drop: true, times: 3 },
    );
    target.fake.latencyMs = 5;
    const { report, waits } = await replayApi(target, fleetUrl, { concurrency: 4 });
    assert.equal(report.counts.failed, 0, JSON.stringify(report.apps.filter((a) => a.outcome === "failed")));
    assert.equal(report.counts.created, fleetSize);
    assert.equal(report.counts.retries, 13);
    const statuses = target.fake.stats.byStatus;
    assert.deepEqual(
      [statuses.get(429), statuses.get(500), statuses.get(503), statuses.get(409), statuses.get(201)],
      [3, 3, 2, 2, fleetSize],
    );
    assert.equal(waits.filter((ms) => ms >= 2000).length, 3, "each 429 waited at least its Retry-After");
    assert.ok(waits.every((ms) => ms <= 60_000));
  });

  test("a fault that does not go away fails only the apps it hits, after the attempts, with the reason", async () => {
    const target = await cluster();
    target.fake.faults.push({ method: "PATCH", path: /resource-(3|5)$/, status: 500, times: 100 });
    const { report } = await replayApi(target, fleetUrl, { retry: { attempts: 3 } });
    assert.deepEqual(
      report.apps.filter((a) => a.outcome === "failed").map((a) => [a.resourceId, a.reason]),
      [
        ["3", "Application loco-system/resource-3: HTTP 500: Internal error occurred: injected by the test (after 3 attempts)"],
        ["5", "Application loco-system/resource-5: HTTP 500: Internal error occurred: injected by the test (after 3 attempts)"],
      ],
    );
    assert.equal(report.counts.created, fleetSize - 2);
  });

  test("an API that stops answering stops the replay: the rest are not attempted, and the report says why", async () => {
    const target = await cluster();
    target.fake.faults.push({ method: "PATCH", drop: true, times: 1_000 });
    const { report } = await replayApi(target, fleetUrl, { concurrency: 2, retry: { attempts: 2 } });
    assert.match(report.stopped ?? "", /stopped answering \(4 apps in a row got no answer\)/);
    assert.equal(report.counts.failed, fleetSize);
    assert.ok(report.apps.filter((a) => /^not attempted/.test(a.reason ?? "")).length >= fleetSize - 6);
    assert.ok(patches(target.fake).length <= 2 * 6, `${patches(target.fake).length} applies sent`);
  });

  test("another writer's field is not taken over: that app fails naming the writer and field; --force-conflicts takes it", async () => {
    const target = await cluster();
    await replayCli(target, fleetUrl);
    const live = application(target.fake, "9") as { spec: { serviceSpec: { deployment: { image: string } } } };
    target.fake.write("loco-api", {
      ...live,
      spec: {
        ...live.spec,
        serviceSpec: {
          ...live.spec.serviceSpec,
          deployment: { ...live.spec.serviceSpec.deployment, image: "registry.loco.dev/t/app-9:newer" },
        },
      },
    });
    const { report, app } = await replayCli(target, fleetUrl);
    assert.equal(app("9")?.outcome, "failed");
    assert.match(app("9")?.reason ?? "", /conflict: \.spec\.serviceSpec\.deployment\.image \(held by loco-api\).*--force-conflicts/);
    assert.equal(report?.counts.unchanged, fleetSize - 1);
    assert.equal((application(target.fake, "9")?.spec as typeof live.spec).serviceSpec.deployment.image, "registry.loco.dev/t/app-9:newer");

    const forced = await replayCli(target, fleetUrl, ["--force-conflicts"]);
    assert.equal(forced.app("9")?.outcome, "updated");
    assert.match((application(target.fake, "9")?.spec as typeof live.spec).serviceSpec.deployment.image, /app-9:[0-9a-f]{12}$/);
  });
});

describe("bad rows", () => {
  test("a malformed deployment spec or resource spec fails that app alone, with the field named", async () => {
    const url = await freshDatabase("fleet_malformed");
    await withClient(url, async (client) => {
      await loadFleet(client, fleetSize, master);
      await client.query(`UPDATE deployments SET spec = jsonb_set(spec, '{service,port}', '"eighty"') WHERE resource_id = 4`);
      await client.query(`UPDATE resources SET spec = jsonb_set(spec, '{regions}', '"everywhere"') WHERE id = 6`);
      await client.query(`UPDATE resources SET spec = jsonb_set(spec, '{routing,idleTimeout}', '"long"') WHERE id = 8`);
    });
    const target = await cluster();
    const { result, report, app } = await replayCli(target, url);
    assert.equal(result.code, 1);
    assert.match(app("4")?.reason ?? "", /spec\.service\.port must be an integer from 1 to 65535 \(got "eighty"\)/);
    assert.equal(app("6")?.reason, 'resources.spec.regions must be an object (got "everywhere")');
    assert.equal(app("8")?.reason, 'resources.spec.routing.idleTimeout must be an integer (got "long")');
    assert.equal(report?.counts.created, fleetSize - 3);
  });

  test("an app with a stored environment is not replayed without the key (it would run without it)", async () => {
    const target = await cluster();
    const result = await resurrectorCommand(["replay", "--database-url", fleetUrl, "--kubeconfig", target.kubeconfig, "--json"], {});
    const report = JSON.parse(result.stdout) as ReplayReport;
    assert.equal(result.code, 1);
    assert.equal(report.counts.failed, fleetSize / 2);
    assert.match(
      report.apps.find((a) => a.resourceId === "2")?.reason ?? "",
      /sealed in the store and no master key was given \(LOCO_RESURRECTOR_KEY\)/,
    );
    assert.equal(report.apps.find((a) => a.resourceId === "1")?.outcome, "created");
  });
});

describe("concurrency", () => {
  for (const concurrency of [4, 16]) {
    test(`at most ${concurrency} requests are in flight at once`, async () => {
      const target = await cluster();
      target.fake.latencyMs = 20;
      const { report } = await replayApi(target, fleetUrl, { concurrency });
      assert.equal(report.counts.created, fleetSize);
      assert.ok(target.fake.stats.maxInFlight <= concurrency, `${target.fake.stats.maxInFlight} in flight`);
      assert.ok(target.fake.stats.maxInFlight >= 2, "the replay does run apps in parallel");
    });
  }
});

describe("refusals before any write (exit 3)", () => {
  test("no Application CRD, or no loco namespace: refused, naming what is missing; nothing written", async () => {
    const noCrd = await cluster({ crd: false });
    const refused = await replayCli(noCrd, fleetUrl);
    assert.equal(refused.result.code, 3);
    assert.match(
      refused.result.stderr,
      /no CustomResourceDefinition applications\.infra\.loco\.io: loco's controller .* --mode objects\nNothing was written\./,
    );
    assert.deepEqual(patches(noCrd.fake), []);

    const noNamespace = await cluster({ locoNamespace: false });
    const missing = await replayCli(noNamespace, fleetUrl);
    assert.equal(missing.result.code, 3);
    assert.match(missing.result.stderr, /namespace loco-system does not exist/);
    assert.deepEqual(patches(noNamespace.fake), []);
  });

  test("mode objects on a cluster without the platform's CRDs is refused, naming the kinds", async () => {
    const fake = await startFakeCluster({ pki, token, platformCrds: false });
    cleanups.push(() => fake.close());
    const kubeconfig = writeKubeconfig(dir, fake.url, pki, { token }, {}, "kubeconfig-bare.yaml");
    const result = await resurrectorCommand(["replay", "--database-url", fleetUrl, "--kubeconfig", kubeconfig, "--mode", "objects"], env);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /does not serve gateway\.networking\.k8s\.io\/v1 HTTPRoute, keda\.sh\/v1alpha1 ScaledObject/);
  });

  test("a database without the resurrector's store, or with a loco schema the adapter does not read", async () => {
    const noStore = await freshDatabase("no_store");
    await withClient(noStore, (client) => loadLocoFixture(client));
    const target = await cluster();
    const withoutStore = await replayCli(target, noStore);
    assert.equal(withoutStore.result.code, 3);
    assert.match(withoutStore.result.stderr, /the resurrector schema is not in this database .*would run broken\nNothing was written\./);
    const newer = await freshDatabase("newer_loco");
    await withClient(newer, async (client) => {
      await loadLocoFixture(client);
      await client.query("CREATE TABLE environments (id uuid PRIMARY KEY)");
    });
    const refused = await replayCli(target, newer);
    assert.equal(refused.result.code, 3);
    assert.match(refused.result.stderr, /environments.*this resurrector reads only loco e08302e/);
    assert.deepEqual(patches(target.fake), []);
  });

  test("an unreachable API, a broken kubeconfig, an unreachable database, an unknown cluster", async () => {
    const target = await cluster();
    await target.fake.close();
    const down = await replayCli(target, fleetUrl);
    assert.equal(down.result.code, 3);
    assert.match(down.result.stderr, /cannot work with the cluster's API at https:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "contexts: {a: b}\n");
    const badConfig = await resurrectorCommand(["replay", "--database-url", fleetUrl, "--kubeconfig", broken], env);
    assert.deepEqual([badConfig.code, /contexts must be a list/.test(badConfig.stderr)], [3, true]);
    const live = await cluster();
    const noDb = await resurrectorCommand(
      ["replay", "--database-url", "postgres://u:secret-pw@127.0.0.1:1/loco", "--kubeconfig", live.kubeconfig],
      env,
    );
    assert.equal(noDb.code, 3);
    assert.doesNotMatch(noDb.stderr, /secret-pw/);
    const unknown = await replayCli(live, fleetUrl, ["--cluster", "nowhere"]);
    assert.equal(unknown.result.code, 3);
    assert.match(unknown.result.stderr, /no cluster named "nowhere"/);
  });
});

describe("dry run", () => {
  test("every apply is a server-side dry run (dryRun=All): validated, nothing stored, reported as what would happen", async () => {
    const target = await cluster();
    const { result, report } = await replayCli(target, fleetUrl, ["--dry-run"]);
    assert.equal(result.code, 0, result.stdout);
    assert.equal(report?.dryRun, true);
    assert.equal(report?.counts.created, fleetSize);
    assert.ok(patches(target.fake).every((r) => new URLSearchParams(r.query).get("dryRun") === "All"));
    assert.deepEqual(target.fake.list("infra.loco.io/v1alpha1", "Application"), []);
    await replayCli(target, fleetUrl);
    const again = await replayCli(target, fleetUrl, ["--dry-run"]);
    assert.equal(again.report?.counts.unchanged, fleetSize);
  });

  test("in mode objects, what lives in a namespace the run would create is reported as not validated", async () => {
    const target = await cluster({ crd: false, locoNamespace: false });
    const { report } = await replayCli(target, fleetUrl, ["--dry-run", "--mode", "objects"]);
    assert.equal(report?.counts.failed, 0);
    const deployment = report?.apps[0].objects.find((o) => o.kind === "Deployment");
    assert.match(deployment?.reason ?? "", /not validated: its namespace w1-app-1 does not exist yet/);
    assert.deepEqual(
      target.fake
        .list("v1", "Namespace")
        .map((n) => (n.metadata as { name: string }).name)
        .sort(),
      ["keda"],
    );
  });
});

describe("the command line", () => {
  test("bad command lines exit 64 and point at --help; the text report names the counts and the failures", async () => {
    for (const args of [
      ["replay"],
      ["replay", "--database-url", "postgres://x@127.0.0.1/x"],
      ["replay", "--database-url", "postgres://x@127.0.0.1/x", "--kubeconfig", "k", "--mode", "everything"],
      ["replay", "--database-url", "postgres://x@127.0.0.1/x", "--kubeconfig", "k", "--concurrency", "0"],
      ["replay", "--database-url", "postgres://x@127.0.0.1/x", "--kubeconfig", "k", "--concurency", "4"],
    ]) {
      const result = await resurrectorCommand(args, {});
      assert.equal(result.code, 64, args.join(" "));
      // One error line (and commander's spelling suggestion, if any), then where the options are: the house convention.
      assert.match(
        result.stderr,
        /^error: [^\n]+\n(\(Did you mean [^\n]+\?\)\n)?Run `npm run resurrector -- replay --help` for the options\.$/,
      );
    }
    const target = await cluster();
    const text = await resurrectorCommand(["replay", "--kubeconfig", target.kubeconfig], { ...env, LOCO_DATABASE_URL: demoUrl });
    assert.equal(text.code, 1);
    assert.match(text.stdout, /^created 4, updated 0, unchanged 0, failed 5, skipped 5; 4 objects, \d+ requests \(0 retries\)/m);
    assert.match(text.stdout, /acme\/internal\/dashboard  121  failed  loco refuses it/);
    assert.match(text.stdout, /5 apps failed \(exit 1\)\.$/);
  });

  test("fleet apps hold their stored environment", async () => {
    const target = await cluster();
    await replayCli(target, fleetUrl);
    const env4 = (application(target.fake, "4")?.spec as { serviceSpec: { deployment: { env?: Record<string, string> } } }).serviceSpec
      .deployment.env;
    assert.deepEqual(env4, fleetEnvironment(4));
    assert.equal(
      (application(target.fake, "3")?.spec as { serviceSpec: { deployment: { env?: unknown } } }).serviceSpec.deployment.env,
      undefined,
    );
  });
});
