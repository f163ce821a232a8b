/** `migrate`: creates or upgrades the resurrector's schema in loco's database. Exit codes: 0 done, 1 failed, 64 usage. */
import { connectDatabase } from "../db/connect";
import { migrate } from "../schema/migrate";
import { failure, type CommandResult } from "./result";

export async function migrateCommand(databaseUrl: string): Promise<CommandResult> {
  try {
    const client = await connectDatabase(databaseUrl);
    try {
      const result = await migrate(client);
      const applied = result.applied.length > 0 ? `applied ${result.applied.join(", ")}` : "nothing to apply";
      return { code: 0, stdout: `resurrector schema at version ${result.version} (${applied}).`, stderr: "" };
    } finally {
      await client.end().catch(() => undefined);
    }
  } catch (error) {
    return failure(1, `resurrector migrate: ${(error as Error).message}`);
  }
}
