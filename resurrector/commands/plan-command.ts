/**
 * `plan`: what a rebuild of one cluster would create, read from loco's database in a read-only transaction.
 * `plan --demo` does the same against an embedded PostgreSQL filled with the demo data.
 * Exit codes: 0 a plan was printed (skipped rows included), 1 no plan could be made (unreachable database,
 * unknown cluster, a loco schema this resurrector does not read), 64 bad command line (including an
 * --environment that is not a Pulumi stack name or a --base-domain that is not a DNS name).
 * Everything printed is escaped for the terminal: names from loco's database never forge lines or control it.
 */
import type { ClientBase } from "pg";
import { generateMasterKey, parseMasterKey, type MasterKey } from "../crypto/envelope";
import { connectDatabase, DatabaseUnavailableError } from "../db/connect";
import { startEmbeddedPostgres } from "../db/embedded-postgres";
import { LocoSchemaError, supportedLocoSchema } from "../db/loco-schema";
import { SnapshotError } from "../db/loco-tables";
import { readClusterSnapshot } from "../db/read-snapshot";
import { loadDemoDatabase } from "../demo/demo-database";
import { buildRebuildPlan } from "../rebuild-plan/build-plan";
import { formatPlan, stableJson } from "../rebuild-plan/format-plan";
import { PlanError, planOptionProblems } from "../rebuild-plan/plan-options";
import { terminalSafe } from "../rebuild-plan/terminal-text";
import { masterKeyFromEnvironment } from "./master-key";
import { failure, usageExitCode, type CommandResult } from "./result";

export interface PlanCommandOptions {
  readonly databaseUrl?: string;
  readonly demo: boolean;
  readonly cluster?: string;
  readonly environment: string;
  readonly baseDomain?: string;
  readonly json: boolean;
  readonly now?: Date;
}

async function planFrom(client: ClientBase, options: PlanCommandOptions, masterKey: MasterKey | undefined): Promise<CommandResult> {
  const snapshot = await readClusterSnapshot(client, options.cluster);
  const plan = buildRebuildPlan(snapshot, {
    environment: options.environment,
    baseDomain: options.baseDomain,
    masterKey,
    now: options.now ?? new Date(),
  });
  return { code: 0, stdout: options.json ? stableJson(plan) : formatPlan(plan), stderr: "" };
}

async function demoPlan(options: PlanCommandOptions): Promise<CommandResult> {
  const database = await startEmbeddedPostgres("loco");
  try {
    const client = await connectDatabase(database.url);
    try {
      // A fresh key per run: the demo seals its environments with it, then proves the plan can open them.
      const masterKey = parseMasterKey(generateMasterKey());
      await loadDemoDatabase(client, masterKey, options.now ?? new Date());
      const result = await planFrom(client, options, masterKey);
      const note = `Demo: an embedded PostgreSQL with loco's schema (a fixture of ${supportedLocoSchema.name}), demo rows and a fresh master key; nothing else was touched.`;
      return options.json ? result : { ...result, stdout: `${note}\n\n${result.stdout}` };
    } finally {
      await client.end();
    }
  } finally {
    await database.stop();
  }
}

export async function planCommand(options: PlanCommandOptions, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const problems = planOptionProblems(options);
  if (problems.length > 0) return failure(usageExitCode, problems.map((p) => `resurrector plan: ${terminalSafe(p)}`).join("\n"));
  try {
    if (options.demo) return await demoPlan(options);
    const masterKey = masterKeyFromEnvironment(env);
    const client = await connectDatabase(options.databaseUrl as string);
    try {
      return await planFrom(client, options, masterKey);
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    if (
      error instanceof DatabaseUnavailableError ||
      error instanceof LocoSchemaError ||
      error instanceof SnapshotError ||
      error instanceof PlanError
    ) {
      return failure(1, `resurrector plan: ${terminalSafe(error.message)}\nNo plan was made.`);
    }
    const code = (error as { code?: string }).code;
    const detail = code ? ` (PostgreSQL ${code})` : "";
    return failure(
      1,
      `resurrector plan: reading loco's database failed: ${terminalSafe((error as Error).message)}${detail}\nNo plan was made.`,
    );
  }
}
