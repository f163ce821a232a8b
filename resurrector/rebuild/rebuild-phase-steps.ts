/**
 * What each phase of a rebuild does, for the phase engine (create-rebuilder.ts): `describe` says what it would do
 * (a dry run), `intent` decides before acting what a resumed attempt must repeat (converge: the target generation,
 * so a resumed converge never bumps twice), `run` acts and returns a non-secret report, or a failure.
 */
import type { MasterKey } from "../crypto/envelope";
import type { ClusterSnapshot } from "../db/records";
import type { KubeTarget } from "../kube/kubeconfig";
import type { ReplayMode } from "../replay/replay-report";
import { replayTenants } from "../replay/replay-tenants";
import type { RetryPolicy } from "../replay/retry-policy";
import type { Health } from "../status/probes";
import type { RebuildPhase } from "../store/rebuild-phases";
import type { ClusterAccess } from "./cluster-access";
import type { PlatformConverger } from "./pulumi-converger";
import { certificatePlan, platformCertificatesForConfig, restoreCertificates } from "./restore-certificates";
import { routeHostnames, verifyRebuild } from "./verify-rebuild";

export interface PhaseContext {
  readonly stack: string;
  /** What loco's database said when this run started. */
  readonly snapshot: ClusterSnapshot;
  /** Each phase's recorded intent, filled in as the engine reaches it. */
  readonly intents: Partial<Record<RebuildPhase, Readonly<Record<string, unknown>>>>;
  readonly converger: PlatformConverger;
  readonly clusterAccess: ClusterAccess;
  readonly masterKey?: MasterKey;
  readonly now: () => Date;
  readonly log: (line: string) => void;
  readonly replay: {
    readonly environment: string;
    readonly mode?: ReplayMode;
    readonly concurrency?: number;
    readonly baseDomain?: string;
    readonly locoNamespace?: string;
    readonly retry?: Partial<RetryPolicy>;
    readonly requestTimeoutMs?: number;
  };
  readonly verify: {
    readonly clusterHealth: (target: KubeTarget) => Promise<{ readonly health: Health; readonly detail: string }>;
    readonly fetch?: typeof fetch;
    readonly concurrency?: number;
    readonly timeoutMs?: number;
  };
}

type Reports = Partial<Record<RebuildPhase, Readonly<Record<string, unknown>>>>;

export interface PhaseStep {
  describe(context: PhaseContext): Promise<string>;
  intent(context: PhaseContext): Promise<Record<string, unknown>>;
  run(context: PhaseContext, reports: Reports): Promise<{ report: Record<string, unknown>; failure?: string }>;
}

/** The generation converge moved to: phases 2 to 4 work on that cluster. */
function targetGeneration(context: PhaseContext): number {
  const generation = context.intents.converge?.targetGeneration;
  if (typeof generation !== "number") throw new Error("converge recorded no target generation");
  return generation;
}

const sealedCertificates = (context: PhaseContext) => context.snapshot.resurrector?.certificates ?? [];

/** The apps the replay would consider: the cluster's active deployments. */
const appCount = (context: PhaseContext) => new Set(context.snapshot.deployments.map((d) => d.resource.id)).size;

const converge: PhaseStep = {
  describe: async (context) => {
    const recorded = context.intents.converge?.fromGeneration;
    const from = typeof recorded === "number" ? recorded : await context.converger.currentGeneration(context.stack);
    const certificates = Object.keys(platformCertificatesForConfig(sealedCertificates(context), context.masterKey, context.now()));
    return (
      `set loco:cluster.generation of stack ${context.stack} from ${from} to ${from + 1}` +
      `${certificates.length > 0 ? `, pass ${certificates.join(", ")} through loco:preservedCertificates` : ""}, ` +
      "refresh, then up with LOCO_DELETE_UNREACHABLE=true and PULUMI_K8S_DELETE_UNREACHABLE=true"
    );
  },
  intent: async (context) => {
    const from = await context.converger.currentGeneration(context.stack);
    return { fromGeneration: from, targetGeneration: from + 1 };
  },
  run: async (context) => {
    const preserved = platformCertificatesForConfig(sealedCertificates(context), context.masterKey, context.now());
    const report = await context.converger.converge(context.stack, {
      generation: targetGeneration(context),
      preservedCertificates: preserved,
      onOutput: (line) => context.log(`pulumi: ${line}`),
    });
    return { report: { ...report } };
  },
};

const certificates: PhaseStep = {
  describe: (context) => {
    const plan = certificatePlan(sealedCertificates(context), context.now());
    return Promise.resolve(
      `restore ${plan.toApply.length} certificate Secrets by server-side apply (${plan.viaConfig.length} more go through converge's config, ${plan.expired.length} expired are left)`,
    );
  },
  intent: () => Promise.resolve({}),
  run: async (context) => {
    const plan = certificatePlan(sealedCertificates(context), context.now());
    if (plan.toApply.length === 0) return { report: { viaConfig: plan.viaConfig, applied: [], expired: plan.expired, failed: [] } };
    const target = await context.clusterAccess.target(context.stack, targetGeneration(context));
    const report = await restoreCertificates({
      target,
      sealed: sealedCertificates(context),
      master: context.masterKey,
      now: context.now(),
    });
    // A certificate that cannot be restored is re-issued by cert-manager: worth a report, not worth stopping for.
    return { report: { ...report } };
  },
};

