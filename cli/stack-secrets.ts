/**
 * `npm run stack:secrets -- --stack <name> [--check]`, in CI: sets each placeholder secret of Pulumi.<name>.yaml
 * from the GitHub environment's secrets, which the workflow passes as JSON in STACK_SECRETS
 * (`${{ toJSON(secrets) }}`), with `pulumi config set --secret` (value on stdin). `--check` only says whether all
 * are there (pull-request previews skip an environment whose secrets are not configured). Values are never printed.
 * Exit codes: 0 done (or all present), 1 secrets missing or pulumi failed, 64 bad command line.
 */
import { join } from "node:path";
import { assertSecretsPresent, parseEnvironmentSecrets, requiredSecrets, setStackSecrets } from "../delivery/stack-secrets";
import type { CommandResult } from "../lib/command-result";
import { CliCommand, execute, runAsProcess } from "./command-line";

interface StackSecretsOptions {
  readonly stack: string;
  readonly check?: boolean;
}

function run(options: StackSecretsOptions, projectDir: string, env: NodeJS.ProcessEnv): CommandResult {
  try {
    const required = requiredSecrets(projectDir, options.stack);
    const secrets = parseEnvironmentSecrets(env.STACK_SECRETS);
    const names = required.map((r) => r.secretName).join(", ") || "none";
    if (options.check) {
      assertSecretsPresent(options.stack, required, secrets);
      return { code: 0, stdout: `stack ${options.stack}: every secret it needs is set (${names})`, stderr: "" };
    }
    setStackSecrets(options.stack, required, secrets, projectDir, env);
    return { code: 0, stdout: `stack ${options.stack}: set ${required.length} secret config value(s) from ${names}`, stderr: "" };
  } catch (error) {
    return { code: 1, stdout: "", stderr: (error as Error).message };
  }
}

export function stackSecretsCommand(
  argv: readonly string[],
  projectDir: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandResult> {
  const program = new CliCommand("npm run stack:secrets --")
    .description("Set a stack's placeholder secrets from the GitHub environment's secrets (JSON in STACK_SECRETS).")
    .requiredOption("--stack <name>", "the stack (Pulumi.<name>.yaml)")
    .option("--check", "only check that every secret the stack needs is present")
    .addHelpText("after", "\nExit codes: 0 done (or every secret present), 1 secrets missing or pulumi failed, 64 bad command line.")
    .runs((options: StackSecretsOptions) => run(options, projectDir, env));
  return execute(program, argv);
}

if (require.main === module) runAsProcess("stack:secrets", (argv) => stackSecretsCommand(argv, join(__dirname, "..")));
