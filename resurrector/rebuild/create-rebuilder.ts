/**
 * The rebuilder `rebuild` runs once and `watch` calls when it decides: the safety limits, then the four recorded
 * phases (converge, certificates, replay, verify), resuming an unfinished rebuild where it stopped.
 *
 * In order, each step refusing before anything changes:
 * 1. The Pulumi CLI is there and new enough (the converger's preflight).
 * 2. The cluster's rebuild lock (rebuild-lock.ts): a second resurrector is refused and resumes nothing.
 * 3. No truth, no action: loco's database is read (one consistent snapshot through the loco-schema adapter) and the
 *    resurrector's schema has the phase table; otherwise refused.
 * 4. An unfinished rebuild of the cluster is resumed at its first phase not completed. Otherwise a new one must pass
 *    the cooldown and the daily maximum (rebuild-limits.ts).
 * 5. Dry run (act false, the default): what each phase would do is recorded as an event and notified; nothing else.
 * 6. Act: each phase is recorded (resurrector.rebuild_phases) with what it decided before acting and its report;
 *    every decision and phase is an event, and the notifier hears about each (its failure never stops anything).
 *
 * A phase that fails leaves the rebuild resumable (the next run tries that phase again, up to maxPhaseAttempts, then
 * the rebuild is marked failed for a person to look at). If loco's database goes away mid-rebuild, the records cannot
 * be written and the lock is gone with the session: the rebuild stops there and the next run resumes it.
 */
import { hostname } from "node:os";
import type { Client } from "pg";
import type { Notifier } from "../notify/notifier";
import type { MasterKey } from "../crypto/envelope";
import { connectDatabase } from "../db/connect";
import { readClusterSnapshot } from "../db/read-snapshot";
import type { ClusterSnapshot } from "../db/records";
import type { KubeTarget } from "../kube/kubeconfig";
import type { ReplayMode } from "../replay/replay-report";
import type { RetryPolicy } from "../replay/retry-policy";
import { clusterStatus } from "../status/cluster-status";
import type { Health } from "../status/probes";
import { recordEvent } from "../store/events";
import {
  beginPhase,
  endPhase,
  phasesOf,
  rebuildHistory,
  rebuildPhases,
  setRebuildReason,
  setRebuildReport,
  unfinishedRebuild,
  type PhaseRecord,
  type RebuildPhase,
} from "../store/rebuild-phases";
import { finishRebuild, setRebuildPhase, startRebuild } from "../store/rebuilds";
import type { ClusterAccess } from "./cluster-access";
import { dayBefore, limitRefusal, rebuildLimits, type RebuildLimits } from "./rebuild-limits";
import { tryRebuildLock } from "./rebuild-lock";
import { commitGenerationInstruction, convergedGeneration, phaseSteps, summarizeRebuild, type PhaseContext } from "./rebuild-phase-steps";
import type { PlatformConverger } from "./pulumi-converger";
import type { RebuildOutcome, RebuildRequest, Rebuilder } from "./rebuild-request";

/** The resurrector schema version that has `rebuild_phases` (migration 3). */
export const rebuildSchemaVersion = 3;

