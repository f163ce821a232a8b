/**
 * What a command returns instead of printing and exiting itself: the CLI entry point prints it and exits with the
 * code; tests assert on it. One exit-code convention for every command of this project:
 *
 * - 0: done (for `resurrector status`: healthy);
 * - 1: the command ran and failed: invalid stack config, a refused request, an unreachable database (commands
 *   with more outcomes document theirs in `--help`, e.g. `resurrector status`: 1 degraded, 2 down, 3 could not probe);
 * - 64: the command line itself is wrong: an unknown option, a missing or malformed value (EX_USAGE of sysexits.h).
 */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Exit code for a command line that cannot be understood (sysexits' EX_USAGE); 1 and up mean outcomes. */
export const usageExitCode = 64;

export const done = (stdout: string): CommandResult => ({ code: 0, stdout, stderr: "" });

export const failure = (code: number, stderr: string): CommandResult => ({ code, stdout: "", stderr });
