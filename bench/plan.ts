/**
 * `npm run bench:plan [-- --runs N] [--stacks a,b]`: how long the offline plan takes and how much memory it needs,
 * per stack. Each run is a fresh process (what `npm start` costs a newcomer), so module loading is included in the
 * wall time. Progress goes to stderr, the table to stdout; the plans are written to a temporary directory that is
 * removed at the end, also on failure or Ctrl-C.
 */
import { join } from "node:path";
import { done, failure, type CommandResult } from "../lib/command-result";
import { CliCommand, execute, InvalidArgumentError, runAsProcess, wholeNumber } from "../cli/command-line";
import { existingStacks, stackNameProblem } from "../stacks/stack-name";
import { runChild, withCleanup, type Cleanup } from "./cleanup";

interface BenchPlanOptions {
  readonly runs: number;
  readonly stacks: readonly string[];
}

/** `--stacks`: comma-separated names of this project's stacks. */
function stackList(projectDir: string): (value: string) => string[] {
  return (value) => {
    const stacks = value.split(",").map((name) => name.trim());
    const known = existingStacks(projectDir);
    for (const stack of stacks) {
      const problem = stackNameProblem(stack);
      if (problem) throw new InvalidArgumentError(`The ${problem}.`);
      if (!known.includes(stack))
        throw new InvalidArgumentError(`"${stack}" is not a stack of this project (its stacks: ${known.join(", ")}).`);
    }
    return stacks;
  };
}

export function benchPlanCommand(argv: readonly string[], projectDir: string): Promise<CommandResult> {
  const program = new CliCommand("npm run bench:plan --")
    .description("Wall time, in-process plan time and peak memory of the offline plan per stack, each run a fresh node process.")
    .option("--runs <n>", "fresh processes per stack (1 to 100)", wholeNumber(1, 100), 5)
    .option("--stacks <names>", "comma-separated stacks to plan", stackList(projectDir), ["dev", "prod", "local"])
    .addHelpText("after", "\nExit codes: 0 measured, 1 a plan failed, 64 bad command line.")
    .runs((options: BenchPlanOptions) => withCleanup((cleanup) => measure(options, cleanup)));
  return execute(program, argv);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function measure(options: BenchPlanOptions, cleanup: Cleanup): Promise<CommandResult> {
  const outRoot = cleanup.temporaryDirectory("loco-bench-plan-");
  console.log(
    `offline plan, ${options.runs} runs per stack, each in a new node process (${process.version}, ${process.platform}/${process.arch})`,
  );
  console.log("stack   process wall (median / max)   plan inside process (median)   peak RSS (max)");
  for (const stack of options.stacks) {
    const wall: number[] = [];
    const inside: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      const started = performance.now();
      const child = await runChild(cleanup, process.execPath, [
        "--import",
        "tsx",
        join(__dirname, "plan-once.ts"),
        stack,
        join(outRoot, `${stack}-${i}`),
      ]);
      wall.push(performance.now() - started);
      if (child.status !== 0) return failure(1, `bench:plan: the plan of ${stack} failed:\n${child.stderr}`);
      const figures = JSON.parse(child.stdout.trim().split("\n").pop() as string) as { planMs: number; peakRssMiB: number };
      inside.push(figures.planMs);
      rss.push(figures.peakRssMiB);
      process.stderr.write(`${stack}: run ${i + 1}/${options.runs} took ${seconds(wall[i])}\n`);
    }
    console.log(
      `${stack.padEnd(7)} ${`${seconds(median(wall))} / ${seconds(Math.max(...wall))}`.padEnd(29)} ${seconds(median(inside)).padEnd(30)} ${Math.max(...rss).toFixed(0)} MiB`,
    );
  }
  return done("");
}

if (require.main === module) runAsProcess("bench:plan", (argv) => benchPlanCommand(argv, join(__dirname, "..")));
