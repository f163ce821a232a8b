/**
 * What a chart module declares: where the chart comes from, the exact version, and which of its values say how
 * much CPU, memory and disk its workloads request. Every third-party chart loco installs has one module in
 * charts/, and all of them are listed in charts/index.ts (`npm run deps` prints the table).
 */
import { cpuMillicores, memoryMiB, storageGiB } from "../lib/quantity";
import { valueAt } from "../lib/value-at";

/** One workload a chart renders, located by paths into its values ("a.b.c"). */
export interface ChartWorkload {
  /** Human name in the plan summary, e.g. "controller". */
  readonly name: string;
  /** Path to the replica count, or a fixed count when the chart has no such value. */
  readonly replicas: string | number;
  /** Path to the container's `resources` block (requests are read from it). */
  readonly resources: string;
  /** Path to a boolean that switches the workload off, or a predicate on the values (Harbor's nginx runs only for some expose types). */
  readonly enabledWhen?: string | ((values: Record<string, unknown>) => boolean);
  /** A DaemonSet (one replica per node), or a predicate on the values that says whether it is one. */
  readonly perNode?: boolean | ((values: Record<string, unknown>) => boolean);
  /** Paths to persistent volume sizes (e.g. "persistence.size"), counted once per replica. */
  readonly volumes?: readonly string[];
}

export interface ChartPin {
  /** Chart name as published. */
  readonly chart: string;
  /** `https://` Helm repository, or the `oci://` reference of the chart itself. */
  readonly repository: string;
  /** Exact chart version. Never a range, never "latest". */
  readonly version: string;
  /** Upstream project, for the deps table. */
  readonly project: string;
  /** The workloads whose requests the plan sums. */
  readonly workloads: readonly ChartWorkload[];
}

export interface Footprint {
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
  readonly storageGiB: number;
  /** Workloads that run but request nothing: the scheduler cannot plan for them. */
  readonly withoutRequests: readonly string[];
}

/** `helm.v3.Release` arguments that select the pinned chart. */
export function chartSource(pin: ChartPin): { chart: string; version: string; repositoryOpts?: { repo: string } } {
  return pin.repository.startsWith("oci://")
    ? { chart: pin.repository, version: pin.version }
    : { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repository } };
}

/** What the pinned chart's workloads request with these values. Unset replica counts count as 1. */
export function chartFootprint(pin: ChartPin, values: Record<string, unknown>, nodeCount: number): Footprint {
  let cpu = 0;
  let memory = 0;
  let storage = 0;
  const withoutRequests: string[] = [];
  for (const workload of pin.workloads) {
    if (
      typeof workload.enabledWhen === "function"
        ? !workload.enabledWhen(values)
        : workload.enabledWhen && valueAt(values, workload.enabledWhen) === false
    )
      continue;
    const configured = typeof workload.replicas === "number" ? workload.replicas : valueAt(values, workload.replicas);
    const perNode = typeof workload.perNode === "function" ? workload.perNode(values) : workload.perNode === true;
    const replicas = perNode ? nodeCount : typeof configured === "number" ? configured : 1;
    const requests = (valueAt(values, workload.resources) as { requests?: Record<string, string | number> } | undefined)?.requests;
    if (!requests?.cpu && !requests?.memory) withoutRequests.push(`${pin.chart}/${workload.name}`);
    cpu += replicas * (requests?.cpu !== undefined ? cpuMillicores(requests.cpu) : 0);
    memory += replicas * (requests?.memory !== undefined ? memoryMiB(requests.memory) : 0);
    for (const volume of workload.volumes ?? []) {
      const size = valueAt(values, volume);
      if (typeof size === "string" || typeof size === "number") storage += replicas * storageGiB(size);
    }
  }
  return { cpuMillicores: cpu, memoryMiB: memory, storageGiB: storage, withoutRequests };
}