/** At most this many failed apps are kept in a phase report (the replay's own report names them all). */
const reportedFailures = 50;

const replay: PhaseStep = {
  describe: (context) =>
    Promise.resolve(
      `replay ${appCount(context)} apps of loco's cluster ${context.snapshot.cluster.name} (mode ${context.replay.mode ?? "application"})`,
    ),
  intent: () => Promise.resolve({}),
  run: async (context) => {
    const target = await context.clusterAccess.target(context.stack, targetGeneration(context));
    const report = await replayTenants({
      snapshot: context.snapshot,
      target,
      mode: context.replay.mode,
      concurrency: context.replay.concurrency,
      masterKey: context.masterKey,
      environment: context.replay.environment,
      baseDomain: context.replay.baseDomain,
      locoNamespace: context.replay.locoNamespace,
      retry: context.replay.retry,
      requestTimeoutMs: context.replay.requestTimeoutMs,
    });
    const failed = report.apps.filter((a) => a.outcome === "failed");
    return {
      report: {
        mode: report.mode,
        counts: report.counts,
        applied: report.apps.filter((a) => ["created", "updated", "unchanged"].includes(a.outcome)).map((a) => a.resourceId),
        failed: failed.slice(0, reportedFailures).map((a) => ({ resourceId: a.resourceId, app: a.app, reason: a.reason ?? "" })),
        skipped: report.apps.filter((a) => a.outcome === "skipped").map((a) => ({ resourceId: a.resourceId, reason: a.reason ?? "" })),
        ...(report.stopped ? { stopped: report.stopped } : {}),
      },
      // One bad app never stops the others, nor the rebuild; an API that stopped answering does.
      ...(report.stopped ? { failure: `the replay stopped: ${report.stopped}` } : {}),
    };
  },
};

const replayedIds = (reports: Reports): string[] => {
  const applied = reports.replay?.applied;
  return Array.isArray(applied) ? applied.map(String) : [];
};

const verify: PhaseStep = {
  describe: (context) => {
    const ids = [...new Set(context.snapshot.deployments.map((d) => d.resource.id))];
    return Promise.resolve(
      `check the new cluster's probes and the routes of up to ${routeHostnames(ids, context.snapshot.domains).size} apps`,
    );
  },
  intent: () => Promise.resolve({}),
  run: async (context, reports) => {
    const target = await context.clusterAccess.target(context.stack, targetGeneration(context));
    const report = await verifyRebuild({
      clusterHealth: () => context.verify.clusterHealth(target),
      replayed: replayedIds(reports),
      domains: context.snapshot.domains,
      fetch: context.verify.fetch,
      concurrency: context.verify.concurrency,
      timeoutMs: context.verify.timeoutMs,
    });
    return { report: { ...report }, ...(report.problems.length > 0 ? { failure: report.problems.join("; ") } : {}) };
  },
};

export const phaseSteps: Record<RebuildPhase, PhaseStep> = { converge, certificates, replay, verify };

/** One line for the end of a rebuild: what was applied, skipped, failed. */
export function summarizeRebuild(reports: Reports): string {
  const converged = reports.converge?.generation;
  const restored = reports.certificates;
  const counts = reports.replay?.counts as
    { created?: number; updated?: number; unchanged?: number; failed?: number; skipped?: number } | undefined;
  const routes = reports.verify?.routes as { checked?: number; answered?: number } | undefined;
  const list = (value: unknown) => (Array.isArray(value) ? value.length : 0);
  return [
    `cluster generation ${String(converged)}`,
    `certificates: ${list(restored?.viaConfig)} via config, ${list(restored?.applied)} applied, ${list(restored?.failed)} failed`,
    `apps: ${(counts?.created ?? 0) + (counts?.updated ?? 0) + (counts?.unchanged ?? 0)} applied, ${counts?.skipped ?? 0} skipped, ${counts?.failed ?? 0} failed`,
    `routes: ${routes?.answered ?? 0} of ${routes?.checked ?? 0} answer`,
  ].join("; ");
}

/**
 * One line for after converge: converge raised the generation only in the resurrector's copy of the project, so the
 * repository's stack file is behind until someone commits it (the next deploy refuses to run until then,
 * stacks/cluster-generation-guard.ts, instead of replacing the rebuilt cluster).
 */
export function commitGenerationInstruction(stack: string, generation: number): string {
  return (
    `stack ${stack} now runs cluster generation ${generation}: commit loco:cluster.generation: ${generation} to ` +
    `Pulumi.${stack}.yaml (until then the deploy refuses to run rather than replace the rebuilt cluster)`
  );
}

/** The generation a rebuild converged to, once its converge phase completed; undefined before. */
export function convergedGeneration(reports: Reports): number | undefined {
  const generation = reports.converge?.generation;
  return typeof generation === "number" ? generation : undefined;
}
