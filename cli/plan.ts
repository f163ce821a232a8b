/**
 * `npm run plan -- --stack <name> [--out DIR] [--json]`: the offline plan of a stack. `npm start` plans dev.
 * Exit codes: 0 planned, 1 the stack file or its config is invalid, 64 bad command line.
 */
import { join } from "node:path";
import { failure, type CommandResult } from "../lib/command-result";
import { buildPlan } from "../plan/offline-plan";
import { formatSummary } from "../plan/print-summary";
import { sortedKeys } from "../plan/secrets";
import { StackFileError } from "../plan/stack-file";
import { writePlan } from "../plan/write-plan";
import { ConfigError } from "../stacks/config";
import { CliCommand, execute, runAsProcess } from "./command-line";
import { stackOption } from "./stack-option";

interface PlanOptions {
  readonly stack: string;
  readonly out?: string;
  readonly json?: boolean;
}

export function planCommand(argv: readonly string[], projectDir: string): Promise<CommandResult> {
  const program = new CliCommand("npm run plan --")
    .description(
      "The offline plan of a stack: the real program evaluated under Pulumi's mock runtime with the stack's config. " +
        "No cloud, no cluster, no Pulumi CLI. Writes resources.json, manifests/, helm/ and summary.json (docs/offline-plan.md).",
    )
    .option("--stack <name>", "stack to plan: Pulumi.<name>.yaml (or <owner>/[<project>/]<name>)", stackOption(projectDir), "dev")
    .option("--out <dir>", "folder for the plan files (default: out/plan/<stack>)")
    .option("--json", "print the summary as JSON instead of text")
    .addHelpText("after", "\nExit codes: 0 planned, 1 the stack file or its config is invalid, 64 bad command line.")
    .runs((options: PlanOptions) => plan(options, projectDir));
  return execute(program, argv);
}

async function plan(options: PlanOptions, projectDir: string): Promise<CommandResult> {
  const outDir = options.out ?? join(projectDir, "out", "plan", options.stack);
  try {
    const built = await buildPlan(projectDir, options.stack);
    writePlan(built, outDir);
    const stdout = options.json === true ? JSON.stringify(sortedKeys(built.summary), null, 2) : formatSummary(built.summary, outDir);
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    // The stack file and its config are the user's to fix, and their messages say where; anything else is a bug
    // and keeps its stack for the report.
    if (error instanceof ConfigError || error instanceof StackFileError) return failure(1, error.message);
    return failure(
      1,
      `The offline plan of stack "${options.stack}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
  }
}

if (require.main === module) runAsProcess("plan", (argv) => planCommand(argv, join(__dirname, "..")));
