/**
 * `npm run plan:diff -- --base DIR --head DIR [--markdown] [--base-name NAME]`: what a change does to every stack,
 * from offline plans written as DIR/<stack>/ (`npm run plan -- --stack <stack> --out DIR/<stack>`). Prints JSON, or
 * with --markdown the pull-request comment. Exit codes: 0, 2 a directory cannot be read, 64 bad command line.
 */
import { diffPlans } from "../delivery/plan-diff";
import { formatPlanDiffMarkdown } from "../delivery/plan-diff-markdown";
import { failure, type CommandResult } from "../lib/command-result";
import { CliCommand, execute, runAsProcess } from "./command-line";

interface PlanDiffOptions {
  readonly base: string;
  readonly head: string;
  readonly markdown?: boolean;
  readonly baseName: string;
}

function run(options: PlanDiffOptions): CommandResult {
  let diff;
  try {
    diff = diffPlans(options.base, options.head);
  } catch (error) {
    return failure(2, (error as Error).message);
  }
  return {
    code: 0,
    stdout: options.markdown ? formatPlanDiffMarkdown(diff, options.baseName).trimEnd() : JSON.stringify(diff, null, 2),
    stderr: "",
  };
}

export function planDiffCommand(argv: readonly string[]): Promise<CommandResult> {
  const program = new CliCommand("npm run plan:diff --")
    .description("Compare offline plans: resources added, changed and removed by type, cost, new secrets.")
    .requiredOption("--base <dir>", "plans of the base branch, one subdirectory per stack")
    .requiredOption("--head <dir>", "plans of the change, one subdirectory per stack")
    .option("--markdown", "print the pull-request comment instead of JSON")
    .option("--base-name <name>", "what to call the base in the comment", "the base branch")
    .addHelpText("after", "\nExit codes: 0 compared, 2 a directory cannot be read, 64 bad command line.")
    .runs((options: PlanDiffOptions) => run(options));
  return execute(program, argv);
}

if (require.main === module) runAsProcess("plan:diff", planDiffCommand);
