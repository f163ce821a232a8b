/**
 * `npm run bench:resurrector -- replay`: how long the tenant replay takes for 1,000 and 10,000 apps, against the
 * fake Kubernetes API (in its own process, 5 ms of latency on every request) at concurrency 16, in mode
 * application (one Application per app, the default). Target: 10,000 apps in under 30 s, growing no worse than
 * linearly. Each replay is a fresh process, as one `replay` invocation is: read the snapshot,
 * build every Application (environments opened with the key), check the cluster, list what is there, apply. Each
 * size runs twice against the same cluster: onto an empty one (all created), then again (all unchanged).
 *
 * Also prints the modeled time from "cluster gone" to "every app serving": the offline plan's critical path for
 * prod (summary.json) plus the replay. Figures, not assertions: the tests never time anything. Everything it
 * starts (the database, the API server, the replay processes, temporary files) goes away at the end, also on
 * failure or Ctrl-C (bench/cleanup.ts).
 */
import { fork, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { done, type CommandResult } from "../lib/command-result";
import { generateMasterKey, parseMasterKey } from "../resurrector/crypto/envelope";
import { connectDatabase } from "../resurrector/db/connect";
import { startEmbeddedPostgres } from "../resurrector/db/embedded-postgres";
import { readClusterSnapshot } from "../resurrector/db/read-snapshot";
import { loadKubeconfig } from "../resurrector/kube/kubeconfig";
import { replayTenants } from "../resurrector/replay/replay-tenants";
import { loadFleet } from "../test/loco-fleet";
import { runChild, type Cleanup } from "./cleanup";
import type { FakeClusterReady, FakeClusterStats } from "./fake-cluster-child";

const sizes = [1_000, 10_000];
const latencyMs = 5;
const concurrency = 16;

interface ReplayRun {
  readonly readMs: number;
  readonly desiredMs: number;
  readonly applyMs: number;
  /** From the start of the replay (desired state) to its report. */
  readonly replayMs: number;
  readonly totalMs: number;
  readonly cpuMs: number;
  readonly created: number;
  readonly unchanged: number;
  readonly failed: number;
  readonly requests: number;
  readonly retries: number;
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
}

/** In the child: one replay, as one `replay` invocation makes it, and this process's peak RSS. */
async function child(url: string, kubeconfig: string, encodedKey: string): Promise<void> {
  const baselineRssMiB = process.resourceUsage().maxRSS / 1024;
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const client = await connectDatabase(url);
  const snapshot = await readClusterSnapshot(client);
  await client.end();
  const read = performance.now();
  const report = await replayTenants({
    snapshot,
    target: await loadKubeconfig([kubeconfig], { timeoutMs: 30_000 }),
    environment: "prod",
    masterKey: parseMasterKey(encodedKey),
    concurrency,
  });
  const cpu = process.cpuUsage(cpuStarted);
  const result: ReplayRun = {
    readMs: read - started,
    desiredMs: report.timings.desiredMs,
    applyMs: report.timings.preflightMs + report.timings.listMs + report.timings.applyMs,
    replayMs: report.durationMs,
    totalMs: performance.now() - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    created: report.counts.created,
    unchanged: report.counts.unchanged,
    failed: report.counts.failed,
    requests: report.counts.requests,
    retries: report.counts.retries,
    baselineRssMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(result));
}

/** One replay in a fresh process; the key travels in its environment, not on its command line. */
async function replayChild(cleanup: Cleanup, url: string, kubeconfig: string, encodedKey: string): Promise<ReplayRun> {
  const output = await runChild(cleanup, process.execPath, ["--import", "tsx", __filename, "--child", url, kubeconfig], {
    env: { ...process.env, LOCO_RESURRECTOR_KEY: encodedKey },
  });
  if (output.status !== 0) throw new Error(`the replay process failed: ${output.stderr}`);
  return JSON.parse(output.stdout) as ReplayRun;
}

/** The fake API server in a process of its own. */
async function startServer(cleanup: Cleanup, dir: string): Promise<{ process: ChildProcess; ready: FakeClusterReady }> {
  const server = fork(join(__dirname, "fake-cluster-child.ts"), [dir, String(latencyMs)], {
    execArgv: ["--import", "tsx"],
    stdio: "inherit",
  });
  const forget = cleanup.add(() => {
    server.kill("SIGTERM");
  });
  server.once("exit", forget);
  const ready = await new Promise<FakeClusterReady>((resolve, reject) => {
    server.once("message", (message) => resolve(message as FakeClusterReady));
    server.once("exit", (code) => reject(new Error(`the fake API server exited with ${code}`)));
  });
  return { process: server, ready };
}

function serverStats(server: ChildProcess): Promise<FakeClusterStats> {
  return new Promise((resolve) => {
    server.once("message", (message) => resolve(message as FakeClusterStats));
    server.send("stats");
  });
}

/** The offline plan's critical path for prod, from its summary.json. */
async function platformCriticalPath(cleanup: Cleanup): Promise<{ minutes: number; steps: number }> {
  const out = cleanup.temporaryDirectory("loco-bench-plan-");
  const output = await runChild(cleanup, process.execPath, [
    "--import",
    "tsx",
    join(__dirname, "..", "cli", "plan.ts"),
    "--stack",
    "prod",
    "--out",
    out,
  ]);
  if (output.status !== 0) throw new Error(`the offline plan of prod failed: ${output.stderr}`);
  const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
    criticalPath: { estimatedMinutes: number; steps: unknown[] };
  };
  return { minutes: summary.criticalPath.estimatedMinutes, steps: summary.criticalPath.steps.length };
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);

