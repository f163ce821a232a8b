/**
 * `npm run plan -- --stack <name> [--out DIR] [--json]`: the offline plan of a stack. `npm start` plans dev.
 * Exit codes: 0 planned, 1 the program or its config is invalid, 2 bad command line.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildPlan } from "../plan/offline-plan";
import { formatSummary } from "../plan/print-summary";
import { sortedKeys } from "../plan/secrets";
import { writePlan } from "../plan/write-plan";
import { ConfigError } from "../stacks/config";

const usage = "usage: npm run plan -- --stack <name> [--out DIR] [--json]";

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function planCommand(argv: readonly string[], projectDir: string): Promise<CommandResult> {
  let options;
  try {
    options = parseArgs({
      args: [...argv],
      options: { stack: { type: "string", default: "dev" }, out: { type: "string" }, json: { type: "boolean", default: false } },
      strict: true,
    }).values;
  } catch (error) {
    return { code: 2, stdout: "", stderr: `${(error as Error).message}\n${usage}` };
  }
  const stack = options.stack ?? "dev";
  const outDir = options.out ?? join(projectDir, "out", "plan", stack);
  try {
    const plan = await buildPlan(projectDir, stack);
    writePlan(plan, outDir);
    const stdout = options.json ? JSON.stringify(sortedKeys(plan.summary), null, 2) : formatSummary(plan.summary, outDir);
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    // Config problems are the user's to fix and already say where; anything else gets its stack for a bug report.
    const message =
      error instanceof ConfigError
        ? error.message
        : `The offline plan of stack "${stack}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    return { code: 1, stdout: "", stderr: message };
  }
}

if (require.main === module) {
  void planCommand(process.argv.slice(2), join(__dirname, "..")).then((result) => {
    if (result.stdout) console.log(result.stdout);
    if (result.stderr) console.error(result.stderr);
    process.exit(result.code);
  });
}
