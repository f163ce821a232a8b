/**
 * The offline plan: the real program, evaluated with a stack's config under the mock runtime, turned into the
 * files reviewers read (the contract in DESIGN.md). No credentials, no Pulumi CLI, no network.
 */
import { join, resolve } from "node:path";
import { placeholderMarker } from "./cloud-placeholders";
import { estimateCost, type CostEstimate } from "./cost";
import { criticalPath, type CriticalPath } from "./critical-path";
import { platformFootprint, type PlatformFootprint } from "./footprint";
import { runUnderMocks, type RecordedResource } from "./mock-runtime";
import { countSecrets, masked, maskedKeepingKeys, sortedKeys } from "./secrets";
import { parseStackConfig } from "../stacks/config";
import { isResurrectorStack, parseResurrectorConfig } from "../stacks/resurrector-config";
import { readStackConfig, type StackFileConfig } from "./stack-file";

export interface Manifest {
  /** Path under manifests/. */
  readonly file: string;
  readonly object: Record<string, unknown>;
}

export interface HelmRelease {
  readonly name: string;
  /** A real Helm release, or a chart Pulumi renders and applies object by object (no release record in the cluster). */
  readonly via: "helm.v3.Release" | "helm.v4.Chart";
  readonly namespace: string;
  readonly repo?: string;
  readonly chart: string;
  readonly version: string;
  readonly values: Record<string, unknown>;
}

export interface PlanSummary {
  readonly stack: string;
  readonly configFile: string;
  readonly note: string;
  readonly placeholderConfigKeys: readonly string[];
  readonly resources: {
    readonly total: number;
    readonly byType: Record<string, number>;
    readonly byComponent: Record<string, Record<string, number>>;
  };
  readonly cost: CostEstimate;
  readonly platformRequests: PlatformFootprint;
  readonly criticalPath: CriticalPath;
  readonly secrets: { readonly secretInputValues: number; readonly resourcesWithSecrets: number; readonly secretStackOutputs: number };
  readonly files: { readonly manifests: number; readonly helmReleases: number };
}

export interface OfflinePlan {
  readonly config: StackFileConfig;
  readonly resources: readonly RecordedResource[];
  readonly stackOutputs: Record<string, unknown>;
  readonly manifests: readonly Manifest[];
  readonly releases: readonly HelmRelease[];
  readonly summary: PlanSummary;
  /** Secret values the mocks generated (mock-runtime.ts: `generatedSecrets`); never written, kept to check that. */
  readonly generatedSecrets: readonly string[];
}

const kubernetesObjectType = /^kubernetes:(?!helm\.sh\/|yaml|kustomize)[^:]+:[A-Za-z]+$/;

/** Evaluates the program at `projectDir` for `stack` and gathers everything the plan files contain. */
export async function buildPlan(projectDir: string, stack: string): Promise<OfflinePlan> {
  const root = resolve(projectDir);
  const config = readStackConfig(root, stack);
  // Fail on config before the runtime starts: the program validates the same way, but a throw inside the root
  // Stack also rejects promises Pulumi keeps internally, which would bury the message under noise.
  const raw = { stack, project: config.project, values: config.values, secretKeys: new Set(config.secretKeys) };
  if (isResurrectorStack(stack)) parseResurrectorConfig(raw);
  else parseStackConfig(raw);
  // The real entry point, exactly as `pulumi up` loads it: a function Pulumi calls for the stack outputs.
  const program = require(join(root, "index.ts")) as () => Promise<Record<string, unknown>>;
  const run = await runUnderMocks(program, { project: config.project, stack, config, asStack: true });
  const resources = [...run.resources].sort((a, b) => a.urn.localeCompare(b.urn));
  const stackOutputs = run.stackOutputs ?? {};

  const manifests = resources.filter((r) => kubernetesObjectType.test(r.type)).map(toManifest);
  const releases = resources.filter((r) => helmTypes.includes(r.type)).map(toRelease);
  assertUniqueFiles(
    manifests.map((m) => m.file),
    "manifests",
  );
  assertUniqueFiles(
    releases.map((r) => r.name),
    "helm release names",
  );

  const footprint = platformFootprint(resources);
  const summary: PlanSummary = {
    stack,
    configFile: config.file,
    note: `Evaluated offline under Pulumi's mock runtime. Values containing "${placeholderMarker}", hosts ending in .invalid and addresses in 203.0.113.0/24 stand for what the cloud computes at deploy time.`,
    placeholderConfigKeys: config.placeholderKeys,
    resources: countResources(resources),
    cost: estimateCost(resources, footprint.storageGiB),
    platformRequests: footprint,
    criticalPath: criticalPath(resources),
    secrets: {
      secretInputValues: resources.reduce((n, r) => n + countSecrets(r.inputs), 0),
      resourcesWithSecrets: resources.filter((r) => countSecrets(r.inputs) > 0).length,
      secretStackOutputs: countSecrets(stackOutputs),
    },
    files: { manifests: manifests.length, helmReleases: releases.length },
  };
  return { config, resources, stackOutputs, manifests, releases, summary, generatedSecrets: run.generatedSecrets };
}

