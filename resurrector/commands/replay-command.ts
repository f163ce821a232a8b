/**
 * `replay`: phase 3 of a rebuild alone, against any cluster: every tenant app of the cluster's active deployments
 * from loco's database onto the cluster (resurrector/replay/replay-tenants.ts), the operator's manual path.
 * Exit codes: 0 every app applied (or already as the database says), 1 some failed, 3 the replay could not start
 * (kubeconfig, database, master key, or a cluster without what the replay needs; nothing was written), 64 usage.
 */
import { DatabaseUnavailableError, connectDatabase } from "../db/connect";
import { LocoSchemaError } from "../db/loco-schema";
import { SnapshotError } from "../db/loco-tables";
import { readClusterSnapshot } from "../db/read-snapshot";
import { KubeconfigError, loadKubeconfig } from "../kube/kubeconfig";
import { stableJson } from "../rebuild-plan/format-plan";
import { planOptionProblems } from "../rebuild-plan/plan-options";
import { terminalSafe } from "../rebuild-plan/terminal-text";
import { formatReplay, replayExitCode, type ReplayMode } from "../replay/replay-report";
import { replayTenants, ReplayStartError } from "../replay/replay-tenants";
import { masterKeyFromEnvironment } from "./master-key";
import { failure, usageExitCode, type CommandResult } from "./result";

/** The replay did not start: nothing was written. */
export const cannotStartExitCode = 3;

export interface ReplayCommandOptions {
  readonly databaseUrl: string;
  /** `--kubeconfig` (one file) or the entries of KUBECONFIG. */
  readonly kubeconfigPaths: readonly string[];
  readonly context?: string;
  readonly cluster?: string;
  readonly mode: ReplayMode;
  readonly concurrency: number;
  readonly dryRun: boolean;
  readonly forceConflicts: boolean;
  readonly environment: string;
  readonly baseDomain?: string;
  readonly locoNamespace?: string;
  readonly json: boolean;
}

const notStarted = (message: string) => failure(cannotStartExitCode, `replay: ${terminalSafe(message)}\nNothing was written.`);

export async function replayCommand(options: ReplayCommandOptions, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const problems = planOptionProblems(options);
  if (problems.length > 0) return failure(usageExitCode, problems.map((p) => `resurrector replay: ${terminalSafe(p)}`).join("\n"));
  let masterKey;
  let target;
  try {
    masterKey = masterKeyFromEnvironment(env);
    target = await loadKubeconfig(options.kubeconfigPaths, { context: options.context, timeoutMs: 30_000 });
  } catch (error) {
    return notStarted(error instanceof KubeconfigError ? error.message : (error as Error).message);
  }

  let snapshot;
  try {
    const client = await connectDatabase(options.databaseUrl);
    try {
      snapshot = await readClusterSnapshot(client, options.cluster);
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof DatabaseUnavailableError || error instanceof LocoSchemaError || error instanceof SnapshotError) {
      return notStarted(error.message);
    }
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    return notStarted(`reading loco's database failed: ${message}${code ? ` (PostgreSQL ${code})` : ""}`);
  }

  try {
    const report = await replayTenants({
      snapshot,
      target,
      mode: options.mode,
      concurrency: options.concurrency,
      dryRun: options.dryRun,
      forceConflicts: options.forceConflicts,
      masterKey,
      environment: options.environment,
      baseDomain: options.baseDomain,
      locoNamespace: options.locoNamespace,
    });
    return { code: replayExitCode(report), stdout: options.json ? stableJson(report) : formatReplay(report), stderr: "" };
  } catch (error) {
    if (error instanceof ReplayStartError) return notStarted(error.message);
    throw error;
  }
}
