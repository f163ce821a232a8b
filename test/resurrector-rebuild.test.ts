/**
 * The rebuilder (resurrector/rebuild/create-rebuilder.ts) end to end: loco's demo database in a real PostgreSQL,
 * the real converger against a fake `pulumi` (test/fake-pulumi.ts), the fake Kubernetes API as the new cluster,
 * a real HTTP webhook. Its safety limits (lock, cooldown, daily maximum, no truth no action), dry run, the recorded
 * phases, and the faults: the database going away mid-rebuild, two rebuilders at once, a crash after each phase,
 * the webhook down, malformed rows.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { generateMasterKey, parseMasterKey } from "../resurrector/crypto/envelope";
import { connectDatabase } from "../resurrector/db/connect";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { loadDemoDatabase, loadLocoFixture } from "../resurrector/demo/demo-database";
import { loadKubeconfig } from "../resurrector/kube/kubeconfig";
import type { Notification } from "../resurrector/notify/notifier";
import { webhookNotifier } from "../resurrector/notify/webhook";
import { createRebuilder, type RebuilderDeps } from "../resurrector/rebuild/create-rebuilder";
import { pulumiConverger, type PlatformConverger } from "../resurrector/rebuild/pulumi-converger";
import type { RebuildRequest } from "../resurrector/rebuild/rebuild-request";
import { phasesOf, rebuildPhases } from "../resurrector/store/rebuild-phases";
import { testPki, writeKubeconfig, type TestPki } from "./fake-kube-api";
import { startFakeCluster, type FakeCluster } from "./fake-kube-cluster";
import { locoApplicationCrd } from "./loco-application-crd";
import { fakePulumi, type FakePulumi } from "./fake-pulumi";

const projectRoot = resolve(__dirname, "..");
const token = "rebuild-token";
const encodedKey = generateMasterKey();
const master = parseMasterKey(encodedKey);
const dir = mkdtempSync(join(tmpdir(), "loco-rebuild-"));
let pki: TestPki;
let server: EmbeddedDatabase;
const cleanups: (() => Promise<void> | void)[] = [];

const locoCrd = locoApplicationCrd();

before(async () => {
  pki = await testPki();
  server = await startEmbeddedPostgres("loco");
});

after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let databases = 0;
/** A database of its own per test: loco's demo rows (good and malformed), the resurrector schema, sealed records. */
async function demoDatabase(options: { demo?: boolean } = {}): Promise<string> {
  const name = `rebuild_${databases++}`;
  const admin = await connectDatabase(server.url);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = server.url.replace(/\/loco$/, `/${name}`);
  const client = await connectDatabase(url);
  try {
    if (options.demo === false) await loadLocoFixture(client);
    else await loadDemoDatabase(client, master, new Date());
  } finally {
    await client.end();
  }
  return url;
}

async function query<T extends object>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = await connectDatabase(url);
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

let kubeconfigs = 0;
/** The new cluster as converge leaves it: loco's namespace and CRD, KEDA's namespace. */
async function newCluster(): Promise<{ fake: FakeCluster; kubeconfig: string }> {
  const fake = await startFakeCluster({ pki, token });
  cleanups.push(() => fake.close());
  fake.installCrd(locoCrd);
  fake.createNamespace("loco-system");
  fake.createNamespace("keda");
  return { fake, kubeconfig: writeKubeconfig(dir, fake.url, pki, { token }, {}, `kubeconfig-${kubeconfigs++}.yaml`) };
}

interface Harness {
  readonly url: string;
  readonly pulumi: FakePulumi;
  readonly cluster: { fake: FakeCluster; kubeconfig: string };
  readonly notifications: Notification[];
  readonly logs: string[];
  /** Generations the rebuild asked to reach. */
  readonly accessed: number[];
  /** URLs verify fetched. */
  readonly fetched: string[];
  rebuilder(overrides?: Partial<RebuilderDeps>): ReturnType<typeof createRebuilder>;
}

