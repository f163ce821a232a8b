/**
 * `npm run clickhouse:schema -- --retention-days N`: the telemetry DDL this project owns, exactly as the
 * clickhouse-migrate Job applies it. `--delete-app ID` / `--delete-workspace ID` print the SQL that removes one
 * tenant's telemetry instead. Exit codes: 0 printed, 64 bad command line.
 */
import { Option } from "commander";
import { done, type CommandResult } from "../lib/command-result";
import { renderSchema } from "../observability/clickhouse-schema";
import { tenantDeletionStatements, type TenantScope } from "../observability/tenant-deletion";
import { CliCommand, execute, runAsProcess, wholeNumber } from "./command-line";

interface SchemaOptions {
  readonly retentionDays?: number;
  readonly deleteApp?: string;
  readonly deleteWorkspace?: string;
}

const choices = ["retentionDays", "deleteApp", "deleteWorkspace"] as const;

export function clickhouseSchemaCommand(argv: readonly string[]): Promise<CommandResult> {
  const program: CliCommand = new CliCommand("npm run clickhouse:schema --")
    .description(
      "The telemetry DDL this project owns, as the clickhouse-migrate Job applies it; or the SQL that deletes one tenant's telemetry.",
    )
    .addOption(
      new Option("--retention-days <days>", "print the schema with this retention (1 to 365 days, as loco:observability.retentionDays)")
        .argParser(wholeNumber(1, 365))
        .conflicts(["deleteApp", "deleteWorkspace"]),
    )
    .addOption(new Option("--delete-app <id>", "print the statements that delete one app's telemetry").conflicts("deleteWorkspace"))
    .addOption(new Option("--delete-workspace <id>", "print the statements that delete one workspace's telemetry"))
    .addHelpText("after", "\nGive exactly one option. Exit codes: 0 printed, 64 bad command line.")
    .runs((options: SchemaOptions) => {
      if (!choices.some((choice) => options[choice] !== undefined)) {
        program.usageError("give one of --retention-days, --delete-app or --delete-workspace");
      }
      if (options.retentionDays !== undefined) return done(renderSchema(options.retentionDays));
      const scope: TenantScope =
        options.deleteApp !== undefined ? { appId: options.deleteApp } : { workspaceId: options.deleteWorkspace as string };
      let statements: string[];
      try {
        statements = tenantDeletionStatements(scope);
      } catch (error) {
        // The only refusal is an id that is not a tenant id: a value on the command line.
        program.usageError((error as Error).message);
      }
      return done(statements.map((statement) => `${statement};`).join("\n"));
    });
  return execute(program, argv);
}

if (require.main === module) runAsProcess("clickhouse:schema", clickhouseSchemaCommand);
