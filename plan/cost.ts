/**
 * Estimated monthly cost of a plan from DigitalOcean list prices (data/digitalocean-catalog.json, dated).
 * A range: autoscaled pools cost their minimum when idle and their maximum at full scale.
 */
import { catalog } from "../lib/digitalocean-catalog";
import type { RecordedResource } from "./mock-runtime";

export interface CostLine {
  readonly item: string;
  readonly urn: string;
  readonly monthlyMin: number;
  readonly monthlyMax: number;
}

export interface CostEstimate {
  readonly currency: string;
  /** Date of the price table. */
  readonly pricesAsOf: string;
  readonly monthlyMin: number;
  readonly monthlyMax: number;
  readonly lines: readonly CostLine[];
}

/** A service or worker of an App spec, as the plan records it. */
interface AppComponent {
  readonly name?: string;
  readonly instanceSizeSlug?: string;
  readonly instanceCount?: number;
}

type Pricer = (resource: RecordedResource) => CostLine[];

const dropletMonthly = (size: unknown, where: string): number => {
  const entry = typeof size === "string" ? catalog.dropletSizes[size] : undefined;
  if (!entry) throw new Error(`${where}: no price for droplet size ${String(size)} in data/digitalocean-catalog.json`);
  return entry.monthly;
};

const line = (item: string, urn: string, min: number, max = min): CostLine => ({ item, urn, monthlyMin: min, monthlyMax: max });

const pricers: Record<string, Pricer> = {
  "digitalocean:index/kubernetesCluster:KubernetesCluster": (r) => {
    const pool = r.inputs.nodePool as { size?: string; nodeCount?: number };
    const count = pool.nodeCount ?? 1;
    const lines = [line(`core pool: ${count} x ${pool.size}`, r.urn, count * dropletMonthly(pool.size, r.urn))];
    if (r.inputs.ha === true) lines.push(line("HA control plane", r.urn, catalog.kubernetes.haControlPlaneMonthly));
    return lines;
  },
  "digitalocean:index/kubernetesNodePool:KubernetesNodePool": (r) => {
    const each = dropletMonthly(r.inputs.size, r.urn);
    const min = Number(r.inputs.minNodes ?? r.inputs.nodeCount ?? 1);
    const max = Number(r.inputs.maxNodes ?? r.inputs.nodeCount ?? min);
    return [line(`app pool ${String(r.inputs.name)}: ${min}-${max} x ${String(r.inputs.size)}`, r.urn, min * each, max * each)];
  },
  "digitalocean:index/databaseCluster:DatabaseCluster": (r) => {
    const size = catalog.databaseSizes[String(r.inputs.size)];
    if (!size) throw new Error(`${r.urn}: no price for database size ${String(r.inputs.size)} in data/digitalocean-catalog.json`);
    const nodes = Number(r.inputs.nodeCount ?? 1);
    return [line(`postgres: ${nodes} x ${String(r.inputs.size)}`, r.urn, nodes * size.monthlyPerNode)];
  },
  "digitalocean:index/loadBalancer:LoadBalancer": (r) => {
    const nodes = Number(r.inputs.sizeUnit ?? 1);
    return [line(`load balancer: ${nodes} node(s)`, r.urn, nodes * catalog.kubernetes.loadBalancerMonthlyPerNode)];
  },
  "digitalocean:index/app:App": (r) => {
    const spec = r.inputs.spec as { services?: AppComponent[]; workers?: AppComponent[] };
    return [...(spec.services ?? []), ...(spec.workers ?? [])].map((component) => {
      const size = catalog.appPlatformSizes[String(component.instanceSizeSlug)];
      if (!size)
        throw new Error(`${r.urn}: no price for App Platform size ${String(component.instanceSizeSlug)} in data/digitalocean-catalog.json`);
      const count = Number(component.instanceCount ?? 1);
      return line(`app ${String(component.name)}: ${count} x ${String(component.instanceSizeSlug)}`, r.urn, count * size.monthly);
    });
  },
  "digitalocean:index/volume:Volume": (r) => {
    const gib = Number(r.inputs.size ?? 0);
    return [line(`volume: ${gib} GiB`, r.urn, gib * catalog.kubernetes.blockStorageMonthlyPerGiB)];
  },
};

/**
 * Prices the plan's resources, plus `persistentGiB` of block storage that in-cluster workloads claim (volumes
 * Helm charts and StatefulSets create are not Pulumi resources). Spaces is one subscription however many buckets.
 */
export function estimateCost(resources: readonly RecordedResource[], persistentGiB: number): CostEstimate {
  const lines: CostLine[] = [];
  for (const resource of resources) lines.push(...(pricers[resource.type]?.(resource) ?? []));
  const bucket = resources.find((r) => r.type === "digitalocean:index/spacesBucket:SpacesBucket");
  if (bucket)
    lines.push(
      line(`Spaces subscription (${catalog.kubernetes.spacesIncludedGiB} GiB included)`, bucket.urn, catalog.kubernetes.spacesMonthlyBase),
    );
  // Volumes cost DigitalOcean block storage only on a DigitalOcean cluster; the local stack's are the laptop's disk.
  const onDigitalOcean = resources.some((r) => r.type === "digitalocean:index/kubernetesCluster:KubernetesCluster");
  if (persistentGiB > 0 && onDigitalOcean) {
    lines.push(
      line(
        `block storage claimed in-cluster: ${round(persistentGiB)} GiB`,
        "(helm releases and manifests)",
        persistentGiB * catalog.kubernetes.blockStorageMonthlyPerGiB,
      ),
    );
  }
  const sum = (pick: (l: CostLine) => number) => round(lines.reduce((total, l) => total + pick(l), 0));
  return {
    currency: catalog.currency,
    pricesAsOf: catalog.asOf,
    monthlyMin: sum((l) => l.monthlyMin),
    monthlyMax: sum((l) => l.monthlyMax),
    lines: lines.map((l) => ({ ...l, monthlyMin: round(l.monthlyMin), monthlyMax: round(l.monthlyMax) })),
  };
}

const round = (n: number) => Math.round(n * 100) / 100;
