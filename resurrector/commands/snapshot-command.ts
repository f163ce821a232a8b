/**
 * `snapshot`: seals every tenant app's environment and every certificate Secret of the live cluster that changed
 * (resurrector/snapshot/snapshot-cluster.ts). Exit codes: 0 done, 1 some Secret malformed or not stored, 3 could
 * not start (key, kubeconfig, database, schema; nothing written), 64 usage.
 */
import { DatabaseUnavailableError, connectDatabase } from "../db/connect";
import { LocoSchemaError } from "../db/loco-schema";
import { SnapshotError } from "../db/loco-tables";
import { KubeClient } from "../kube/api-client";
import { loadKubeconfig } from "../kube/kubeconfig";
import { stableJson } from "../rebuild-plan/format-plan";
import { terminalSafe } from "../rebuild-plan/terminal-text";
import { kubeSecretReader } from "../snapshot/cluster-secrets";
import { snapshotCluster, SnapshotStartError } from "../snapshot/snapshot-cluster";
import { formatSnapshot, snapshotExitCode } from "../snapshot/snapshot-report";
import { masterKeyFromEnvironment, masterKeyVariable } from "./master-key";
import { failure, type CommandResult } from "./result";

export const snapshotCannotStartExitCode = 3;

export interface SnapshotCommandOptions {
  readonly databaseUrl: string;
  /** `--kubeconfig` (one file) or the entries of KUBECONFIG. */
  readonly kubeconfigPaths: readonly string[];
  readonly context?: string;
  readonly cluster?: string;
  readonly keep: number;
  readonly json: boolean;
}

const notStarted = (message: string) =>
  failure(snapshotCannotStartExitCode, `resurrector snapshot: ${terminalSafe(message)}\nNothing was written.`);

export async function snapshotCommand(options: SnapshotCommandOptions, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  let masterKey;
  let kube;
  try {
    masterKey = masterKeyFromEnvironment(env);
    if (!masterKey) return notStarted(`${masterKeyVariable} is not set: the snapshot seals what it reads under it`);
    const target = await loadKubeconfig(options.kubeconfigPaths, { context: options.context, timeoutMs: 30_000 });
    kube = await KubeClient.connect(target, { timeoutMs: 30_000, keepAliveSockets: 2 });
  } catch (error) {
    return notStarted((error as Error).message);
  }
  let db;
  try {
    db = await connectDatabase(options.databaseUrl);
  } catch (error) {
    kube.close();
    return notStarted(
      error instanceof DatabaseUnavailableError ? error.message : `connecting to loco's database failed: ${(error as Error).message}`,
    );
  }
  try {
    const report = await snapshotCluster({
      db,
      kube: kubeSecretReader(kube),
      masterKey,
      cluster: options.cluster,
      keep: options.keep,
      actor: "snapshot command",
    });
    return { code: snapshotExitCode(report), stdout: options.json ? stableJson(report) : formatSnapshot(report), stderr: "" };
  } catch (error) {
    if (error instanceof SnapshotStartError || error instanceof LocoSchemaError || error instanceof SnapshotError)
      return notStarted(error.message);
    const code = (error as { code?: string }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code))
      return notStarted(`reading loco's database failed: ${(error as Error).message} (PostgreSQL ${code})`);
    throw error;
  } finally {
    kube.close();
    await db.end().catch(() => undefined);
  }
}
