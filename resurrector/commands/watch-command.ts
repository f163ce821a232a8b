/**
 * `watch`: probes the guarded cluster on an interval, records each probe, and decides (resurrector/watch/). Dry run
 * unless the operator turns the key twice: `--act` on the command line AND LOCO_RESURRECTOR_ACT=true in the
 * environment; with one of them only, every rebuild decision reaches the Rebuilder with act=false.
 *
 * The Rebuilder is the rebuild's own (`createRebuilder`, wired from the worker's environment exactly as `rebuild`
 * wires it), so a watch's rebuild obeys the same lock, cooldown and daily maximum and leaves the same records.
 * Decisions are notified to LOCO_ALERT_WEBHOOK_URL when it is set, and always written to stderr.
 * Stops on SIGTERM or SIGINT after the cycle under way.
 * Exit codes: 0 stopped on a signal (or `--once` ran a cycle that could read the database), 1 could not start, or
 * `--once` and loco's database could not be read (refuse), 64 bad command line.
 */
import { DatabaseUnavailableError } from "../db/connect";
import { createDatabasePool } from "../db/pool";
import type { Notifier } from "../notify/notifier";
import { webhookNotifier } from "../notify/webhook";
import { createRebuilder } from "../rebuild/create-rebuilder";
import type { Rebuilder } from "../rebuild/rebuild-request";
import { actVariable, rebuilderDepsFromEnvironment, RebuilderSetupError } from "../rebuild/rebuilder-from-environment";
import { clusterProbe, guardedClusterTarget } from "../watch/cluster-probe";
import { askDigitalOcean, DigitalOceanApiError, DigitalOceanClient } from "../watch/digitalocean-clusters";
import type { WatchPolicy } from "../watch/watch-decision";
import { runWatch, type CycleReport, type SnapshotHook, type WatchClock } from "../watch/watch-loop";
import { watchSnapshot } from "../watch/watch-snapshot";
import { masterKeyFromEnvironment, masterKeyVariable } from "./master-key";
import { failure, type CommandResult } from "./result";

/** The second key of acting (the first is `--act`), the same as `rebuild`'s. */
export { actVariable };

/** Whether the operator turned both keys. */
export const actsFor = (actFlag: boolean, env: NodeJS.ProcessEnv): boolean => actFlag && env[actVariable] === "true";

export interface WatchCommandOptions {
  readonly stack: string;
  readonly databaseUrl: string;
  readonly digitaloceanToken: string;
  readonly intervalSeconds: number;
  readonly policy: WatchPolicy;
  readonly act: boolean;
  readonly once: boolean;
  readonly json: boolean;
  readonly kubeconfigPaths?: readonly string[];
  readonly context?: string;
  readonly publicUrl?: URL;
  readonly timeoutMs: number;
}

export interface WatchCommandHooks {
  /** @default createRebuilder, wired from the environment as `rebuild` wires it */
  readonly rebuilder?: Rebuilder;
  /** @default the webhook at LOCO_ALERT_WEBHOOK_URL when set, and one line per notification on stderr */
  readonly notifier?: Notifier;
  /** @default the guarded cluster's snapshot (watch-snapshot.ts) when LOCO_RESURRECTOR_KEY is set, else none */
  readonly snapshot?: SnapshotHook;
  readonly print?: { out(line: string): void; err(line: string): void };
  /** Aborts the watch; by default SIGTERM and SIGINT do. */
  readonly signal?: AbortSignal;
}

const realClock: WatchClock = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

/** One line per cycle for a person reading the worker's log. */
export function formatCycle(report: CycleReport): string {
  const parts = [
    report.at.toISOString(),
    `probe ${report.probe.health} (public endpoint ${report.probe.publicEndpoint})`,
    report.truth.readable ? `state ${report.state}` : "database unreadable",
    ...(report.secondSource ? [`DigitalOcean: ${report.secondSource.kind}`] : []),
    report.decision.kind === "nothing" ? "nothing to do" : `${report.decision.kind}: ${report.decision.reason}`,
    ...(report.outcome ? [`rebuilder: ${report.outcome.status}: ${report.outcome.summary}`] : []),
    ...(report.outcome?.nextStep ? [`next step: ${report.outcome.nextStep}`] : []),
    ...(report.snapshot ? [`snapshot: ${report.snapshot}`] : []),
  ];
  return parts.join(" | ");
}

function stopSignal(): { signal: AbortSignal; received: () => string | undefined; release(): void } {
  const controller = new AbortController();
  let received: string | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    received = name;
    controller.abort();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  return {
    signal: controller.signal,
    received: () => received,
    release: () => {
      process.removeListener("SIGTERM", onSignal);
      process.removeListener("SIGINT", onSignal);
    },
  };
}