export interface RebuilderDeps {
  /** loco's database (LOCO_DATABASE_URL): its tables are the truth; the resurrector's schema holds the records. */
  readonly databaseUrl: string;
  /** Phase 1 (pulumi-converger.ts). */
  readonly converger: PlatformConverger;
  /** Reaches the new cluster after converge (cluster-access.ts: DigitalOcean's API, or a fixed kubeconfig). */
  readonly clusterAccess: ClusterAccess;
  /** Told about every decision and phase; never stops the rebuild (resurrector/notify/webhook.ts). */
  readonly notifier: Notifier;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default defaultRebuildLimits (cooldown 60 min, 2 per day, 3 attempts per phase) */
  readonly limits?: Partial<RebuildLimits>;
  /** Opens the sealed environments and certificates (LOCO_RESURRECTOR_KEY); required to act when any are stored. */
  readonly masterKey?: MasterKey;
  /** Phase 3's settings (resurrector/replay/replay-tenants.ts). */
  readonly replay?: {
    /** @default "application" */
    readonly mode?: ReplayMode;
    /** @default 16 */
    readonly concurrency?: number;
    /** loco's cluster whose apps are replayed; by default loco's default cluster. */
    readonly locoCluster?: string;
    /** The platform's base domain, when it differs from the database's. */
    readonly baseDomain?: string;
    /** @default "loco-system" */
    readonly locoNamespace?: string;
    readonly retry?: Partial<RetryPolicy>;
    /** @default 30000 */
    readonly requestTimeoutMs?: number;
  };
  /** Phase 4's settings (verify-rebuild.ts). */
  readonly verify?: {
    /** The new cluster's health; by default its probes (resurrector/status/cluster-status.ts). */
    readonly clusterHealth?: (target: KubeTarget) => Promise<{ readonly health: Health; readonly detail: string }>;
    /** @default globalThis.fetch */
    readonly fetch?: typeof fetch;
    /** @default 8 */
    readonly concurrency?: number;
    /** @default 10000 */
    readonly timeoutMs?: number;
  };
  /** Progress lines (the converger's output among them). @default console.error */
  readonly log?: (line: string) => void;
  /** Who the events name. @default "resurrector@<host>" */
  readonly actor?: string;
  /**
   * Called once a phase is recorded completed. Whatever it throws ends the rebuild as a crash would (the lock is
   * released, the rebuild stays resumable): the fault tests crash a rebuild after each phase with it.
   */
  readonly onPhaseCompleted?: (phase: RebuildPhase, rebuildId: string) => void | Promise<void>;
}

/** Public text for the status page, per phase (resurrector/store/rebuilds.ts checks it). */
const phaseTitles: Record<RebuildPhase, string> = {
  converge: "converging the platform",
  certificates: "restoring certificates",
  replay: "replaying tenant apps",
  verify: "verifying apps answer",
};

/** The rebuild's records could not be written: loco's database went away (and the lock with the session). */
class RecordLostError extends Error {
  override readonly name = "RecordLostError";
}

const oneLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();

