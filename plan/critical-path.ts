/**
 * The chain of dependent resources that bounds how long `pulumi up` takes on an empty environment. The
 * engine creates independent resources in parallel, so the slowest dependency chain sets the wall time.
 * Durations are typical creation times, not measurements of this stack: use them to compare plans.
 */
import type { RecordedResource } from "./mock-runtime";

/** Typical minutes to create a resource of this type; everything else is an API call (~0.1 min). */
export const typicalMinutes: Record<string, number> = {
  "digitalocean:index/kubernetesCluster:KubernetesCluster": 7,
  "digitalocean:index/kubernetesNodePool:KubernetesNodePool": 4,
  "digitalocean:index/databaseCluster:DatabaseCluster": 7,
  "digitalocean:index/loadBalancer:LoadBalancer": 2,
  "kubernetes:helm.sh/v3:Release": 2,
  // A component whose children (the rendered objects) the offline plan cannot see; it stands for them.
  "kubernetes:helm.sh/v4:Chart": 1,
};
const defaultMinutes = 0.1;

export interface CriticalPath {
  readonly estimatedMinutes: number;
  readonly steps: readonly { readonly urn: string; readonly type: string; readonly minutes: number }[];
}

/** Providers and components take no time of their own, except a rendered chart, which stands for its objects. */
const minutesFor = (r: RecordedResource) => {
  if (r.type === "kubernetes:helm.sh/v4:Chart") return typicalMinutes[r.type];
  return r.custom && !r.type.startsWith("pulumi:providers:") ? (typicalMinutes[r.type] ?? defaultMinutes) : 0;
};

export function criticalPath(resources: readonly RecordedResource[]): CriticalPath {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const finish = new Map<string, { minutes: number; previous?: string }>();
  const visiting = new Set<string>();

  const finishOf = (urn: string): number => {
    const known = finish.get(urn);
    if (known) return known.minutes;
    const resource = byUrn.get(urn);
    if (!resource) return 0;
    if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
    visiting.add(urn);
    let start = 0;
    let previous: string | undefined;
    // The engine also waits for a resource's provider (a Kubernetes provider waits for its cluster).
    for (const dependency of resource.provider ? [...resource.dependencies, resource.provider] : resource.dependencies) {
      const done = finishOf(dependency);
      if (done > start || (done === start && previous !== undefined && dependency < previous)) {
        start = done;
        previous = dependency;
      }
    }
    visiting.delete(urn);
    const minutes = start + minutesFor(resource);
    finish.set(urn, { minutes, previous });
    return minutes;
  };

  let last: string | undefined;
  let longest = 0;
  for (const resource of [...resources].sort((a, b) => a.urn.localeCompare(b.urn))) {
    const minutes = finishOf(resource.urn);
    if (minutes > longest) {
      longest = minutes;
      last = resource.urn;
    }
  }
  const steps: CriticalPath["steps"][number][] = [];
  for (let urn = last; urn; urn = finish.get(urn)?.previous) {
    const resource = byUrn.get(urn);
    if (resource && minutesFor(resource) > 0) steps.unshift({ urn, type: resource.type, minutes: minutesFor(resource) });
  }
  return { estimatedMinutes: Math.round(longest * 10) / 10, steps };
}
