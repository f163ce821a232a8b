/**
 * The watch: every interval, probe the guarded cluster, record the probe in loco's database, apply the decision
 * core (watch-decision.ts) and do what it says: append the decision with its evidence to `resurrector.events`,
 * notify it, and on a rebuild call the injected {@link Rebuilder} (with `act` only when the operator gave both keys).
 * Hourly, it calls the snapshot hook. Everything it talks to is injected, so tests drive it with a fake clock and
 * fake probes on a real PostgreSQL.
 *
 * Nothing here throws out of a cycle: a probe that fails is a down result, a database that fails is "no truth"
 * (refuse), a notifier or snapshot that fails is logged, and the next cycle runs.
 */
import { hostname } from "node:os";
import type { ClientBase } from "pg";
import { requireSupportedLocoSchema } from "../db/loco-schema";
import type { Notifier } from "../notify/notifier";
import type { RebuildOutcome, Rebuilder } from "../rebuild/rebuild-request";
import type { CheckResult } from "../status/probes";
import { recordEvent } from "../store/events";
import { ProbeRecordError, recordProbes } from "../store/probe-history";
import { cycleProbe, probeRecords } from "./cycle-probe";
import {
  advanceWatch,
  decide,
  downSustained,
  foldProbes,
  initialMemory,
  type CycleProbe,
  type Decision,
  type PreviousDecision,
  type SecondSourceAnswer,
  type Truth,
  type WatchMemory,
  type WatchPolicy,
} from "./watch-decision";
import { decisionAction, lastDecision, rebuildOutcomeAction, recordedCycles, watchSubject } from "./watch-history";

/** One connection to loco's database, for one cycle. */
export interface DatabaseSession {
  readonly client: ClientBase;
  /** `broken`: the connection failed and must not be reused (pg's `release(error)`). */
  release(broken?: boolean): void;
}

/** Called hourly while the database can be read (snapshotCluster once it lands); resolves to one line for the log. */
export type SnapshotHook = (at: Date) => Promise<string>;

export interface WatchClock {
  now(): Date;
  /** Resolves after `ms`, or as soon as `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export interface WatchDependencies {
  /** The guarded platform stack, e.g. "prod". */
  readonly stack: string;
  readonly policy: WatchPolicy;
  /** True only when the operator asked for it twice (`--act` and LOCO_RESURRECTOR_ACT=true): the Rebuilder's `act`. */
  readonly act: boolean;
  /** The cycle's `status` checks; never throws (a probe that cannot run is a down result, or absent). */
  readonly probe: () => Promise<readonly CheckResult[]>;
  /** DigitalOcean's view of the cluster; asked only while the cluster is down and the streak sustained. */
  readonly askSecondSource: () => Promise<SecondSourceAnswer>;
  /** A connection for one cycle; rejects when the database cannot be reached. */
  readonly database: () => Promise<DatabaseSession>;
  readonly rebuilder: Rebuilder;
  readonly notifier: Notifier;
  /** @default none: nothing is snapshotted */
  readonly snapshot?: SnapshotHook;
  /**
   * How often the snapshot hook runs, in milliseconds.
   * @default 3600000 (hourly)
   */
  readonly snapshotEveryMs?: number;
  readonly clock: WatchClock;
  /** One line per event worth a log line (failures of the notifier, the snapshot, the events table). */
  readonly log: (line: string) => void;
}

/** What one cycle saw and did. */
export interface CycleReport {
  readonly at: Date;
  readonly probe: CycleProbe;
  readonly state: WatchMemory["state"];
  readonly truth: Truth;
  readonly secondSource?: SecondSourceAnswer;
  readonly decision: Decision;
  readonly outcome?: RebuildOutcome;
  readonly snapshot?: string;
}

const hourMs = 3_600_000;

const oneLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split("\n")[0].slice(0, 300);

export class Watch {
  /** The hysteresis, loaded from the recorded history at the first cycle that can read it. */
  private memory?: WatchMemory;
  private previous?: PreviousDecision;
  private previousLoaded = false;
  private lastSnapshotAt?: number;
  private readonly actor = `resurrector watch on ${hostname()}`;

  constructor(private readonly deps: WatchDependencies) {}

