/**
 * `npm run bench:plan [-- --runs N]`: how long the offline plan takes and how much memory it needs, per stack.
 * Each run is a fresh process (what `npm start` costs a newcomer), so module loading is included in the wall time.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, stacks: { type: "string", default: "dev,prod,local" } },
});
const runs = Number(values.runs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`offline plan, ${runs} runs per stack, each in a new node process (${process.version}, ${process.platform}/${process.arch})`);
console.log("stack   process wall (median / max)   plan inside process (median)   peak RSS (max)");
for (const stack of String(values.stacks).split(",")) {
  const wall: number[] = [];
  const inside: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawnSync(process.execPath, ["--import", "tsx", join(__dirname, "plan-once.ts"), stack], { encoding: "utf8" });
    wall.push(performance.now() - started);
    if (child.status !== 0) throw new Error(`plan of ${stack} failed:\n${child.stderr}`);
    const figures = JSON.parse(child.stdout.trim().split("\n").pop() as string) as { planMs: number; peakRssMiB: number };
    inside.push(figures.planMs);
    rss.push(figures.peakRssMiB);
  }
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `${stack.padEnd(7)} ${`${s(median(wall))} / ${s(Math.max(...wall))}`.padEnd(29)} ${s(median(inside)).padEnd(30)} ${Math.max(...rss).toFixed(0)} MiB`,
  );
}