async function harness(options: { demo?: boolean; generation?: string } = {}): Promise<Harness> {
  const url = await demoDatabase(options);
  const pulumi = fakePulumi({ stacks: { prod: { "loco:cluster.generation": options.generation ?? "4" } } });
  cleanups.push(() => pulumi.close());
  const cluster = await newCluster();
  const notifications: Notification[] = [];
  const logs: string[] = [];
  const accessed: number[] = [];
  const fetched: string[] = [];
  const base: RebuilderDeps = {
    databaseUrl: url,
    converger: pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root }),
    clusterAccess: {
      target: async (_stack, generation) => {
        accessed.push(generation);
        return loadKubeconfig([cluster.kubeconfig], { timeoutMs: 10_000 });
      },
    },
    notifier: { notify: async (n) => void notifications.push(n) },
    masterKey: master,
    log: (line) => logs.push(line),
    actor: "test",
    replay: { requestTimeoutMs: 10_000, retry: { baseDelayMs: 1, maxDelayMs: 5 } },
    verify: {
      clusterHealth: async () => ({ health: "ok", detail: "every probe ok" }),
      fetch: async (input) => {
        fetched.push(String(input));
        return new Response("ok", { status: 200 });
      },
    },
  };
  return {
    url,
    pulumi,
    cluster,
    notifications,
    logs,
    accessed,
    fetched,
    rebuilder: (overrides = {}) => createRebuilder({ ...base, ...overrides }),
  };
}

const request = (act: boolean, reason = "the cluster is down (test)"): RebuildRequest => ({
  stack: "prod",
  reason,
  evidence: { probes: 5, digitalocean: "cluster gone" },
  act,
});

const commands = (pulumi: FakePulumi) => pulumi.calls().map((c) => c.argv.filter((a) => a !== "--non-interactive").join(" "));
const generationSets = (pulumi: FakePulumi) => commands(pulumi).filter((c) => c.startsWith("config set --path loco:cluster.generation"));
const ups = (pulumi: FakePulumi) => commands(pulumi).filter((c) => c.startsWith("up "));
const applications = (fake: FakeCluster) =>
  fake
    .list("infra.loco.io/v1alpha1", "Application")
    .map((a) => (a.metadata as { name: string }).name)
    .sort();

async function events(url: string): Promise<{ action: string; detail: Record<string, unknown> }[]> {
  return query(url, "SELECT action, detail FROM resurrector.events WHERE subject = 'cluster/prod' ORDER BY id");
}

async function rebuildRows(url: string) {
  return query<{ id: string; state: string; phase: string; reason: string; report: Record<string, unknown> | null }>(
    url,
    "SELECT id, state, phase, reason, report FROM resurrector.rebuilds ORDER BY id",
  );
}

