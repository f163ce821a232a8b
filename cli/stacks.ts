/**
 * `npm run stacks -- [--json | --github-output] [--only <stack>]`: every Pulumi.<stack>.yaml with its environment
 * and the GitHub secrets a real run needs. `--github-output` prints the lines a workflow appends to
 * $GITHUB_OUTPUT: `all=[...]` (every stack, for the offline plan) and one `<environment>=[...]` per environment
 * CI deploys (the matrix of that environment's jobs). Exit codes: 0, 1 a stack CI cannot run, 64 bad command line.
 */
import { join } from "node:path";
import { githubEnvironmentFor } from "../delivery/github-environments";
import { secretNameForConfigKey } from "../delivery/stack-secrets";
import { deployedStacksByEnvironment, listStacks, type StackFile } from "../delivery/stacks";
import type { CommandResult } from "../lib/command-result";
import { CliCommand, execute, runAsProcess } from "./command-line";

interface StacksOptions {
  readonly json?: boolean;
  readonly githubOutput?: boolean;
  readonly only?: string;
}

/** Every environment CI deploys needs a deploy and a read GitHub environment; say which is missing. */
function undeclaredEnvironments(stacks: readonly StackFile[]): string[] {
  return Object.keys(deployedStacksByEnvironment(stacks)).flatMap((environment) =>
    (["deploy", "read"] as const)
      .filter((access) => githubEnvironmentFor(environment, access) === undefined)
      .map((access) => `environment ${environment} has no ${access} GitHub environment in delivery/github-environments.ts`),
  );
}

function list(options: StacksOptions, projectDir: string): CommandResult {
  const all = listStacks(projectDir);
  const problems = undeclaredEnvironments(all);
  if (problems.length > 0) return { code: 1, stdout: "", stderr: problems.join("\n") };
  const stacks = options.only === undefined ? all : all.filter((s) => s.stack === options.only);
  if (options.only !== undefined && stacks.length === 0)
    return { code: 1, stdout: "", stderr: `no stack ${options.only}: the stacks are ${all.map((s) => s.stack).join(", ")}` };
  if (options.githubOutput) {
    const byEnvironment = deployedStacksByEnvironment(stacks);
    const environments = [...new Set(all.map((s) => s.environment))].sort();
    const lines = [
      `all=${JSON.stringify(stacks.map((s) => s.stack))}`,
      ...environments.map((e) => `${e}=${JSON.stringify(byEnvironment[e] ?? [])}`),
    ];
    return { code: 0, stdout: lines.join("\n"), stderr: "" };
  }
  const rows = stacks.map((s) => ({ ...s, githubSecrets: s.placeholderSecretKeys.map(secretNameForConfigKey) }));
  if (options.json) return { code: 0, stdout: JSON.stringify(rows, null, 2), stderr: "" };
  const text = rows.map((s) => `${s.stack}  environment ${s.environment}  ${s.file}  secrets: ${s.githubSecrets.join(", ") || "none"}`);
  return { code: 0, stdout: text.join("\n"), stderr: "" };
}

export function stacksCommand(argv: readonly string[], projectDir: string): Promise<CommandResult> {
  const program: CliCommand = new CliCommand("npm run stacks --")
    .description("List the project's stacks (every Pulumi.<stack>.yaml), their environments and the GitHub secrets they need.")
    .option("--json", "print JSON")
    .option("--github-output", "print name=value lines for $GITHUB_OUTPUT: all=[...] and <environment>=[...]")
    .option("--only <stack>", "only this stack (fails when there is no such stack file)")
    .addHelpText("after", "\nExit codes: 0 listed, 1 a stack CI cannot run (or no such stack), 64 bad command line.")
    .runs((options: StacksOptions) => {
      if (options.json && options.githubOutput) program.usageError("give at most one of --json and --github-output");
      return list(options, projectDir);
    });
  return execute(program, argv);
}

if (require.main === module) runAsProcess("stacks", (argv) => stacksCommand(argv, join(__dirname, "..")));