function toManifest(resource: RecordedResource): Manifest {
  const object = maskedKeepingKeys(resource.inputs) as Record<string, unknown>;
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  const kind = String(object.kind ?? resource.type.split(":").pop()).toLowerCase();
  const file = `${metadata.namespace ?? "_cluster"}/${kind}-${metadata.name ?? resource.name}.yaml`;
  return { file, object };
}

/** Helm charts the program installs: as releases, or rendered by Pulumi (helm.v4.Chart). */
export const helmTypes = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

function toRelease(resource: RecordedResource): HelmRelease {
  const inputs = resource.inputs;
  return {
    name: String(inputs.name ?? resource.name),
    via: resource.type === "kubernetes:helm.sh/v4:Chart" ? "helm.v4.Chart" : "helm.v3.Release",
    namespace: String(inputs.namespace ?? "default"),
    repo: (inputs.repositoryOpts as { repo?: string } | undefined)?.repo,
    chart: String(inputs.chart),
    version: String(inputs.version),
    values: masked(inputs.values ?? {}) as Record<string, unknown>,
  };
}

function assertUniqueFiles(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`two objects would be written as ${name} (${what}): names must be unique`);
    seen.add(name);
  }
}

/**
 * Where a resource is counted: its layer (the component under the stack) and, below that, the component it belongs
 * to, as "<layer> > <component>"; just the layer for what a layer declares itself; "(stack)" for what sits directly
 * under the stack. Two levels, because every resource of a stack is in one of a handful of layers.
 */
function componentOf(resource: RecordedResource, byUrn: Map<string, RecordedResource>): string {
  const ancestors: RecordedResource[] = [];
  for (
    let parent = resource.parent ? byUrn.get(resource.parent) : undefined;
    parent;
    parent = parent.parent ? byUrn.get(parent.parent) : undefined
  ) {
    if (parent.type !== "pulumi:pulumi:Stack") ancestors.unshift(parent);
  }
  const components = ancestors.filter((ancestor) => !ancestor.custom).slice(0, 2);
  return components.length === 0 ? "(stack)" : components.map((component) => `${component.type} ${component.name}`).join(" > ");
}

function countResources(resources: readonly RecordedResource[]): PlanSummary["resources"] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const byType: Record<string, number> = {};
  const byComponent: Record<string, Record<string, number>> = {};
  let total = 0;
  for (const resource of resources) {
    if (resource.type === "pulumi:pulumi:Stack") continue;
    total++;
    byType[resource.type] = (byType[resource.type] ?? 0) + 1;
    if (!resource.custom) continue;
    const component = componentOf(resource, byUrn);
    byComponent[component] ??= {};
    byComponent[component][resource.type] = (byComponent[component][resource.type] ?? 0) + 1;
  }
  return {
    total,
    byType: sortedKeys(byType) as Record<string, number>,
    byComponent: sortedKeys(byComponent) as Record<string, Record<string, number>>,
  };
}