describe("a rebuild that acts", () => {
  test("converges to the next generation, restores certificates, replays the apps, verifies them, and records every phase", async () => {
    const h = await harness();
    const outcome = await h.rebuilder()(request(true));
    assert.equal(outcome.status, "succeeded", outcome.summary);
    assert.match(
      outcome.summary,
      /cluster generation 5; certificates: 1 via config, 1 applied, 0 failed; apps: 4 applied, 5 skipped, 5 failed/,
    );

    assert.deepEqual(generationSets(h.pulumi), ["config set --path loco:cluster.generation --stack prod --plaintext -- 5"]);
    const preserved = commands(h.pulumi).find((c) => c.startsWith("config set loco:preservedCertificates"));
    assert.match(
      preserved ?? "",
      /^config set loco:preservedCertificates --stack prod --secret -- \{"loco-public-tls":\{"tls\.crt":"demo certificate for /,
    );
    assert.deepEqual(
      commands(h.pulumi).filter((c) => /^(refresh|up) /.test(c)),
      ["refresh --skip-preview --yes --exec-kind auto.local --stack prod", "up --yes --skip-preview --exec-kind auto.local --stack prod"],
    );
    assert.ok(
      h.logs.some((l) => l.includes("pulumi: uping (prod)")),
      "the CLI's progress reaches the log",
    );
    assert.deepEqual([...new Set(h.accessed)], [5], "phases 2 to 4 work on the new generation's cluster");

    // Phase 2: the tenant's certificate Secret, in a namespace created for it; the expired one is left out.
    const secret = h.cluster.fake.get("v1", "Secret", "w11-web", "tls-www.acme-shop.com") as {
      type: string;
      metadata: { annotations: object };
    };
    assert.equal(secret.type, "kubernetes.io/tls");
    assert.deepEqual(secret.metadata.annotations, { "cert-manager.io/issuer-kind": "ClusterIssuer" });
    assert.equal(h.cluster.fake.get("v1", "Secret", "loco-gateway", "loco-region-us-east-1-tls"), undefined);

    // Phase 3: the good apps, the malformed rows reported with their reason and the rest replayed.
    assert.deepEqual(applications(h.cluster.fake), ["resource-101", "resource-102", "resource-211", "resource-212"]);
    // Phase 4: each replayed app's primary hostname was asked.
    assert.deepEqual(h.fetched.sort(), [
      "https://api-acme.loco.dev/",
      "https://blog-globex.loco.dev/",
      "https://globex.loco.dev/",
      "https://web.loco.dev/",
    ]);

    const [rebuild] = await rebuildRows(h.url);
    assert.deepEqual([rebuild.state, rebuild.phase, rebuild.reason], ["succeeded", "rebuilt", "the cluster is down (test)"]);
    const phases = await query<{ phase: string; outcome: string; attempts: number; intent: object; report: Record<string, unknown> }>(
      h.url,
      "SELECT phase, outcome, attempts, intent, report FROM resurrector.rebuild_phases ORDER BY started_at",
    );
    assert.deepEqual(
      phases.map((p) => [p.phase, p.outcome, p.attempts]),
      rebuildPhases.map((p) => [p, "completed", 1]),
    );
    assert.deepEqual(phases[0].intent, { fromGeneration: 4, targetGeneration: 5 });
    const replayReport = phases[2].report as { failed: { resourceId: string; reason: string }[] };
    assert.deepEqual(
      replayReport.failed.map((f) => f.resourceId),
      ["105", "106", "107", "108", "121"],
    );
    assert.match(replayReport.failed.find((f) => f.resourceId === "106")?.reason ?? "", /spec\.service\.build\.image is missing/);
    for (const phase of phases) assert.equal(typeof phase.report.durationMs, "number");
    const serialized = JSON.stringify([phases, rebuild, await events(h.url), h.notifications]);
    assert.doesNotMatch(serialized, /demo-session-secret|demo key|ZGVtbyBrZXk/, "no secret in a record, an event or a notification");

    assert.deepEqual(
      (await events(h.url)).map((e) => e.action),
      ["rebuild.started", ...rebuildPhases.flatMap(() => ["rebuild.phase.started", "rebuild.phase.completed"]), "rebuild.finished"],
    );
    assert.deepEqual(
      h.notifications.map((n) => n.kind),
      ["rebuild", ...rebuildPhases.flatMap(() => ["phase", "phase"]), "rebuild"],
    );
    assert.ok(h.notifications.every((n) => n.cluster === "prod" && n.text.startsWith("prod: ")));
  });

  test("the outcome, the final notification and the report name the converged generation and say to commit it", async () => {
    const h = await harness();
    const outcome = await h.rebuilder()(request(true));
    assert.equal(outcome.status, "succeeded", outcome.summary);
    const instruction =
      "stack prod now runs cluster generation 5: commit loco:cluster.generation: 5 to Pulumi.prod.yaml " +
      "(until then the deploy refuses to run rather than replace the rebuilt cluster)";
    assert.equal(outcome.convergedGeneration, 5);
    assert.equal(outcome.nextStep, instruction);
    const final = h.notifications.at(-1);
    assert.equal(final?.text.split("\n")[1], instruction, final?.text);
    const [rebuild] = await rebuildRows(h.url);
    assert.deepEqual([rebuild.report?.convergedGeneration, rebuild.report?.nextStep], [5, instruction]);
  });

  test("a verify that finds routes not answering fails the phase and leaves the rebuild to resume at verify", async () => {
    const h = await harness();
    const down = await h.rebuilder({
      verify: { clusterHealth: async () => ({ health: "ok", detail: "" }), fetch: async () => new Response("", { status: 503 }) },
    })(request(true));
    assert.equal(down.status, "failed");
    assert.match(
      down.summary,
      /paused: phase verify failed \(attempt 1 of 3\): 4 of 4 routes do not answer: .*HTTP 503.*; the next run resumes at verify/,
    );
    assert.equal((await rebuildRows(h.url))[0].state, "running");
    // Converge completed before verify failed: the stack already runs generation 5, so the pause says to commit it.
    assert.match(
      down.nextStep ?? "",
      /^stack prod now runs cluster generation 5: commit loco:cluster\.generation: 5 to Pulumi\.prod\.yaml/,
    );
    assert.match(h.notifications.at(-1)?.text ?? "", /paused: phase verify failed.*\nstack prod now runs cluster generation 5/);
    const again = await h.rebuilder()(request(true));
    assert.equal(again.status, "succeeded", again.summary);
    assert.equal(again.rebuildId, down.rebuildId);
    assert.equal(ups(h.pulumi).length, 1, "the resumed rebuild did not converge again");
  });

  test("a phase that keeps failing is given up after maxPhaseAttempts: the rebuild is marked failed", async () => {
    const h = await harness();
    const unhealthy = h.rebuilder({
      limits: { maxPhaseAttempts: 2 },
      verify: {
        clusterHealth: async () => ({ health: "down", detail: "nodes: 0 of 3 Ready" }),
        fetch: async () => new Response("ok", { status: 200 }),
      },
    });
    assert.match((await unhealthy(request(true))).summary, /attempt 1 of 2/);
    const last = await unhealthy(request(true));
    assert.match(
      last.summary,
      /failed: phase verify failed 2 times \(at most 2\): the cluster is down: nodes: 0 of 3 Ready; a person must look at it/,
    );
    const [rebuild] = await rebuildRows(h.url);
    assert.deepEqual([rebuild.state, rebuild.phase], ["failed", "stopped: verifying apps answer failed"]);
  });
});

describe("dry run", () => {
  test("records and notifies what each phase would do, and changes nothing", async () => {
    const h = await harness();
    const outcome = await h.rebuilder()(request(false));
    assert.equal(outcome.status, "dry-run");
    assert.match(
      outcome.summary,
      /converge: would set loco:cluster\.generation of stack prod from 4 to 5, pass loco-public-tls through loco:preservedCertificates/,
    );
    assert.match(
      outcome.summary,
      /certificates: would restore 1 certificate Secrets by server-side apply \(1 more go through converge's config, 1 expired are left\)/,
    );
    assert.match(outcome.summary, /replay: would replay 14 apps of loco's cluster/);
    assert.match(outcome.summary, /nothing was changed \(act needs --act and LOCO_RESURRECTOR_ACT=true\)/);
    assert.deepEqual(
      // Reading the generation (config get, stack output) changes nothing.
      commands(h.pulumi).filter(
        (c) => !c.startsWith("version") && !c.startsWith("stack select") && !c.startsWith("config get") && !c.startsWith("stack output"),
      ),
      [],
      "no config set, no refresh, no up",
    );
    assert.deepEqual(h.accessed, [], "the cluster was not touched");
    assert.deepEqual(await rebuildRows(h.url), []);
    assert.deepEqual(
      (await events(h.url)).map((e) => e.action),
      ["rebuild.dry-run"],
    );
    assert.equal(h.notifications.filter((n) => n.kind === "phase").length, 4);
  });
  test("of an unfinished rebuild: says where it would resume, and skips what is completed", async () => {
    const h = await harness();
    const crash = new Error("simulated crash after converge");
    await assert.rejects(h.rebuilder({ onPhaseCompleted: () => Promise.reject(crash) })(request(true)), crash);
    const [unfinished] = await rebuildRows(h.url);
    const outcome = await h.rebuilder()(request(false));
    assert.equal(outcome.status, "dry-run");
    assert.match(
      outcome.summary,
      new RegExp(`^dry run: would resume rebuild ${unfinished.id} at certificates; certificates: would restore`),
    );
    assert.doesNotMatch(outcome.summary, /converge: would/);
    assert.equal((await rebuildRows(h.url))[0].state, "running", "the dry run changed nothing");
  });
});

describe("a stack the Pulumi backend does not know", () => {
  test("a dry run says it cannot tell what converge would do; acting stops before converge changes anything", async () => {
    const h = await harness();
    const staging = { ...request(false), stack: "staging" };
    const dry = await h.rebuilder()(staging);
    assert.equal(dry.status, "dry-run");
    assert.match(
      dry.summary,
      /converge: would run, but cannot tell what it would do: cannot select stack staging in .*no stack named 'staging' found;/,
    );
    const acted = await h.rebuilder()({ ...staging, act: true });
    assert.equal(acted.status, "failed");
    assert.match(
      acted.summary,
      /^rebuild \d+ paused: phase converge could not start \(cannot select stack staging .*\); nothing was changed by it and the next run resumes at converge$/,
    );
    assert.deepEqual(generationSets(h.pulumi), []);
    assert.deepEqual(h.accessed, []);
  });
});

describe("safety limits", () => {
  test("no truth, no action: a database whose loco schema the adapter refuses is refused before anything changes", async () => {
    const h = await harness();
    await query(h.url, "CREATE TABLE environments (id uuid PRIMARY KEY)");
    const outcome = await h.rebuilder()(request(true));
    assert.equal(outcome.status, "refused");
    assert.match(outcome.summary, /^no truth, no action: loco's database cannot be read \(.*environments.*\); nothing was changed$/);
    assert.deepEqual(generationSets(h.pulumi), []);
    assert.deepEqual(await rebuildRows(h.url), []);
    assert.equal(h.notifications.at(-1)?.kind, "decision");
  });

  test("no truth, no action: an unreachable database is refused in one line, without its password", async () => {
    const h = await harness();
    const outcome = await h.rebuilder({ databaseUrl: "postgres://loco:hunter2@127.0.0.1:1/loco" })(request(true));
    assert.equal(outcome.status, "refused");
    assert.match(
      outcome.summary,
      /^no truth, no action: loco's database cannot be reached \(cannot connect to the database at 127\.0\.0\.1:1\/loco/,
    );
    assert.doesNotMatch(outcome.summary, /hunter2|\n/);
    assert.deepEqual(generationSets(h.pulumi), []);
  });

  test("a CLI too old refuses before the database is even read", async () => {
    const h = await harness();
    const old = fakePulumi({ version: "v3.100.0" });
    cleanups.push(() => old.close());
    const outcome = await h.rebuilder({ converger: pulumiConverger({ workDir: projectRoot, pulumiRoot: old.root }) })(request(true));
    assert.equal(outcome.status, "refused");
    assert.match(outcome.summary, /is 3\.100\.0; a rebuild needs 3\.208\.0 or newer/);
    assert.deepEqual(await events(h.url), []);
  });

  test("cooldown after a rebuild, then the daily maximum, counted from resurrector.rebuilds", async () => {
    const h = await harness();
    let now = new Date();
    const rebuilder = h.rebuilder({ clock: () => now, limits: { cooldownMinutes: 30, maxPerDay: 2 } });
    assert.equal((await rebuilder(request(true))).status, "succeeded");
    now = new Date(now.getTime() + 10 * 60_000);
    const cooling = await rebuilder(request(true));
    assert.equal(cooling.status, "refused");
    assert.match(cooling.summary, /^cooldown: the last rebuild finished at .*, another may start in 2\d min \(cooldown 30 min\)$/);
    now = new Date(now.getTime() + 25 * 60_000);
    assert.equal((await rebuilder(request(true))).status, "succeeded");
    now = new Date(now.getTime() + 60 * 60_000);
    const maxed = await rebuilder(request(true));
    assert.match(maxed.summary, /^daily maximum: 2 rebuilds started in the last 24 hours \(at most 2\)$/);
    const refusal = (await events(h.url)).filter((e) => e.action === "rebuild.refused");
    assert.equal(refusal.length, 2);
    assert.deepEqual(refusal[1].detail.evidence, { probes: 5, digitalocean: "cluster gone" }, "the decision is recorded with its evidence");
  });

  test("acting without LOCO_RESURRECTOR_KEY while sealed records exist is refused", async () => {
    const h = await harness();
    const outcome = await h.rebuilder({ masterKey: undefined })(request(true));
    assert.match(
      outcome.summary,
      /^LOCO_RESURRECTOR_KEY is not set: 5 environments and 3 certificates are sealed and could not be restored$/,
    );
  });
});

describe("faults", () => {
  test("two rebuilders at once: exactly one converges, the other is refused and resumes nothing", async () => {
    const h = await harness();
    const real = pulumiConverger({ workDir: projectRoot, pulumiRoot: h.pulumi.root });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const converging = new Promise<void>((resolve) => (entered = resolve));
    const slow: PlatformConverger = {
      ...real,
      converge: async (stack, args) => {
        entered();
        await held;
        return real.converge(stack, args);
      },
    };
    const first = h.rebuilder({ converger: slow })(request(true));
    await converging;
    const second = await h.rebuilder()(request(true));
    release();
    assert.equal(second.status, "refused");
    assert.match(second.summary, /another resurrector holds the rebuild lock of prod .*nothing was started or resumed/);
    assert.equal((await first).status, "succeeded");
    assert.equal(ups(h.pulumi).length, 1);
    assert.equal((await rebuildRows(h.url)).length, 1);
  });

  for (const crashAfter of rebuildPhases) {
    test(`a crash after phase ${crashAfter}: the next run resumes at the phase after it and never bumps the generation again`, async () => {
      const h = await harness();
      const crash = new Error(`simulated crash after ${crashAfter}`);
      await assert.rejects(
        h.rebuilder({
          onPhaseCompleted: (phase) => {
            if (phase === crashAfter) throw crash;
          },
        })(request(true)),
        crash,
      );
      const [crashed] = await rebuildRows(h.url);
      assert.equal(crashed.state, "running", "the crashed rebuild is left resumable");

      const resumed = await h.rebuilder()(request(true, "resumed by the test"));
      assert.equal(resumed.status, "succeeded", resumed.summary);
      assert.equal(resumed.rebuildId, crashed.id);
      assert.deepEqual(generationSets(h.pulumi), ["config set --path loco:cluster.generation --stack prod --plaintext -- 5"]);
      assert.equal(ups(h.pulumi).length, 1);
      const phases = await phasesOf(await connectForTest(h.url), crashed.id);
      assert.deepEqual(
        phases.map((p) => [p.phase, p.outcome, p.attempts]),
        rebuildPhases.map((p) => [p, "completed", 1]),
        "no completed phase ran twice",
      );
      const started = (await events(h.url)).filter((e) => e.action === "rebuild.phase.started").map((e) => e.detail.phase);
      assert.deepEqual(started, rebuildPhases, "every phase started exactly once over both runs");
      assert.equal((await events(h.url)).filter((e) => e.action === "rebuild.resumed").length, 1);
    });
  }

  test("the database going away mid-rebuild: the rebuild stops cleanly, and the next run resumes without converging again", async () => {
    const h = await harness();
    let terminated = false;
    const outcome = await h.rebuilder({
      clusterAccess: {
        target: async (_stack, generation) => {
          if (!terminated) {
            terminated = true;
            // Every session of the resurrector ends, the lock's among them, as when the database restarts.
            await query(
              h.url,
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'loco-resurrector' AND pid <> pg_backend_pid()",
            );
          }
          h.accessed.push(generation);
          return loadKubeconfig([h.cluster.kubeconfig], { timeoutMs: 10_000 });
        },
      },
    })(request(true));
    assert.equal(outcome.status, "failed");
    assert.match(
      outcome.summary,
      /paused: lost loco's database while recording phase certificates: .*the next run resumes at certificates$/,
    );
    assert.doesNotMatch(outcome.summary, /\n/);
    const [paused] = await rebuildRows(h.url);
    assert.equal(paused.state, "running");

    const resumed = await h.rebuilder()(request(true));
    assert.equal(resumed.status, "succeeded", resumed.summary);
    assert.equal(resumed.rebuildId, paused.id);
    assert.equal(ups(h.pulumi).length, 1);
    const phases = await phasesOf(await connectForTest(h.url), paused.id);
    assert.deepEqual(
      phases.map((p) => [p.phase, p.attempts]),
      [
        ["converge", 1],
        ["certificates", 2],
        ["replay", 1],
        ["verify", 1],
      ],
    );
  });

  test("the webhook down: the rebuild goes on, each failed delivery is one log line that does not show the URL", async () => {
    const h = await harness();
    const closed = await freePort();
    const lines: string[] = [];
    const outcome = await h.rebuilder({
      notifier: webhookNotifier(`http://127.0.0.1:${closed}/hooks/T000/B000/s3cr3t-token`, { timeoutMs: 2_000, log: (l) => lines.push(l) }),
    })(request(true));
    assert.equal(outcome.status, "succeeded", outcome.summary);
    assert.equal(lines.length, 10, lines.join("\n"));
    for (const line of lines) {
      assert.match(
        line,
        /^notify: the alert webhook at 127\.0\.0\.1:\d+ failed \(ECONNREFUSED\); the (rebuild|phase) notification was not delivered$/,
      );
      assert.doesNotMatch(line, /s3cr3t-token|hooks/);
    }
  });

  test("a rebuild of a database with only loco's tables (never migrated) is refused with what to run", async () => {
    const h = await harness({ demo: false });
    const outcome = await h.rebuilder()(request(true));
    assert.match(
      outcome.summary,
      /resurrector's schema is at version 0, a rebuild records its phases from version 3: run `npm run resurrector -- migrate` first/,
    );
  });
});

describe("the webhook", () => {
  test("POSTs { text, cluster, kind, details } as JSON; a slow receiver is cut off at the timeout", async () => {
    const received: { body: unknown; type: string | undefined }[] = [];
    let delayMs = 0;
    const receiver: Server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received.push({ body: JSON.parse(body), type: req.headers["content-type"] });
        setTimeout(() => res.end("ok"), delayMs);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    const port = (receiver.address() as AddressInfo).port;
    const lines: string[] = [];
    const notifier = webhookNotifier(`http://127.0.0.1:${port}/hook?token=abc`, { timeoutMs: 300, log: (l) => lines.push(l) });
    await notifier.notify({ cluster: "prod", kind: "phase", text: "prod: phase converge completed", details: { phase: "converge" } });
    assert.deepEqual(received, [
      {
        body: { text: "prod: phase converge completed", cluster: "prod", kind: "phase", details: { phase: "converge" } },
        type: "application/json",
      },
    ]);
    assert.deepEqual(lines, []);
    delayMs = 2_000;
    await notifier.notify({ cluster: "prod", kind: "rebuild", text: "slow" });
    assert.deepEqual(lines, [
      `notify: the alert webhook at 127.0.0.1:${port} failed (no answer within 300 ms); the rebuild notification was not delivered`,
    ]);
  });

  test("an error status is logged, not thrown", async () => {
    const lines: string[] = [];
    const notifier = webhookNotifier("https://hooks.example/secret-path", {
      log: (l) => lines.push(l),
      fetch: async () => new Response("no", { status: 404 }),
    });
    await notifier.notify({ cluster: "dev", kind: "decision", text: "x" });
    assert.deepEqual(lines, ["notify: the alert webhook at hooks.example answered HTTP 404; the decision notification was not delivered"]);
  });
});

async function connectForTest(url: string) {
  const client = await connectDatabase(url);
  cleanups.push(() => client.end());
  return client;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
