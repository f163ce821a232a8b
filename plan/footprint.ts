/**
 * What the platform itself asks of the cluster: CPU and memory requests and persistent storage of every Helm
 * release (through its chart pin) and every workload declared directly. Tenant apps are not included.
 */
import { chartFootprint, type Footprint } from "../charts/chart";
import { chartForRelease } from "../charts/index";
import { shutdownManagerRequests } from "../components/gateway-envoy-proxy";
import { catalog } from "../lib/digitalocean-catalog";
import { cpuMillicores, memoryMiB, storageGiB } from "../lib/quantity";
import type { RecordedResource } from "./mock-runtime";

export interface FootprintLine extends Footprint {
  readonly source: string;
}

export interface PlatformFootprint {
  readonly cpuMillicores: number;
  readonly memoryMiB: number;
  readonly storageGiB: number;
  /** Nodes assumed for per-node workloads: the core pool plus every app pool at its minimum. */
  readonly nodeCount: number;
  readonly lines: readonly FootprintLine[];
  /** Workloads that request nothing, so the scheduler and the cost estimate cannot account for them. */
  readonly withoutRequests: readonly string[];
  /**
   * The core pool's droplets in total, before DOKS reserves part of each node for the kubelet and system pods:
   * an upper bound to hold the platform's requests against. Undefined without a DigitalOcean cluster.
   */
  readonly coreCapacity?: { readonly nodes: number; readonly size: string; readonly cpuMillicores: number; readonly memoryMiB: number };
}

