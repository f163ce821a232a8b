/**
 * Field checks every app spec parser shares (image, resources, replicas). Every problem is collected with the path
 * of the field and the value that is wrong, so one bad row reports everything wrong with it at once. Unknown fields
 * are ignored: loco may add fields without a new spec_version.
 */
import { isQuantity, parseQuantity } from "../../lib/quantity";
import { largestDroplet, specLimits } from "./spec-limits";

/** A parsed spec, or every reason the row cannot be rendered. */
export type SpecResult<S> = { readonly ok: true; readonly spec: S } | { readonly ok: false; readonly problems: readonly string[] };

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A value as a problem quotes it: JSON, so control characters in it are escaped. */
export const show = (value: unknown) => (value === undefined ? "missing" : JSON.stringify(value));

/** Registry host (optional, with port), path components, then a tag and/or a digest: what a container runtime pulls. */
const imageReference =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

interface QuantityLimit {
  /** In base units: cores, bytes. */
  readonly max: number;
  /** The limit as a quantity and why it is the limit. */
  readonly explained: string;
  readonly example: string;
}

const quantityLimits: Readonly<Record<"cpu" | "memory", QuantityLimit>> = {
  cpu: {
    max: specLimits.cpuCores,
    explained: `${specLimits.cpuCores} (the largest droplet in data/digitalocean-catalog.json has ${largestDroplet.vcpus} vCPUs)`,
    example: "100m",
  },
  memory: {
    max: specLimits.memoryBytes,
    explained: `${largestDroplet.memoryMiB / 1024}Gi (the most memory of any droplet in data/digitalocean-catalog.json)`,
    example: "128Mi",
  },
};

export class SpecProblems {
  readonly problems: string[] = [];

  add(path: string, message: string): void {
    this.problems.push(`${path} ${message}`);
  }

  integer(record: Record<string, unknown>, key: string, path: string, min: number, max: number, fallback?: number): number {
    const value = record[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.add(`${path}.${key}`, `must be an integer from ${min} to ${max} (got ${show(value)})`);
      return fallback ?? min;
    }
    return value;
  }

  /** A positive Kubernetes quantity no larger than any node could ever offer. */
  quantity(record: Record<string, unknown>, key: "cpu" | "memory", path: string): string {
    const value = record[key];
    const limit = quantityLimits[key];
    if (typeof value !== "string" || !isQuantity(value) || parseQuantity(value) <= 0) {
      this.add(`${path}.${key}`, `must be a positive Kubernetes quantity such as ${limit.example} (got ${show(value)})`);
      return "0";
    }
    if (parseQuantity(value) > limit.max) {
      this.add(`${path}.${key}`, `must be at most ${limit.explained} (got ${show(value)})`);
      return "0";
    }
    return value.trim();
  }

  /** `build.image`: what the container runs. */
  image(owner: Record<string, unknown>, path: string): string {
    const image = isRecord(owner.build) ? owner.build.image : undefined;
    if (typeof image !== "string" || image.trim() === "") {
      this.add(
        `${path}.build.image`,
        image === undefined ? "is missing: nothing to run" : `is missing: nothing to run (got ${show(image)})`,
      );
      return "";
    }
    if (!imageReference.test(image)) {
      this.add(`${path}.build.image`, `is not a container image reference (got ${show(image)})`);
      return "";
    }
    return image.trim();
  }

  /** `resources.cpu` and `resources.memory`: a replica's requests. */
  resources(owner: Record<string, unknown>, path: string): { cpu: string; memory: string } {
    if (!isRecord(owner.resources)) this.add(`${path}.resources`, `must be an object with cpu and memory (got ${show(owner.resources)})`);
    const resources = isRecord(owner.resources) ? owner.resources : {};
    return { cpu: this.quantity(resources, "cpu", `${path}.resources`), memory: this.quantity(resources, "memory", `${path}.resources`) };
  }

  /** `minReplicas` (0 allowed: the app may sleep) and `maxReplicas`, at most {@link specLimits.replicas}. */
  replicas(owner: Record<string, unknown>, path: string): { minReplicas: number; maxReplicas: number } {
    const minReplicas = this.integer(owner, "minReplicas", path, 0, specLimits.replicas);
    const maxReplicas = this.integer(owner, "maxReplicas", path, 1, specLimits.replicas);
    if (maxReplicas < minReplicas) this.add(`${path}.maxReplicas`, `(${maxReplicas}) is below minReplicas (${minReplicas})`);
    return { minReplicas, maxReplicas };
  }
}

/** The problem of a spec_version a parser does not know. */
export function unknownSpecVersion(specVersion: number, supported: readonly number[]): SpecResult<never> {
  return {
    ok: false,
    problems: [`spec_version ${specVersion} is unknown to this resurrector (it reads ${supported.join(", ")}): upgrade the resurrector`],
  };
}
