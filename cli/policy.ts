/**
 * `npm run policy -- --stack <name>` evaluates the stack offline (as `npm run plan` does, into out/plan/<name>)
 * and checks the plan against the policy pack's policies; `npm run policy -- --plan DIR` checks a plan already
 * written (`--out DIR` puts the --stack plan elsewhere). Exit codes: 0 no violation, 1 violations (one line each: policy, resource, problem, fix), 2 the plan
 * could not be made or read, 64 bad command line.
 */
import { join } from "node:path";
import { buildPlan } from "../plan/offline-plan";
import { writePlan } from "../plan/write-plan";
import { evaluatePolicies, formatViolation } from "../policy/evaluate";
import { PlanFileError, readPlanResources } from "../policy/plan-resources";
import { policies } from "../policy/policies";
import { ConfigError } from "../stacks/config";
import { failure, type CommandResult } from "../lib/command-result";
import { CliCommand, execute, runAsProcess } from "./command-line";

interface PolicyOptions {
  readonly stack?: string;
  readonly plan?: string;
  readonly out?: string;
}

export function policyCommand(argv: readonly string[], projectDir: string): Promise<CommandResult> {
  const program: CliCommand = new CliCommand("npm run policy --")
    .description("Check an offline plan against the policy pack's policies (docs/policies.md).")
    .option("--stack <name>", "plan this stack offline (into out/plan/<name>), then check it")
    .option("--plan <dir>", "check a plan already written by `npm run plan -- --out <dir>`")
    .option("--out <dir>", "with --stack: where to write the plan (default out/plan/<name>)")
    .addHelpText("after", "\nExit codes: 0 no violation, 1 violations, 2 the plan could not be made or read, 64 bad command line.")
    .runs((options: PolicyOptions) => {
      if ((options.stack === undefined) === (options.plan === undefined))
        program.usageError("give exactly one of --stack <name> or --plan <dir>");
      if (options.out !== undefined && options.stack === undefined) program.usageError("--out goes with --stack");
      return check(options, projectDir);
    });
  return execute(program, argv);
}

async function planDirFor(options: PolicyOptions, projectDir: string): Promise<string> {
  if (options.plan !== undefined) return options.plan;
  const stack = options.stack as string;
  const outDir = options.out ?? join(projectDir, "out", "plan", stack);
  writePlan(await buildPlan(projectDir, stack), outDir);
  return outDir;
}

async function check(options: PolicyOptions, projectDir: string): Promise<CommandResult> {
  let planDir: string;
  let read;
  try {
    planDir = await planDirFor(options, projectDir);
    read = readPlanResources(planDir);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PlanFileError) return failure(2, error.message);
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return failure(2, `The offline plan of stack "${String(options.stack)}" failed: ${detail}`);
  }
  const violations = evaluatePolicies(policies, read.resources, { stack: read.stack });
  const scope = `${policies.length} policies over ${read.resources.length} resources of stack ${read.stack} (${planDir})`;
  if (violations.length === 0) return { code: 0, stdout: `policy: ${scope}: no violations`, stderr: "" };
  return {
    code: 1,
    stdout: violations.map(formatViolation).join("\n"),
    stderr: `policy: ${scope}: ${violations.length} violation(s)`,
  };
}

if (require.main === module) runAsProcess("policy", (argv) => policyCommand(argv, join(__dirname, "..")));