  /** One cycle: probe, record, decide, act on the decision. Never throws. */
  async cycle(): Promise<CycleReport> {
    const { deps } = this;
    // The probe's contract is never to throw; one that does is a cluster nothing could be learned from.
    const checks = await deps.probe().catch((error: unknown) => {
      deps.log(`probe failed: ${oneLine(error)}`);
      return [];
    });
    const at = deps.clock.now();
    const records = probeRecords(at, checks);
    const probe = cycleProbe(records);
    let session: DatabaseSession | undefined;
    let truth: Truth;
    try {
      session = await deps.database();
      // No truth, no action: a database whose loco schema this resurrector does not read is as good as none.
      await requireSupportedLocoSchema(session.client);
      this.memory ??= foldProbes(await recordedCycles(session.client, at), deps.policy);
      if (!this.previousLoaded) {
        this.previous = (await lastDecision(session.client, deps.stack)) ?? this.previous;
        this.previousLoaded = true;
      }
      await recordProbes(session.client, records).catch((error: unknown) => {
        // Another resurrector instance recorded a later probe first: the database answered, so this is no reason
        // to refuse; the probe still counts here, it is only not written twice.
        if (!(error instanceof ProbeRecordError)) throw error;
        deps.log(`probe not recorded: ${oneLine(error)}`);
      });
      this.memory = advanceWatch(this.memory, probe, deps.policy);
      truth = { readable: true };
    } catch (error) {
      truth = { readable: false, reason: oneLine(error) };
      session?.release(true);
      session = undefined;
    }
    try {
      const memory = this.memory ?? initialMemory;
      const secondSource =
        truth.readable && memory.state === "down" && downSustained(memory, deps.policy)
          ? await deps.askSecondSource().catch((error: unknown): SecondSourceAnswer => ({ kind: "unreachable", detail: oneLine(error) }))
          : undefined;
      const decision = decide({ memory, policy: deps.policy, truth, secondSource, previous: this.previous, now: at });
      let outcome: RebuildOutcome | undefined;
      if (decision.kind !== "nothing") {
        const kind = decision.kind;
        await this.recordDecision(session, truth, decisionAction(kind), {
          at: at.toISOString(),
          reason: decision.reason,
          ...(kind === "rebuild" ? { act: deps.act } : {}),
          evidence: decision.evidence,
        });
        await this.notify(decision);
        this.previous = { kind, reason: decision.reason, at };
        if (kind === "rebuild") {
          // The rebuild takes long and opens its own connections: this cycle's connection is not held through it.
          session?.release();
          session = undefined;
          outcome = await this.rebuild(decision);
          this.previous = { ...this.previous, outcome: outcome.status };
          await this.recordOutcome(at, outcome);
        }
      }
      const snapshot = truth.readable ? await this.snapshotIfDue(at) : undefined;
      return { at, probe, state: memory.state, truth, secondSource, decision, outcome, snapshot };
    } finally {
      session?.release();
    }
  }

  private async recordDecision(session: DatabaseSession | undefined, truth: Truth, action: string, detail: Record<string, unknown>) {
    if (!session || !truth.readable) {
      this.deps.log(`${action} not recorded in resurrector.events: the database cannot be read`);
      return;
    }
    await recordEvent(session.client, { actor: this.actor, action, subject: watchSubject(this.deps.stack), detail }).catch((error) =>
      this.deps.log(`${action} not recorded in resurrector.events: ${oneLine(error)}`),
    );
  }

  private async notify(decision: Decision): Promise<void> {
    try {
      await this.deps.notifier.notify({
        cluster: this.deps.stack,
        kind: "decision",
        text: `${this.deps.stack}: ${decision.kind}: ${decision.reason}`,
        details: { decision: decision.kind, ...decision.evidence },
      });
    } catch (error) {
      // The notifier's contract is never to throw; one that does still never stops the watch.
      this.deps.log(`notification failed: ${oneLine(error)}`);
    }
  }

  private async rebuild(decision: Decision): Promise<RebuildOutcome> {
    try {
      return await this.deps.rebuilder({
        stack: this.deps.stack,
        reason: decision.reason,
        evidence: decision.evidence,
        act: this.deps.act,
      });
    } catch (error) {
      return { status: "failed", summary: `the rebuilder failed: ${oneLine(error)}` };
    }
  }

  private async recordOutcome(at: Date, outcome: RebuildOutcome): Promise<void> {
    let session: DatabaseSession | undefined;
    try {
      session = await this.deps.database();
      await recordEvent(session.client, {
        actor: this.actor,
        action: rebuildOutcomeAction,
        subject: watchSubject(this.deps.stack),
        detail: {
          at: at.toISOString(),
          outcome: outcome.status,
          summary: outcome.summary,
          rebuildId: outcome.rebuildId,
          // What a person must do next (commit the converged generation), kept with the outcome it follows.
          convergedGeneration: outcome.convergedGeneration,
          nextStep: outcome.nextStep,
        },
      });
    } catch (error) {
      this.deps.log(`${rebuildOutcomeAction} not recorded in resurrector.events: ${oneLine(error)}`);
    } finally {
      session?.release();
    }
  }

  private async snapshotIfDue(at: Date): Promise<string | undefined> {
    const every = this.deps.snapshotEveryMs ?? hourMs;
    if (!this.deps.snapshot || (this.lastSnapshotAt !== undefined && at.getTime() - this.lastSnapshotAt < every)) return undefined;
    this.lastSnapshotAt = at.getTime();
    try {
      return await this.deps.snapshot(at);
    } catch (error) {
      const line = `snapshot failed: ${oneLine(error)}`;
      this.deps.log(line);
      return line;
    }
  }
}

export interface RunOptions {
  /** Time between the starts of two cycles, in milliseconds. */
  readonly intervalMs: number;
  /** One cycle, then stop (tests, cron). */
  readonly once: boolean;
  /** Aborted on SIGTERM: the cycle under way finishes, no other starts. */
  readonly signal: AbortSignal;
  readonly onCycle: (report: CycleReport) => void;
}

/** Runs cycles until stopped; resolves with how many ran. */
export async function runWatch(deps: WatchDependencies, options: RunOptions): Promise<number> {
  const watch = new Watch(deps);
  let cycles = 0;
  while (!options.signal.aborted) {
    const started = deps.clock.now().getTime();
    options.onCycle(await watch.cycle());
    cycles++;
    if (options.once) break;
    const elapsed = deps.clock.now().getTime() - started;
    await deps.clock.sleep(Math.max(0, options.intervalMs - elapsed), options.signal);
  }
  return cycles;
}
