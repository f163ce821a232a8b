/**
 * A resource's own spec (`resources.spec`): what loco's API stores for a service when it is created (protojson of
 * its `resource.v1.ServiceSpec`, camelCase) and takes defaults from when it builds an `Application`: per-region
 * CPU, memory, replicas and scalers, the default health check, the routing path prefix and idle timeout, and the
 * observability block. Every field is optional here; a field of the wrong type is a problem naming its path.
 *
 *   {"routing": {"port": 8000, "pathPrefix": "/", "idleTimeout": 60},
 *    "observability": {"logging": {"enabled": true, "retentionPeriod": "7d", "structured": true},
 *                      "metrics": {"enabled": true, "path": "/metrics", "port": 9090},
 *                      "tracing": {"enabled": true, "sampleRate": 0.1, "tags": {"team": "web"}}},
 *    "regions": {"us-east-1": {"enabled": true, "primary": true, "cpu": "100m", "memory": "256Mi",
 *                              "minReplicas": 1, "maxReplicas": 3, "scalers": {"enabled": true, "cpuTarget": 70}}},
 *    "healthCheck": {"path": "/healthz", "initialDelaySeconds": 10, "intervalSeconds": 10, "timeoutSeconds": 2,
 *                    "failureThreshold": 3}}
 */

export interface Scalers {
  readonly enabled: boolean;
  readonly cpuTarget: number;
  readonly memoryTarget: number;
}

export interface RegionDefaults {
  readonly cpu: string;
  readonly memory: string;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly scalers?: Scalers;
}

export interface HealthCheckDefaults {
  readonly path: string;
  readonly initialDelaySeconds: number;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

export interface Observability {
  readonly logging?: { readonly enabled: boolean; readonly retentionPeriod: string; readonly structured: boolean };
  readonly metrics?: { readonly enabled: boolean; readonly path: string; readonly port: number };
  readonly tracing?: { readonly enabled: boolean; readonly sampleRate: number; readonly tags: Readonly<Record<string, string>> };
}

export interface ResourceSpec {
  readonly routing?: { readonly pathPrefix: string; readonly idleTimeout: number };
  readonly observability?: Observability;
  readonly regions: ReadonlyMap<string, RegionDefaults>;
  readonly healthCheck?: HealthCheckDefaults;
}

export type ResourceSpecResult =
  { readonly ok: true; readonly spec: ResourceSpec } | { readonly ok: false; readonly problems: readonly string[] };

type Record_ = Record<string, unknown>;
const isRecord = (value: unknown): value is Record_ => typeof value === "object" && value !== null && !Array.isArray(value);
const show = (value: unknown) => JSON.stringify(value) ?? String(value);

/** Reads fields the way protojson does: either spelling, numbers also as strings, absent as the zero value. */
class Reader {
  readonly problems: string[] = [];

  private field(record: Record_, name: string): unknown {
    if (name in record) return record[name];
    const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    return record[snake];
  }

  object(record: Record_, name: string, path: string): Record_ | undefined {
    const value = this.field(record, name);
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return value;
    this.problems.push(`${path}.${name} must be an object (got ${show(value)})`);
    return undefined;
  }

  string(record: Record_, name: string, path: string): string {
    const value = this.field(record, name);
    if (value === undefined || value === null) return "";
    if (typeof value === "string") return value;
    this.problems.push(`${path}.${name} must be a string (got ${show(value)})`);
    return "";
  }

  boolean(record: Record_, name: string, path: string): boolean {
    const value = this.field(record, name);
    if (value === undefined || value === null) return false;
    if (typeof value === "boolean") return value;
    this.problems.push(`${path}.${name} must be true or false (got ${show(value)})`);
    return false;
  }

  /** int32, as a number or a decimal string. */
  integer(record: Record_, name: string, path: string): number {
    const value = this.field(record, name);
    if (value === undefined || value === null) return 0;
    const number = typeof value === "string" && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof number === "number" && Number.isInteger(number) && Math.abs(number) < 2 ** 31) return number;
    this.problems.push(`${path}.${name} must be an integer (got ${show(value)})`);
    return 0;
  }

