/**
 * One offline plan in this process, written to the given folder; prints its own timing and peak memory as JSON.
 * The child bench/plan.ts starts per run (`plan-once.ts <stack> <out dir>`), not a command of its own.
 */
import { join } from "node:path";
import { planCommand } from "../cli/plan";

async function main(): Promise<void> {
  const [stack, outDir] = process.argv.slice(2);
  const started = performance.now();
  const result = await planCommand(["--stack", stack, "--out", outDir], join(__dirname, ".."));
  const planMs = performance.now() - started;
  if (result.code !== 0) {
    process.stderr.write(`${result.stderr}\n`);
    process.exit(result.code);
  }
  console.log(JSON.stringify({ planMs, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

void main();
