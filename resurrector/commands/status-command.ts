/**
 * `status`: probes the guarded cluster from outside and prints a table (or JSON).
 * Exit codes: 0 healthy, 1 degraded, 2 down, 3 the probes could not run (unusable kubeconfig or CA file).
 */
import { readFileSync } from "node:fs";
import { stableJson } from "../rebuild-plan/format-plan";
import { clusterStatus, exitCodeFor, formatStatus } from "../status/cluster-status";
import { KubeconfigError, loadKubeconfig } from "../kube/kubeconfig";
import { failure, usageExitCode, type CommandResult } from "./result";

export const cannotProbeExitCode = 3;

export interface StatusCommandOptions {
  /** `--kubeconfig` (one file) or the entries of KUBECONFIG, merged as kubectl merges them. */
  readonly kubeconfigPaths: readonly string[];
  readonly context?: string;
  readonly publicUrl?: string;
  readonly resolve?: string;
  readonly publicCaPath?: string;
  readonly timeoutMs: number;
  readonly json: boolean;
  readonly now?: Date;
}

export async function statusCommand(options: StatusCommandOptions): Promise<CommandResult> {
  let publicUrl: URL | undefined;
  if (options.publicUrl !== undefined) {
    try {
      publicUrl = new URL(options.publicUrl);
    } catch {
      return failure(usageExitCode, `status: --public-url ${options.publicUrl} is not a URL`);
    }
    if (publicUrl.protocol !== "https:") return failure(usageExitCode, `status: --public-url must be https:// (got ${publicUrl.protocol})`);
  }
  let extraCa: Buffer | undefined;
  try {
    extraCa = options.publicCaPath ? readFileSync(options.publicCaPath) : undefined;
  } catch (error) {
    return failure(cannotProbeExitCode, `status: cannot read --public-ca: ${(error as Error).message}`);
  }
  let target;
  try {
    target = await loadKubeconfig(options.kubeconfigPaths, { context: options.context, timeoutMs: options.timeoutMs });
  } catch (error) {
    // Whatever is wrong with the kubeconfig, nothing was probed: never 1 (degraded) or 2 (down).
    const reason = error instanceof KubeconfigError ? error.message : `the kubeconfig cannot be used: ${(error as Error).message}`;
    return failure(cannotProbeExitCode, `status: ${reason}\nNothing was probed.`);
  }
  const status = await clusterStatus(target, {
    timeoutMs: options.timeoutMs,
    now: options.now ?? new Date(),
    publicUrl,
    connectTo: options.resolve,
    extraCa,
  });
  return { code: exitCodeFor(status.health), stdout: options.json ? stableJson(status) : formatStatus(status), stderr: "" };
}
