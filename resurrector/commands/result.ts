/** What a resurrector command returns: the CLI prints it and exits with the code; tests assert on it. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Exit code for a command line that cannot be understood (sysexits' EX_USAGE); 1 and 2 mean health for `status`. */
export const usageExitCode = 64;

export const failure = (code: number, stderr: string): CommandResult => ({ code, stdout: "", stderr });
