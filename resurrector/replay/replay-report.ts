/**
 * What a replay did, app by app: the structured report `replayTenants` returns (and `replay --json` prints), its
 * exit code, and its text form. Secret values never appear in it: objects are named, not shown.
 */
import { terminalSafe } from "../rebuild-plan/terminal-text";
import { compareStrings } from "../render/objects";

export const replayFormat = "loco.resurrector.replay/v1";

export type ReplayMode = "application" | "objects";

/**
 * created / updated / unchanged: what the API server did (in a dry run: would do); failed: the reason says why;
 * not attempted: an earlier object of the app failed, or the replay stopped.
 */
export type ObjectOutcome = "created" | "updated" | "unchanged" | "failed" | "not attempted";

/** An app is created or updated when any of its objects was; failed when any failed; skipped when it was never applied. */
export type AppOutcome = "created" | "updated" | "unchanged" | "failed" | "skipped";

export interface ObjectResult {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly outcome: ObjectOutcome;
  /** Requests this object took (1 when the first apply answered). */
  readonly attempts: number;
  readonly reason?: string;
}

export interface AppResult {
  /** loco's resource id (the app). */
  readonly resourceId: string;
  /** org/workspace/app. */
  readonly app: string;
  readonly deploymentId: string;
  readonly outcome: AppOutcome;
  /** Why it failed or was skipped. */
  readonly reason?: string;
  readonly objects: readonly ObjectResult[];
  readonly warnings: readonly string[];
}

export interface ReplayReport {
  readonly format: typeof replayFormat;
  readonly mode: ReplayMode;
  /** Server-side dry run: every apply was validated by the API server (dryRun=All) and nothing was stored. */
  readonly dryRun: boolean;
  readonly forceConflicts: boolean;
  readonly fieldManager: string;
  readonly concurrency: number;
  readonly cluster: { readonly name: string; readonly region: string; readonly context: string; readonly server: string };
  /** loco's namespace (application mode). */
  readonly locoNamespace: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** Where the time went: desired state (the plan and each app's objects), preflight, listing, applying. */
  readonly timings: { readonly desiredMs: number; readonly preflightMs: number; readonly listMs: number; readonly applyMs: number };
  readonly counts: {
    readonly apps: number;
    readonly created: number;
    readonly updated: number;
    readonly unchanged: number;
    readonly failed: number;
    readonly skipped: number;
    readonly objects: number;
    /** Requests sent to the API server (every attempt, discovery and listing included). */
    readonly requests: number;
    /** Attempts beyond the first, over all objects. */
    readonly retries: number;
  };
  /** Why the replay stopped before every app was attempted (the API stopped answering, or it was cancelled). */
  readonly stopped?: string;
  readonly apps: readonly AppResult[];
  readonly warnings: readonly string[];
}

/** 0: every app that should run was applied (or was already as the database says); 1: some failed. */
export const replayExitCode = (report: ReplayReport): 0 | 1 => (report.counts.failed > 0 ? 1 : 0);

const byNumericId = (a: AppResult, b: AppResult) =>
  a.resourceId.length - b.resourceId.length || compareStrings(a.resourceId, b.resourceId) || compareStrings(a.deploymentId, b.deploymentId);

/** The apps in a stable order: by loco's resource id. */
export const sortApps = (apps: AppResult[]): AppResult[] => apps.sort(byNumericId);

/** The report as text. Names, hostnames and reasons come from loco's database: none may control the terminal. */
export function formatReplay(report: ReplayReport): string {
  const counts = report.counts;
  const verb = report.dryRun ? "would be " : "";
  const lines = [
    `Replay of ${counts.apps} apps onto ${terminalSafe(report.cluster.context)} (${report.cluster.server}), cluster ${terminalSafe(report.cluster.name)}, ` +
      `mode ${report.mode}${report.dryRun ? ", server-side dry run: nothing stored" : ""}`,
    `${verb}created ${counts.created}, ${verb}updated ${counts.updated}, unchanged ${counts.unchanged}, failed ${counts.failed}, ` +
      `skipped ${counts.skipped}; ${counts.objects} objects, ${counts.requests} requests (${counts.retries} retries) in ` +
      `${(report.durationMs / 1000).toFixed(1)} s at concurrency ${report.concurrency}`,
  ];
  if (report.stopped) lines.push(`STOPPED: ${report.stopped}`);
  const notable = report.apps.filter((app) => app.outcome === "failed" || app.outcome === "skipped");
  if (notable.length > 0) {
    lines.push("", "APP  RESOURCE  OUTCOME  REASON");
    for (const app of notable) lines.push(`${terminalSafe(app.app)}  ${app.resourceId}  ${app.outcome}  ${terminalSafe(app.reason ?? "")}`);
  }
  const warnings = [...report.warnings, ...report.apps.flatMap((app) => app.warnings.map((w) => `${app.app}: ${w}`))];
  if (warnings.length > 0) lines.push("", "Warnings:", ...warnings.map((w) => `- ${terminalSafe(w)}`));
  lines.push(
    "",
    counts.failed > 0
      ? `${counts.failed} apps failed (exit 1).`
      : `Every app ${report.dryRun ? "would be " : "is "}as the database says (exit 0).`,
  );
  return lines.join("\n");
}
