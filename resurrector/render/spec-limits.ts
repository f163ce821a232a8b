/**
 * The largest values an app spec may ask for. loco's database is user input that passed through loco's API; a
 * value no cluster of this platform could ever run (`memory: 99999999999Ti`, `maxReplicas: 100000`) is a data
 * error, and the row is reported as skipped with the limit it broke, never rendered.
 */
import { catalog } from "../../lib/digitalocean-catalog";

const dropletSizes = Object.values(catalog.dropletSizes);

/** The biggest node any pool can have: the largest droplet in data/digitalocean-catalog.json, CPU and memory each. */
export const largestDroplet = {
  vcpus: Math.max(...dropletSizes.map((size) => size.vcpus)),
  memoryMiB: Math.max(...dropletSizes.map((size) => size.memoryMiB)),
} as const;

export const specLimits = {
  /** CPU a replica may request, in cores: a pod never spans nodes, so no more than the largest droplet has. */
  cpuCores: largestDroplet.vcpus,
  /** Memory a replica may request, in bytes: no more than the largest droplet has. */
  memoryBytes: largestDroplet.memoryMiB * 2 ** 20,
  /**
   * Replicas of one app. loco's own CLI caps `replicas_max` at 3 (shared/config/loader.go at e08302e); 100 leaves
   * loco room to raise that and still refuses a typo such as 1000 or 99999.
   */
  replicas: 100,
  /** Probe periods and timeouts, in seconds (an hour: anything longer is not a health check). */
  probeSeconds: 3600,
  /** Probe failure and success thresholds. */
  probeThreshold: 100,
  /** A worker's target queue length per replica. */
  queueTargetLength: 100_000,
} as const;
