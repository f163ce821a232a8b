/** Writes an offline plan to disk: byte-identical for the same program and config. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import type { OfflinePlan } from "./offline-plan";
import { summarizeProviderCode } from "./dynamic-providers";
import { masked, sortedKeys } from "./secrets";

const json = (value: unknown) => `${JSON.stringify(sortedKeys(value), null, 2)}\n`;
const yaml = (value: unknown) => stringify(sortedKeys(value), { lineWidth: 0 });

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Replaces what a previous plan wrote in `outDir` (only the plan's own files) with this plan. */
export function writePlan(plan: OfflinePlan, outDir: string): void {
  for (const entry of ["manifests", "helm", "resources.json", "summary.json", "outputs.json"]) {
    rmSync(join(outDir, entry), { recursive: true, force: true });
  }
  const resources = plan.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent ?? null,
    provider: r.provider ?? null,
    dependencies: r.dependencies,
    protect: r.protect,
    ignoreChanges: r.ignoreChanges,
    inputs: masked(summarizeProviderCode(r.inputs)),
  }));
  write(join(outDir, "resources.json"), json(resources));
  write(join(outDir, "outputs.json"), json(masked(plan.stackOutputs)));
  for (const manifest of plan.manifests) write(join(outDir, "manifests", manifest.file), yaml(manifest.object));
  write(
    join(outDir, "helm", "releases.json"),
    json(plan.releases.map(({ values: _values, ...release }) => ({ ...release, valuesFile: `${release.name}.values.yaml` }))),
  );
  for (const release of plan.releases) write(join(outDir, "helm", `${release.name}.values.yaml`), yaml(release.values));
  write(join(outDir, "summary.json"), json(plan.summary));
}