export function createRebuilder(deps: RebuilderDeps): Rebuilder {
  const limits = rebuildLimits(deps.limits);
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? ((line: string) => console.error(line));
  const actor = deps.actor ?? `resurrector@${hostname()}`;

  return async (request: RebuildRequest): Promise<RebuildOutcome> => {
    const stack = request.stack;
    const subject = `cluster/${stack}`;
    const notify = async (kind: "decision" | "phase" | "rebuild", text: string, details: Record<string, unknown> = {}) => {
      log(`rebuild ${stack}: ${text}`);
      try {
        await deps.notifier.notify({ cluster: stack, kind, text: `${stack}: ${text}`, details });
      } catch (error) {
        // The contract says a notifier never throws; one that does still must not stop a rebuild.
        log(`rebuild ${stack}: the notifier failed: ${oneLine(error)}`);
      }
    };
    const event = (db: Client, action: string, detail: Record<string, unknown>) =>
      recordEvent(db, { actor, action, subject, detail: { act: request.act, ...detail } });

    /** A refusal: recorded when the database can take it, always notified. */
    const refuse = async (summary: string, db?: Client, evidence: Record<string, unknown> = {}): Promise<RebuildOutcome> => {
      if (db) {
        await event(db, "rebuild.refused", { summary, reason: request.reason, evidence: request.evidence, ...evidence }).catch(
          (error: unknown) => log(`rebuild ${stack}: could not record the refusal: ${oneLine(error)}`),
        );
      }
      await notify("decision", `rebuild refused: ${summary}`, { reason: request.reason });
      return { status: "refused", summary };
    };

    try {
      await deps.converger.preflight();
    } catch (error) {
      return refuse(oneLine(error));
    }

    let lock;
    try {
      lock = await tryRebuildLock(deps.databaseUrl, stack);
    } catch (error) {
      return refuse(`no truth, no action: loco's database cannot be reached (${oneLine(error)}); nothing was changed`);
    }
    if (!lock) {
      const other = await connectDatabase(deps.databaseUrl).catch(() => undefined);
      try {
        return await refuse(
          `another resurrector holds the rebuild lock of ${stack} (a rebuild is in progress there); nothing was started or resumed`,
          other,
        );
      } finally {
        await other?.end().catch(() => undefined);
      }
    }

    const db = lock.db;
    try {
      let snapshot: ClusterSnapshot;
      try {
        snapshot = await readClusterSnapshot(db, deps.replay?.locoCluster);
      } catch (error) {
        const code = (error as { code?: string }).code;
        return await refuse(
          `no truth, no action: loco's database cannot be read (${oneLine(error)}${code ? `, PostgreSQL ${code}` : ""}); nothing was changed`,
          db,
        );
      }
      if ((snapshot.resurrector?.schemaVersion ?? 0) < rebuildSchemaVersion) {
        return await refuse(
          `the resurrector's schema is at version ${snapshot.resurrector?.schemaVersion ?? 0}, a rebuild records its phases from version ${rebuildSchemaVersion}: run \`npm run resurrector -- migrate\` first`,
          // The events table exists from version 1.
          snapshot.resurrector ? db : undefined,
        );
      }

      let unfinished;
      let history;
      try {
        unfinished = await unfinishedRebuild(db, stack);
        if (!unfinished) history = await rebuildHistory(db, stack, dayBefore(clock()));
      } catch (error) {
        return await refuse(`no truth, no action: the rebuild records cannot be read (${oneLine(error)}); nothing was changed`);
      }
      if (history) {
        const refusal = limitRefusal(history, clock(), limits);
        if (refusal) return await refuse(refusal, db, { limits, history });
      }
      const sealed = snapshot.resurrector;
      if (request.act && !deps.masterKey && sealed && sealed.environments.length + sealed.certificates.length > 0) {
        return await refuse(
          `LOCO_RESURRECTOR_KEY is not set: ${sealed.environments.length} environments and ${sealed.certificates.length} certificates are sealed and could not be restored`,
          db,
        );
      }

      const context: PhaseContext = {
        stack,
        intents: {},
        snapshot,
        converger: deps.converger,
        clusterAccess: deps.clusterAccess,
        masterKey: deps.masterKey,
        now: clock,
        log: (line) => log(`rebuild ${stack}: ${line}`),
        replay: { environment: stack, ...deps.replay },
        verify: {
          ...deps.verify,
          clusterHealth:
            deps.verify?.clusterHealth ??
            (async (target) => {
              const status = await clusterStatus(target, { timeoutMs: deps.verify?.timeoutMs ?? 10_000, now: clock() });
              const worst = status.checks.filter((c) => c.health !== "ok").map((c) => `${c.name}: ${c.detail}`);
              return { health: status.health, detail: worst.join("; ") || "every probe ok" };
            }),
        },
      };

      if (!request.act) {
        return await dryRun(db, context, unfinished?.id).catch((error: unknown) =>
          refuse(`no truth, no action: the dry run lost loco's database (${oneLine(error)}); nothing was changed`),
        );
      }
      return await act(db, context, unfinished);
    } finally {
      await lock.release();
    }

    async function dryRun(db: Client, context: PhaseContext, unfinishedId: string | undefined): Promise<RebuildOutcome> {
      const recorded = unfinishedId ? await phasesOf(db, unfinishedId) : [];
      // A resumed rebuild repeats what its phases decided (converge: the same target generation).
      for (const record of recorded) context.intents[record.phase] = record.intent;
      const completed = recorded.filter((p) => p.outcome === "completed").map((p) => p.phase);
      const plans: Record<string, string> = {};
      for (const phase of rebuildPhases) {
        if (completed.includes(phase)) continue;
        plans[phase] = await phaseSteps[phase]
          .describe(context)
          .catch((error: unknown) => `run, but cannot tell what it would do: ${oneLine(error)}`);
        await notify("phase", `dry run, phase ${phase}: would ${plans[phase]}`, { phase, dryRun: true });
      }
      const resume = unfinishedId ? `would resume rebuild ${unfinishedId} at ${Object.keys(plans)[0] ?? "its end"}; ` : "";
      const summary = `dry run: ${resume}${Object.entries(plans)
        .map(([phase, plan]) => `${phase}: would ${plan}`)
        .join("; ")}; nothing was changed (act needs --act and LOCO_RESURRECTOR_ACT=true)`;
      await event(db, "rebuild.dry-run", {
        reason: request.reason,
        evidence: request.evidence,
        plans,
        ...(unfinishedId ? { resumes: unfinishedId } : {}),
      });
      await notify("rebuild", summary, { dryRun: true });
      return { status: "dry-run", summary };
    }

    async function act(db: Client, context: PhaseContext, unfinished: { id: string } | undefined): Promise<RebuildOutcome> {
      const record = async <T>(what: string, write: () => Promise<T>): Promise<T> => {
        try {
          return await write();
        } catch (error) {
          throw new RecordLostError(`${what}: ${oneLine(error)}`);
        }
      };
      const started = performance.now();
      let rebuildId = unfinished?.id;
      let current: RebuildPhase = rebuildPhases[0];
      try {
        if (!rebuildId) {
          const id = await record("starting the rebuild", () =>
            startRebuild(db, { cluster: stack, at: clock(), phase: phaseTitles.converge }),
          );
          rebuildId = id;
          await record("recording why", () => setRebuildReason(db, id, request.reason.slice(0, 500)));
          await record("recording the start", () =>
            event(db, "rebuild.started", { rebuildId: id, reason: request.reason, evidence: request.evidence }),
          );
          await notify("rebuild", `rebuild ${id} started: ${request.reason}`, { rebuildId: id });
        } else {
          await record("recording the resumption", () =>
            event(db, "rebuild.resumed", { rebuildId, reason: request.reason, evidence: request.evidence }),
          );
          await notify("rebuild", `rebuild ${rebuildId} resumed: ${request.reason}`, { rebuildId });
        }
        const id = rebuildId;
        const records = new Map<RebuildPhase, PhaseRecord>(
          (await record("reading the phases", () => phasesOf(db, id))).map((p) => [p.phase, p]),
        );
        const reports: Partial<Record<RebuildPhase, Record<string, unknown>>> = {};
        // From converge on, the stack runs a generation its repository does not say yet: every outcome says so.
        const afterConverge = (): { convergedGeneration?: number; nextStep?: string } => {
          const generation = convergedGeneration(reports);
          return generation === undefined
            ? {}
            : { convergedGeneration: generation, nextStep: commitGenerationInstruction(stack, generation) };
        };
        const withNextStep = (summary: string) => [summary, afterConverge().nextStep].filter((line) => line !== undefined).join("\n");
        for (const phase of rebuildPhases) {
          current = phase;
          const previous = records.get(phase);
          if (previous?.outcome === "completed") {
            reports[phase] = { ...previous.report };
            context.intents[phase] = previous.intent;
            continue;
          }
          const step = phaseSteps[phase];
          let intent;
          try {
            intent = previous ? previous.intent : await step.intent(context);
          } catch (error) {
            const summary = `rebuild ${id} paused: phase ${phase} could not start (${oneLine(error)}); nothing was changed by it and the next run resumes at ${phase}`;
            await record("recording the pause", () => event(db, "rebuild.phase.failed", { rebuildId: id, phase, failure: oneLine(error) }));
            await notify("rebuild", summary, { rebuildId: id, phase });
            return { status: "failed", rebuildId: id, summary };
          }
          const begun = await record(`starting phase ${phase}`, () => beginPhase(db, id, phase, { at: clock(), intent }));
          context.intents[phase] = begun.intent;
          await record(`recording phase ${phase}`, () => setRebuildPhase(db, id, { phase: phaseTitles[phase], at: clock() }));
          await record(`recording phase ${phase}`, () =>
            event(db, "rebuild.phase.started", { rebuildId: id, phase, attempt: begun.attempts, intent: begun.intent }),
          );
          await notify("phase", `rebuild ${id}, phase ${phase} (attempt ${begun.attempts}): ${phaseTitles[phase]}`, {
            rebuildId: id,
            phase,
            attempt: begun.attempts,
            intent: begun.intent,
          });
          const phaseStarted = performance.now();
          let result: { report: Record<string, unknown>; failure?: string };
          try {
            result = await step.run(context, reports);
          } catch (error) {
            result = { report: {}, failure: oneLine(error) };
          }
          const report = { ...result.report, durationMs: Math.round(performance.now() - phaseStarted) };
          reports[phase] = report;
          if (result.failure !== undefined) {
            const failure = result.failure;
            await record(`recording phase ${phase}`, () =>
              endPhase(db, id, phase, { at: clock(), outcome: "failed", report: { ...report, failure } }),
            );
            await record(`recording phase ${phase}`, () =>
              event(db, "rebuild.phase.failed", { rebuildId: id, phase, attempt: begun.attempts, failure, report }),
            );
            const givenUp = begun.attempts >= limits.maxPhaseAttempts;
            if (givenUp) {
              await record("ending the rebuild", () => setRebuildReport(db, id, { phases: reports, failedPhase: phase }));
              await record("ending the rebuild", () =>
                finishRebuild(db, id, { state: "failed", at: clock(), phase: `stopped: ${phaseTitles[phase]} failed` }),
              );
              await record("ending the rebuild", () => event(db, "rebuild.finished", { rebuildId: id, state: "failed", phase, failure }));
            } else {
              await record(`recording phase ${phase}`, () =>
                setRebuildPhase(db, id, { phase: `waiting to resume: ${phaseTitles[phase]}`, at: clock() }),
              );
            }
            const summary = givenUp
              ? `rebuild ${id} failed: phase ${phase} failed ${begun.attempts} times (at most ${limits.maxPhaseAttempts}): ${failure}; a person must look at it`
              : `rebuild ${id} paused: phase ${phase} failed (attempt ${begun.attempts} of ${limits.maxPhaseAttempts}): ${failure}; the next run resumes at ${phase}`;
            await notify("rebuild", withNextStep(summary), { rebuildId: id, phase, givenUp, ...afterConverge() });
            return { status: "failed", rebuildId: id, summary, ...afterConverge() };
          }
          await record(`recording phase ${phase}`, () => endPhase(db, id, phase, { at: clock(), outcome: "completed", report }));
          await record(`recording phase ${phase}`, () => event(db, "rebuild.phase.completed", { rebuildId: id, phase, report }));
          await notify("phase", `rebuild ${id}, phase ${phase} completed in ${(report.durationMs / 1000).toFixed(1)} s`, {
            rebuildId: id,
            phase,
            report,
          });
          await deps.onPhaseCompleted?.(phase, id);
        }
        const final = { phases: reports, totalMs: Math.round(performance.now() - started), ...afterConverge() };
        await record("ending the rebuild", () => setRebuildReport(db, id, final));
        await record("ending the rebuild", () => finishRebuild(db, id, { state: "succeeded", at: clock(), phase: "rebuilt" }));
        await record("ending the rebuild", () => event(db, "rebuild.finished", { rebuildId: id, state: "succeeded", report: final }));
        const summary = `rebuild ${id} succeeded: ${summarizeRebuild(reports)}`;
        await notify("rebuild", withNextStep(summary), { rebuildId: id, report: final });
        return { status: "succeeded", rebuildId: id, summary, ...afterConverge() };
      } catch (error) {
        if (!(error instanceof RecordLostError)) throw error;
        const summary =
          `rebuild${rebuildId ? ` ${rebuildId}` : ""} paused: lost loco's database while ${error.message}; ` +
          `the lock went with the session and the next run resumes at ${current}`;
        await notify("rebuild", summary, { ...(rebuildId ? { rebuildId } : {}), phase: current });
        return { status: "failed", ...(rebuildId ? { rebuildId } : {}), summary };
      }
    }
  };
}
