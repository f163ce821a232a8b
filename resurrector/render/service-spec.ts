/**
 * A deployment's spec (deployments.spec, versioned by deployments.spec_version) as the renderer needs it. Every
 * problem is collected with the path of the field and the value that is wrong, so one bad row reports everything
 * wrong with it at once. Unknown fields are ignored: loco may add fields without a new spec_version.
 *
 * spec_version 1:
 *   {"service": {"build": {"type": "docker", "image": "<registry>/<repo>:<tag>"},
 *                "healthCheck": {"path": "/api/health", "intervalSeconds": 30, "timeoutSeconds": 5,
 *                                "failureThreshold": 3, "successThreshold": 1},
 *                "resources": {"cpu": "100m", "memory": "128Mi"},
 *                "minReplicas": 1, "maxReplicas": 1, "port": 8000, "region": "us-east-1"}}
 */
import { isQuantity, parseQuantity } from "../../lib/quantity";

export interface HealthCheck {
  readonly path: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

export interface ServiceSpec {
  readonly image: string;
  readonly port: number;
  readonly cpu: string;
  readonly memory: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Absent: the app is probed on its TCP port. */
  readonly healthCheck?: HealthCheck;
  readonly region?: string;
}

export type SpecResult = { readonly ok: true; readonly spec: ServiceSpec } | { readonly ok: false; readonly problems: readonly string[] };

/** spec_versions this renderer understands. */
export const supportedSpecVersions: readonly number[] = [1];

/** Registry host (optional, with port), path components, then a tag and/or a digest: what a container runtime pulls. */
const imageReference =
  /^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

const healthCheckDefaults = { intervalSeconds: 30, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 } as const;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const show = (value: unknown) => (value === undefined ? "missing" : JSON.stringify(value));

class Collector {
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

  quantity(record: Record<string, unknown>, key: string, path: string): string {
    const value = record[key];
    if (typeof value !== "string" || !isQuantity(value) || parseQuantity(value) <= 0) {
      this.add(`${path}.${key}`, `must be a positive Kubernetes quantity such as ${key === "cpu" ? "100m" : "128Mi"} (got ${show(value)})`);
      return "0";
    }
    return value.trim();
  }
}

function parseHealthCheck(value: unknown, collect: Collector): HealthCheck | undefined {
  const path = "spec.service.healthCheck";
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) {
    collect.add(path, `must be an object (got ${show(value)})`);
    return undefined;
  }
  const probePath = value.path;
  if (typeof probePath !== "string" || !probePath.startsWith("/") || /\s/.test(probePath)) {
    collect.add(`${path}.path`, `must be an absolute HTTP path such as /healthz (got ${show(probePath)})`);
  }
  return {
    path: typeof probePath === "string" ? probePath : "/",
    intervalSeconds: collect.integer(value, "intervalSeconds", path, 1, 3600, healthCheckDefaults.intervalSeconds),
    timeoutSeconds: collect.integer(value, "timeoutSeconds", path, 1, 3600, healthCheckDefaults.timeoutSeconds),
    failureThreshold: collect.integer(value, "failureThreshold", path, 1, 100, healthCheckDefaults.failureThreshold),
    successThreshold: collect.integer(value, "successThreshold", path, 1, 100, healthCheckDefaults.successThreshold),
  };
}

function parseV1(spec: unknown): SpecResult {
  const collect = new Collector();
  const service = isRecord(spec) ? spec.service : undefined;
  if (!isRecord(service)) return { ok: false, problems: [`spec.service must be an object (got ${show(service)})`] };

  const build = service.build;
  const image = isRecord(build) ? build.image : undefined;
  if (typeof image !== "string" || image.trim() === "") {
    collect.add(
      "spec.service.build.image",
      image === undefined ? "is missing: nothing to run" : `is missing: nothing to run (got ${show(image)})`,
    );
  } else if (!imageReference.test(image)) {
    collect.add("spec.service.build.image", `is not a container image reference (got ${show(image)})`);
  }

  const port = collect.integer(service, "port", "spec.service", 1, 65535);
  const resources = isRecord(service.resources) ? service.resources : {};
  if (!isRecord(service.resources))
    collect.add("spec.service.resources", `must be an object with cpu and memory (got ${show(service.resources)})`);
  const cpu = collect.quantity(resources, "cpu", "spec.service.resources");
  const memory = collect.quantity(resources, "memory", "spec.service.resources");
  const minReplicas = collect.integer(service, "minReplicas", "spec.service", 0, 1000);
  const maxReplicas = collect.integer(service, "maxReplicas", "spec.service", 1, 1000);
  if (maxReplicas < minReplicas) collect.add("spec.service.maxReplicas", `(${maxReplicas}) is below minReplicas (${minReplicas})`);
  const healthCheck = parseHealthCheck(service.healthCheck, collect);
  const region = typeof service.region === "string" ? service.region : undefined;

  if (collect.problems.length > 0) return { ok: false, problems: collect.problems };
  return { ok: true, spec: { image: (image as string).trim(), port, cpu, memory, minReplicas, maxReplicas, healthCheck, region } };
}

/** The spec of one deployment row, or every reason it cannot be rendered. */
export function parseServiceSpec(specVersion: number, spec: unknown): SpecResult {
  if (specVersion === 1) return parseV1(spec);
  return {
    ok: false,
    problems: [
      `spec_version ${specVersion} is unknown to this resurrector (it reads ${supportedSpecVersions.join(", ")}): upgrade the resurrector`,
    ],
  };
}