export async function replayBenchmark(cleanup: Cleanup): Promise<CommandResult> {
  const encodedKey = generateMasterKey();
  const master = parseMasterKey(encodedKey);
  process.stderr.write("starting an embedded PostgreSQL...\n");
  const database = await startEmbeddedPostgres("bench");
  cleanup.add(() => database.stop());
  const dir = cleanup.temporaryDirectory("loco-bench-replay-");
  const rows: { n: number; pass: string; replay: ReplayRun; server: FakeClusterStats }[] = [];
  let validated = false;
  for (const n of sizes) {
    const admin = await connectDatabase(database.url);
    await admin.query(`CREATE DATABASE bench_replay_${n}`);
    await admin.end();
    const url = database.url.replace(/\/bench$/, `/bench_replay_${n}`);
    const loader = await connectDatabase(url);
    await loadFleet(loader, n, master);
    await loader.end();
    const server = await startServer(cleanup, dir);
    validated = server.ready.validated;
    for (const pass of ["empty cluster", "again"]) {
      const replay = await replayChild(cleanup, url, server.ready.kubeconfig, encodedKey);
      rows.push({ n, pass, replay, server: await serverStats(server.process) });
      server.process.send("reset");
      process.stderr.write(`${n} apps, ${pass}: replayed in ${fixed(replay.replayMs / 1000, 1)} s\n`);
    }
    server.process.send("stop");
  }
  const critical = await platformCriticalPath(cleanup);

  const header = [
    "apps",
    "run",
    "read ms",
    "desired ms",
    "apply ms",
    "replay s",
    "req/s",
    "created",
    "unchanged",
    "failed",
    "CPU s",
    "peak RSS MiB",
    "server CPU s",
    "max in flight",
  ];
  const table = rows.map(({ n, pass, replay, server }) => [
    String(n),
    pass,
    fixed(replay.readMs),
    fixed(replay.desiredMs),
    fixed(replay.applyMs),
    fixed(replay.replayMs / 1000, 2),
    fixed(replay.requests / (replay.applyMs / 1000)),
    String(replay.created),
    String(replay.unchanged),
    String(replay.failed),
    fixed(replay.cpuMs / 1000, 1),
    fixed(replay.peakRssMiB),
    fixed(server.cpuMs / 1000, 1),
    String(server.maxInFlight),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i])).join("  ");
  console.log(
    `Tenant replay, mode application, concurrency ${concurrency}, fake API server in its own process with ${latencyMs} ms per request` +
      `${validated ? ", every Application checked against loco's CRD" : ""} (node ${process.version})`,
  );
  console.log(line(header));
  for (const row of table) console.log(line(row));
  const first = (n: number) => rows.find((r) => r.n === n && r.pass === "empty cluster") as (typeof rows)[number];
  const [small, large] = sizes.map(first);
  const growth = sizes[1] / sizes[0];
  console.log(
    `ratio ${sizes[1]}/${sizes[0]} (${growth}x the apps): replay time ${fixed(large.replay.replayMs / small.replay.replayMs, 1)}x, ` +
      `memory over baseline ${fixed((large.replay.peakRssMiB - large.replay.baselineRssMiB) / (small.replay.peakRssMiB - small.replay.baselineRssMiB), 1)}x`,
  );
  const seconds = large.replay.replayMs / 1000;
  console.log(
    `target: ${sizes[1]} apps in under 30 s at concurrency ${concurrency}: ${seconds < 30 ? "met" : "NOT met"} (${fixed(seconds, 1)} s)`,
  );
  const modeled = critical.minutes + (large.replay.readMs + large.replay.replayMs) / 60_000;
  console.log(
    `modeled "cluster gone" to "every app serving" (${sizes[1]} apps): platform critical path ${fixed(critical.minutes, 1)} min ` +
      `(prod, ${critical.steps} steps, offline plan summary.json) + replay ${fixed((large.replay.readMs + large.replay.replayMs) / 1000, 1)} s ` +
      `= ${fixed(modeled, 1)} min; not modeled: loco's controller turning Applications into pods, image pulls, readiness`,
  );
  console.log(
    `load average while measuring: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(", ")} on ${cpus().length} cores`,
  );
  return done("");
}

if (require.main === module && process.argv[2] === "--child") {
  const [, , , url, kubeconfig] = process.argv;
  child(url, kubeconfig, process.env.LOCO_RESURRECTOR_KEY ?? "").catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  });
}
