/** The resurrector's commands share the project's command result and exit-code convention (lib/command-result.ts). */
export { failure, usageExitCode, type CommandResult } from "../../lib/command-result";