class SnapshotKeyError extends Error {}

/** The key the hourly snapshot seals under; a malformed one stops the watch at start, naming the variable only. */
function snapshotKey(env: NodeJS.ProcessEnv) {
  try {
    return masterKeyFromEnvironment(env);
  } catch (error) {
    throw new SnapshotKeyError((error as Error).message);
  }
}

export async function watchCommand(
  options: WatchCommandOptions,
  env: NodeJS.ProcessEnv,
  hooks: WatchCommandHooks = {},
): Promise<CommandResult> {
  // --once answers like any other command, in its result; a running watch streams its lines as they come.
  const collected = { out: [] as string[], err: [] as string[] };
  const print =
    hooks.print ??
    (options.once
      ? { out: (line: string) => collected.out.push(line), err: (line: string) => collected.err.push(line) }
      : { out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`) });
  const webhook = env.LOCO_ALERT_WEBHOOK_URL ? webhookNotifier(env.LOCO_ALERT_WEBHOOK_URL, { log: print.err }) : undefined;
  const notifier: Notifier = hooks.notifier ?? {
    notify: async (n) => {
      print.err(`notify: ${n.text}`);
      await webhook?.notify(n);
    },
  };
  let digitalocean: DigitalOceanClient;
  let rebuilder: Rebuilder;
  let snapshot: SnapshotHook | undefined;
  let pool;
  try {
    digitalocean = new DigitalOceanClient({ token: options.digitaloceanToken, timeoutMs: options.timeoutMs });
    rebuilder =
      hooks.rebuilder ??
      createRebuilder(
        // The watch's --kubeconfig is the guarded (old) cluster's: the new one is found through DigitalOcean.
        rebuilderDepsFromEnvironment(env, { databaseUrl: options.databaseUrl, requireClusterAccess: options.act, log: print.err }),
      );
    const masterKey = snapshotKey(env);
    const access = { stack: options.stack, kubeconfigPaths: options.kubeconfigPaths, context: options.context, digitalocean };
    snapshot =
      hooks.snapshot ??
      (masterKey &&
        watchSnapshot({
          databaseUrl: options.databaseUrl,
          masterKey,
          target: () => guardedClusterTarget({ ...access, timeoutMs: options.timeoutMs }),
          timeoutMs: options.timeoutMs,
        }));
    if (!snapshot) print.err(`No hourly snapshot: ${masterKeyVariable} is not set, and snapshots are sealed under it.`);
    pool = createDatabasePool(options.databaseUrl, { applicationName: "loco-resurrector-watch", max: 2 });
  } catch (error) {
    const setup =
      error instanceof RebuilderSetupError ||
      error instanceof DigitalOceanApiError ||
      error instanceof DatabaseUnavailableError ||
      error instanceof SnapshotKeyError;
    if (!setup) throw error;
    return failure(1, `resurrector watch: ${(error as Error).message}`);
  }
  const stop = hooks.signal ? undefined : stopSignal();
  const signal = hooks.signal ?? (stop as { signal: AbortSignal }).signal;
  if (!options.act)
    print.err(`Dry run: rebuild decisions are recorded and notified, nothing is changed (acting needs --act and ${actVariable}=true).`);
  let last: CycleReport | undefined;
  try {
    const openPool = pool;
    const cycles = await runWatch(
      {
        stack: options.stack,
        policy: options.policy,
        act: options.act,
        probe: clusterProbe({
          stack: options.stack,
          kubeconfigPaths: options.kubeconfigPaths,
          context: options.context,
          publicUrl: options.publicUrl,
          timeoutMs: options.timeoutMs,
          digitalocean,
          now: () => new Date(),
        }),
        askSecondSource: () => askDigitalOcean(digitalocean, options.stack),
        database: async () => {
          const client = await openPool.connect();
          return { client, release: (broken) => client.release(broken === true) };
        },
        rebuilder,
        notifier,
        snapshot,
        clock: realClock,
        log: print.err,
      },
      {
        intervalMs: options.intervalSeconds * 1000,
        once: options.once,
        signal,
        onCycle: (report) => {
          last = report;
          print.out(options.json ? JSON.stringify(report) : formatCycle(report));
        },
      },
    );
    if (options.once) {
      const refused = last !== undefined && !last.truth.readable;
      if (refused) collected.err.push(`resurrector watch: ${last?.decision.reason || "loco's database cannot be read"}`);
      return { code: refused ? 1 : 0, stdout: collected.out.join("\n"), stderr: collected.err.join("\n") };
    }
    return { code: 0, stdout: "", stderr: `Stopped on ${stop?.received() ?? "request"} after ${cycles} cycles.` };
  } finally {
    stop?.release();
    await pool.end().catch(() => undefined);
  }
}
