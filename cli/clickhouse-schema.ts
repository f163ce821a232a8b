/**
 * `npm run clickhouse:schema -- --retention-days N`: the telemetry DDL this project owns, exactly as the
 * clickhouse-migrate Job applies it. `--delete-app ID` / `--delete-workspace ID` print the SQL that removes one
 * tenant's telemetry instead. Exit codes: 0 printed, 2 bad command line.
 */
import { parseArgs } from "node:util";
import { renderSchema } from "../observability/clickhouse-schema";
import { tenantDeletionStatements } from "../observability/tenant-deletion";

const usage = "usage: npm run clickhouse:schema -- --retention-days N | --delete-app ID | --delete-workspace ID";

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function clickhouseSchemaCommand(argv: readonly string[]): CommandResult {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        "retention-days": { type: "string" },
        "delete-app": { type: "string" },
        "delete-workspace": { type: "string" },
      },
      strict: true,
    });
    const chosen = ["retention-days", "delete-app", "delete-workspace"].filter((k) => values[k as keyof typeof values] !== undefined);
    if (chosen.length !== 1) return { code: 2, stdout: "", stderr: `give exactly one option\n${usage}` };
    if (values["delete-app"] !== undefined) return statements(tenantDeletionStatements({ appId: values["delete-app"] }));
    if (values["delete-workspace"] !== undefined) return statements(tenantDeletionStatements({ workspaceId: values["delete-workspace"] }));
    const raw = values["retention-days"] as string;
    if (!/^\d+$/.test(raw))
      return { code: 2, stdout: "", stderr: `--retention-days must be a whole number of days, got "${raw}"\n${usage}` };
    return { code: 0, stdout: renderSchema(Number(raw)), stderr: "" };
  } catch (error) {
    return { code: 2, stdout: "", stderr: `${(error as Error).message}\n${usage}` };
  }
}

const statements = (sql: readonly string[]): CommandResult => ({ code: 0, stdout: sql.map((s) => `${s};`).join("\n"), stderr: "" });

if (require.main === module) {
  const result = clickhouseSchemaCommand(process.argv.slice(2));
  if (result.stdout) console.log(result.stdout);
  if (result.stderr) console.error(result.stderr);
  process.exit(result.code);
}
