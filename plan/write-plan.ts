/** Writes an offline plan to disk: byte-identical for the same program and config. */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { stringify } from "yaml";
import type { OfflinePlan } from "./offline-plan";
import { summarizeProviderCode } from "./dynamic-providers";
import { masked, sortedKeys } from "./secrets";

const json = (value: unknown) => `${JSON.stringify(sortedKeys(value), null, 2)}\n`;
const yaml = (value: unknown) => stringify(sortedKeys(value), { lineWidth: 0 });

/** `file` inside `outDir`; a name that would lead outside it (`../`) is a bug, and stops the plan. */
function pathInside(outDir: string, file: string): string {
  const path = resolve(outDir, file);
  const inside = relative(resolve(outDir), path);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside))
    throw new Error(`the plan file ${file} would be written outside ${outDir}`);
  return path;
}

/** Replaces what a previous plan wrote in `outDir` (only the plan's own files) with this plan. */
export function writePlan(plan: OfflinePlan, outDir: string): void {
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
  const files: [string, string][] = [
    ["resources.json", json(resources)],
    ["outputs.json", json(masked(plan.stackOutputs))],
    ...plan.manifests.map((manifest): [string, string] => [join("manifests", manifest.file), yaml(manifest.object)]),
    [
      join("helm", "releases.json"),
      json(plan.releases.map(({ values: _values, ...release }) => ({ ...release, valuesFile: `${release.name}.values.yaml` }))),
    ],
    ...plan.releases.map((release): [string, string] => [join("helm", `${release.name}.values.yaml`), yaml(release.values)]),
    ["summary.json", json(plan.summary)],
  ];
  // Every name is checked before anything is removed or written.
  const paths = files.map(([file]) => pathInside(outDir, file));
  for (const entry of ["manifests", "helm", "resources.json", "summary.json", "outputs.json"]) {
    rmSync(join(outDir, entry), { recursive: true, force: true });
  }
  files.forEach(([, text], i) => {
    mkdirSync(dirname(paths[i]), { recursive: true });
    writeFileSync(paths[i], text);
  });
}
