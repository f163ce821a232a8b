/**
 * `rekey`: moves every sealed record to a new master key (resurrector/store/rekey.ts). Keys from
 * LOCO_RESURRECTOR_KEY (current) and LOCO_RESURRECTOR_NEW_KEY (new); SIGINT or SIGTERM stop it between two records,
 * and running it again resumes. Exit codes: 0 every record moved, 1 some could not be opened, 2 interrupted (run it
 * again), 3 refused or could not start (nothing changed), 64 usage.
 */
import { connectDatabase } from "../db/connect";
import { stableJson } from "../rebuild-plan/format-plan";
import { terminalSafe } from "../rebuild-plan/terminal-text";
import { rekeyStore, RekeyRefusedError, type RekeyReport } from "../store/rekey";
import { rekeyKeysFromEnvironment } from "./master-key";
import { failure, type CommandResult } from "./result";

export const rekeyInterruptedExitCode = 2;
export const rekeyRefusedExitCode = 3;

export interface RekeyCommandOptions {
  readonly databaseUrl: string;
  readonly json: boolean;
  /** Stops the run between two records; by default SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal;
}

export function formatRekey(report: RekeyReport): string {
  const total = (field: "rewrapped" | "alreadyUnderNewKey" | "failed" | "remaining") => report.tables.reduce((n, t) => n + t[field], 0);
  const lines = [
    `${report.interrupted ? "Rekey interrupted" : "Rekey done"}: from key ${report.fromKeyId} to key ${report.toKeyId}.`,
    `  ${total("rewrapped")} re-wrapped, ${total("alreadyUnderNewKey")} already under the new key, ${total("failed")} failed, ${total("remaining")} still under the old key.`,
    ...report.tables.map(
      (t) =>
        `  ${t.table}: ${t.rewrapped} re-wrapped, ${t.alreadyUnderNewKey} already under the new key, ${t.failed} failed, ${t.remaining} remaining`,
    ),
    ...report.failures.map((f) => `  failed ${f.record}: ${f.reason}`),
  ];
  if (report.interrupted) lines.push("Run it again to resume: records already under the new key are skipped.");
  else if (total("remaining") === 0) {
    lines.push("Every record is under the new key: make it LOCO_RESURRECTOR_KEY everywhere and remove LOCO_RESURRECTOR_NEW_KEY.");
  }
  return lines.map(terminalSafe).join("\n");
}

export async function rekeyCommand(options: RekeyCommandOptions, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  let keys;
  try {
    keys = rekeyKeysFromEnvironment(env);
  } catch (error) {
    return failure(rekeyRefusedExitCode, `resurrector rekey: ${(error as Error).message}\nNothing was changed.`);
  }
  let client;
  try {
    client = await connectDatabase(options.databaseUrl);
  } catch (error) {
    return failure(rekeyRefusedExitCode, `resurrector rekey: ${terminalSafe((error as Error).message)}\nNothing was changed.`);
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  if (!options.signal) {
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }
  try {
    const report = await rekeyStore(client, { ...keys, actor: "rekey command", signal: options.signal ?? stop.signal });
    const code = report.interrupted ? rekeyInterruptedExitCode : report.failures.length > 0 ? 1 : 0;
    return { code, stdout: options.json ? stableJson(report) : formatRekey(report), stderr: "" };
  } catch (error) {
    if (error instanceof RekeyRefusedError) return failure(rekeyRefusedExitCode, `resurrector rekey: ${error.message}`);
    const code = (error as { code?: string }).code;
    const hint =
      code === "42P01" ? " (the resurrector schema is missing or older than version 4: run `npm run resurrector -- migrate`)" : "";
    return failure(
      1,
      `resurrector rekey: ${terminalSafe((error as Error).message)}${hint}\nRecords moved so far stay moved; run it again to resume.`,
    );
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await client.end().catch(() => undefined);
  }
}
