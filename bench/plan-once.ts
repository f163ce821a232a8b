/** One offline plan in this process; prints its own timing and peak memory as JSON (used by bench/plan.ts). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planCommand } from "../cli/plan";

async function main(): Promise<void> {
  const stack = process.argv[2] ?? "dev";
  const started = performance.now();
  const result = await planCommand(["--stack", stack, "--out", mkdtempSync(join(tmpdir(), "loco-bench-plan-"))], join(__dirname, ".."));
  const planMs = performance.now() - started;
  if (result.code !== 0) throw new Error(result.stderr);
  console.log(JSON.stringify({ planMs, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

void main().then(() => process.exit(0));
