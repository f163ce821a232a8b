/**
 * Runs a commander program in-process and hands back what it printed and its exit code, so a command is
 * testable without a child process. Conventions: `--help` exits 0; a usage error (unknown option, missing
 * value, bad combination) exits 64 (EX_USAGE) with one line and the usage.
 */
import { Command, CommanderError } from "commander";

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const usageErrorCode = 64;

/** Thrown from an action for a bad combination of options commander cannot express. */
export class UsageError extends Error {}

export async function runCommander(
  program: Command,
  argv: readonly string[],
  action: () => Promise<CommandResult>,
): Promise<CommandResult> {
  let stdout = "";
  let stderr = "";
  program
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({
      writeOut: (text) => (stdout += text),
      writeErr: (text) => (stderr += text),
    });
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    return { code: error.exitCode === 0 ? 0 : usageErrorCode, stdout: stdout.trimEnd(), stderr: stderr.trimEnd() };
  }
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return { code: usageErrorCode, stdout: "", stderr: `error: ${error.message}\n${program.helpInformation().trimEnd()}` };
  }
}

/** Prints a result and exits with its code: the end of every `require.main === module` block. */
export function finish(result: CommandResult): never {
  if (result.stdout) console.log(result.stdout);
  if (result.stderr) console.error(result.stderr);
  process.exit(result.code);
}