/** The core pool's raw capacity, from the cluster's built-in pool and the dated catalog. */
export function coreCapacity(resources: readonly RecordedResource[]): PlatformFootprint["coreCapacity"] {
  const cluster = resources.find((r) => r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster");
  const pool = cluster?.inputs.nodePool as { size?: string; nodeCount?: number } | undefined;
  const size = pool?.size ? catalog.dropletSizes[pool.size] : undefined;
  if (!pool?.size || !size) return undefined;
  const nodes = pool.nodeCount ?? 1;
  return { nodes, size: pool.size, cpuMillicores: nodes * size.vcpus * 1000, memoryMiB: nodes * size.memoryMiB };
}

interface Container {
  readonly name?: string;
  readonly resources?: { readonly requests?: Record<string, string | number> };
}
interface PodSpec {
  readonly containers?: readonly Container[];
  readonly initContainers?: readonly Container[];
}

/** Sizes a pod spec times its replicas. Init containers run before, not beside, so only regular ones count. */
function podFootprint(source: string, spec: PodSpec | undefined, replicas: number, storage = 0): FootprintLine {
  let cpu = 0;
  let memory = 0;
  const withoutRequests: string[] = [];
  for (const container of spec?.containers ?? []) {
    const requests = container.resources?.requests;
    if (!requests?.cpu && !requests?.memory) withoutRequests.push(`${source}/${container.name ?? "container"}`);
    cpu += replicas * (requests?.cpu !== undefined ? cpuMillicores(requests.cpu) : 0);
    memory += replicas * (requests?.memory !== undefined ? memoryMiB(requests.memory) : 0);
  }
  return { source, cpuMillicores: cpu, memoryMiB: memory, storageGiB: storage, withoutRequests };
}

type ManifestSizer = (resource: RecordedResource, nodeCount: number) => FootprintLine | undefined;

const name = (r: RecordedResource) => {
  const metadata = (r.inputs.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(r.inputs.kind)} ${metadata.namespace ? `${metadata.namespace}/` : ""}${metadata.name ?? r.name}`;
};
const spec = (r: RecordedResource) => (r.inputs.spec ?? {}) as Record<string, unknown>;
const template = (r: RecordedResource) => (spec(r).template as { spec?: PodSpec } | undefined)?.spec ?? undefined;

/**
 * Sizers for objects declared directly, by Pulumi type. Custom resources that run pods (an EnvoyProxy, a
 * ClickHouseInstallation) add theirs here, next to the component that declares them.
 */
export const manifestSizers: Record<string, ManifestSizer> = {
  "kubernetes:apps/v1:Deployment": (r) => podFootprint(name(r), template(r), Number(spec(r).replicas ?? 1)),
  "kubernetes:apps/v1:DaemonSet": (r, nodes) => podFootprint(name(r), template(r), nodes),
  "kubernetes:apps/v1:StatefulSet": (r) => {
    const replicas = Number(spec(r).replicas ?? 1);
    const claims = (spec(r).volumeClaimTemplates ?? []) as { spec?: { resources?: { requests?: { storage?: string } } } }[];
    const perReplica = claims.reduce((gib, claim) => gib + storageGiB(claim.spec?.resources?.requests?.storage ?? 0), 0);
    return podFootprint(name(r), template(r), replicas, replicas * perReplica);
  },
  // Envoy Gateway runs one proxy Deployment per EnvoyProxy'd Gateway: Envoy (sized here) plus its shutdown-manager
  // sidecar (Envoy Gateway's built-in requests), at the HPA's minimum when there is one.
  "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy": (r) => {
    const kubernetes = ((spec(r).provider ?? {}) as { kubernetes?: Record<string, unknown> }).kubernetes ?? {};
    const deployment = (kubernetes.envoyDeployment ?? {}) as { replicas?: number; container?: Container };
    const hpa = kubernetes.envoyHpa as { minReplicas?: number } | undefined;
    const replicas = Number(hpa?.minReplicas ?? deployment.replicas ?? 1);
    const containers = [
      { name: "envoy", resources: deployment.container?.resources },
      { name: "shutdown-manager", resources: { requests: shutdownManagerRequests } },
    ];
    return podFootprint(`${name(r)} proxies`, { containers }, replicas);
  },
  "kubernetes:core/v1:PersistentVolumeClaim": (r) => {
    const storage = (spec(r).resources as { requests?: { storage?: string } } | undefined)?.requests?.storage;
    return { source: name(r), cpuMillicores: 0, memoryMiB: 0, storageGiB: storage ? storageGiB(storage) : 0, withoutRequests: [] };
  },
};

/** Nodes at minimum scale; 1 when the plan has no DigitalOcean cluster (the local stack). */
export function minimumNodeCount(resources: readonly RecordedResource[]): number {
  let nodes = 0;
  for (const r of resources) {
    if (r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster")
      nodes += Number((r.inputs.nodePool as { nodeCount?: number }).nodeCount ?? 1);
    if (r.type === "digitalocean:index/kubernetesNodePool:KubernetesNodePool")
      nodes += Number(r.inputs.minNodes ?? r.inputs.nodeCount ?? 1);
  }
  return Math.max(nodes, 1);
}

export function platformFootprint(resources: readonly RecordedResource[]): PlatformFootprint {
  const nodeCount = minimumNodeCount(resources);
  const lines: FootprintLine[] = [];
  for (const resource of resources) {
    // Both real releases and charts Pulumi renders (helm.v4.Chart) run the chart's workloads.
    if (resource.type === "kubernetes:helm.sh/v3:Release" || resource.type === "kubernetes:helm.sh/v4:Chart") {
      const chart = String(resource.inputs.chart);
      const pin = chartForRelease(chart);
      if (!pin) throw new Error(`${resource.urn}: chart ${chart} has no pin in charts/index.ts, so the plan cannot size it`);
      const values = (resource.inputs.values ?? {}) as Record<string, unknown>;
      lines.push({
        source: `helm ${String(resource.inputs.name ?? resource.name)} (${pin.chart})`,
        ...chartFootprint(pin, values, nodeCount),
      });
      continue;
    }
    const line = manifestSizers[resource.type]?.(resource, nodeCount);
    if (line) lines.push(line);
  }
  const total = (pick: (l: FootprintLine) => number) => Math.round(lines.reduce((sum, l) => sum + pick(l), 0) * 100) / 100;
  return {
    cpuMillicores: total((l) => l.cpuMillicores),
    memoryMiB: total((l) => l.memoryMiB),
    storageGiB: total((l) => l.storageGiB),
    nodeCount,
    lines,
    withoutRequests: lines.flatMap((l) => l.withoutRequests).sort(),
    coreCapacity: coreCapacity(resources),
  };
}