  /** double, as a number or a numeric string. */
  number(record: Record_, name: string, path: string): number {
    const value = this.field(record, name);
    if (value === undefined || value === null) return 0;
    const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof number === "number" && Number.isFinite(number)) return number;
    this.problems.push(`${path}.${name} must be a number (got ${show(value)})`);
    return 0;
  }

  stringMap(record: Record_, name: string, path: string): Record<string, string> {
    const value = this.object(record, name, path) ?? {};
    const entries = Object.entries(value);
    const bad = entries.filter(([, v]) => typeof v !== "string").map(([k]) => k);
    if (bad.length > 0) this.problems.push(`${path}.${name} must map names to strings (not: ${bad.join(", ")})`);
    return Object.fromEntries(entries.filter(([, v]) => typeof v === "string")) as Record<string, string>;
  }

  scalers(record: Record_, path: string): Scalers | undefined {
    const scalers = this.object(record, "scalers", path);
    if (!scalers) return undefined;
    const at = `${path}.scalers`;
    return {
      enabled: this.boolean(scalers, "enabled", at),
      cpuTarget: this.integer(scalers, "cpuTarget", at),
      memoryTarget: this.integer(scalers, "memoryTarget", at),
    };
  }
}

/** Scalers in a deployment spec or a region: the same message in loco's protos. */
export function readScalers(record: unknown, path: string): { scalers?: Scalers; problems: readonly string[] } {
  const reader = new Reader();
  const scalers = isRecord(record) ? reader.scalers(record, path) : undefined;
  return { scalers, problems: reader.problems };
}

/** `resources.spec` of one resource; `{}` (or null) is a resource without defaults. */
export function parseResourceSpec(value: unknown): ResourceSpecResult {
  if (value === null || value === undefined) return { ok: true, spec: { regions: new Map() } };
  if (!isRecord(value)) return { ok: false, problems: [`resources.spec must be an object (got ${show(value)})`] };
  const read = new Reader();
  const root = "resources.spec";

  const routingRecord = read.object(value, "routing", root);
  const routing = routingRecord && {
    pathPrefix: read.string(routingRecord, "pathPrefix", `${root}.routing`),
    idleTimeout: read.integer(routingRecord, "idleTimeout", `${root}.routing`),
  };

  const obs = read.object(value, "observability", root);
  const at = `${root}.observability`;
  const logging = obs && read.object(obs, "logging", at);
  const metrics = obs && read.object(obs, "metrics", at);
  const tracing = obs && read.object(obs, "tracing", at);
  const observability: Observability | undefined = obs && {
    logging: logging && {
      enabled: read.boolean(logging, "enabled", `${at}.logging`),
      retentionPeriod: read.string(logging, "retentionPeriod", `${at}.logging`),
      structured: read.boolean(logging, "structured", `${at}.logging`),
    },
    metrics: metrics && {
      enabled: read.boolean(metrics, "enabled", `${at}.metrics`),
      path: read.string(metrics, "path", `${at}.metrics`),
      port: read.integer(metrics, "port", `${at}.metrics`),
    },
    tracing: tracing && {
      enabled: read.boolean(tracing, "enabled", `${at}.tracing`),
      sampleRate: read.number(tracing, "sampleRate", `${at}.tracing`),
      tags: read.stringMap(tracing, "tags", `${at}.tracing`),
    },
  };

  const regions = new Map<string, RegionDefaults>();
  for (const [name, region] of Object.entries(read.object(value, "regions", root) ?? {})) {
    const path = `${root}.regions.${name}`;
    if (!isRecord(region)) {
      read.problems.push(`${path} must be an object (got ${show(region)})`);
      continue;
    }
    regions.set(name, {
      cpu: read.string(region, "cpu", path),
      memory: read.string(region, "memory", path),
      minReplicas: read.integer(region, "minReplicas", path),
      maxReplicas: read.integer(region, "maxReplicas", path),
      scalers: read.scalers(region, path),
    });
  }

  const check = read.object(value, "healthCheck", root);
  const healthCheck = check && {
    path: read.string(check, "path", `${root}.healthCheck`),
    initialDelaySeconds: read.integer(check, "initialDelaySeconds", `${root}.healthCheck`),
    intervalSeconds: read.integer(check, "intervalSeconds", `${root}.healthCheck`),
    timeoutSeconds: read.integer(check, "timeoutSeconds", `${root}.healthCheck`),
    failureThreshold: read.integer(check, "failureThreshold", `${root}.healthCheck`),
  };

  if (read.problems.length > 0) return { ok: false, problems: read.problems };
  return { ok: true, spec: { routing, observability, regions, healthCheck } };
}
