/**
 * What every command line of this project shares, on commander: `--help` that lists the options and exits 0,
 * one exit-code convention (lib/command-result.ts: 0 done, 1 failed, 64 bad command line), errors said in one
 * line plus a pointer to `--help`, never a stack trace for a mistake on the command line.
 *
 * A command is a {@link CliCommand}: options are declared as usual, and the action is given with
 * {@link CliCommand.runs}, returning a {@link CommandResult} instead of printing and exiting, so tests run the
 * whole command line in-process with {@link execute} and the entry point ({@link runAsProcess}) does the printing.
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { failure, usageExitCode, type CommandResult } from "../lib/command-result";

export { InvalidArgumentError, type CommandResult };

export class CliCommand extends Command {
  private result?: CommandResult;

  /** Subcommands (`.command(...)`) are CliCommands too. */
  override createCommand(name?: string): CliCommand {
    return new CliCommand(name);
  }

  /**
   * The action: `handler` gets the command's arguments, then its options (as commander passes them), and returns
   * what to print and the exit code.
   */
  runs<A extends unknown[]>(handler: (...args: A) => CommandResult | Promise<CommandResult>): this {
    return this.action(async (...args: unknown[]) => {
      rootOf(this).result = await handler(...(args as A));
    });
  }

  /** Stops with a bad-command-line error (exit 64), said the way commander says its own. */
  usageError(message: string): never {
    this.error(`error: ${message}`, { exitCode: usageExitCode, code: "loco.usage" });
  }

  /** What the action returned, once {@link execute} has run it. */
  takeResult(): CommandResult | undefined {
    return this.result;
  }
}

function rootOf(command: CliCommand): CliCommand {
  let root = command;
  while (root.parent) root = root.parent as CliCommand;
  return root;
}

function withDescendants(command: Command): Command[] {
  return [command, ...command.commands.flatMap(withDescendants)];
}

/** "npm run resurrector -- plan": how a user types this (sub)command. */
function typedAs(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent) names.unshift(current.name());
  return names.join(" ");
}

/** Parses `argv` (the arguments after the command's name) and runs the action it selects. */
export async function execute(program: CliCommand, argv: readonly string[]): Promise<CommandResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  for (const command of withDescendants(program)) {
    command
      .exitOverride()
      .configureOutput({ writeOut: (text) => stdout.push(text), writeErr: (text) => stderr.push(text) })
      .showHelpAfterError(`Run \`${typedAs(command)} --help\` for the options.`);
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // --help (and the help subcommand) end with exit code 0; every other stop is a bad command line.
    return { code: error.exitCode === 0 ? 0 : usageExitCode, stdout: stdout.join(""), stderr: stderr.join("").trimEnd() };
  }
  return program.takeResult() ?? { code: 0, stdout: stdout.join(""), stderr: stderr.join("").trimEnd() };
}

/** A parser for an option that takes a whole number from `min` to `max`; commander names the option in the error. */
export function wholeNumber(min: number, max: number): (value: string) => number {
  return (value) => {
    const number = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(number >= min && number <= max)) throw new InvalidArgumentError(`It must be a whole number from ${min} to ${max}.`);
    return number;
  };
}

const endWithNewline = (text: string) => (text.endsWith("\n") ? text : `${text}\n`);

/**
 * The process entry point: runs `command` on this process's arguments, prints its result and exits with its code.
 * Exits explicitly, because Pulumi's runtime or a database pool may keep the event loop alive after the work is done.
 * Only a bug reaches the catch-all, and a bug's stack trace is worth having.
 */
export function runAsProcess(name: string, command: (argv: readonly string[]) => Promise<CommandResult>): void {
  void command(process.argv.slice(2))
    .catch((error: unknown) =>
      failure(
        1,
        `${name}: unexpected failure (a bug: please report it with what follows)\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      ),
    )
    .then((result) => {
      if (result.stdout) process.stdout.write(endWithNewline(result.stdout));
      if (result.stderr) process.stderr.write(endWithNewline(result.stderr));
      process.stdout.write("", () => process.stderr.write("", () => process.exit(result.code)));
    });
}
