/**
 * Rules that relate two or more config keys, or a key and the environment. They run on the merged raw config
 * (defaults plus stack file) next to the shape checks, so one run reports every problem at once; each rule
 * guards its own types because the shape may be wrong at the same time.
 */
import { parseClockTime } from "../lib/clock-time";
import { catalog, spacesRegions } from "../lib/digitalocean-catalog";
import { domainPattern } from "./config-schema";
import { isRotatingCredential, rotatingCredentialNames } from "./rotating-credentials";

export interface ConfigProblem {
  /** Path below the `loco:` namespace, e.g. ["cluster", "appPools", 0, "maxNodes"]. */
  readonly path: readonly (string | number)[];
  /** The offending value; omitted when there is none (a missing key). */
  readonly value?: unknown;
  readonly hasValue: boolean;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

type Raw = Record<string, unknown>;

const asObject = (v: unknown): Raw | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Raw) : undefined);

function appPoolRules(cluster: Raw | undefined): ConfigProblem[] {
  const pools = Array.isArray(cluster?.appPools) ? cluster.appPools : [];
  const problems: ConfigProblem[] = [];
  const seen = new Set<unknown>();
  pools.forEach((entry, i) => {
    const pool = asObject(entry);
    if (!pool) return;
    const { minNodes, maxNodes, name } = pool;
    if (typeof minNodes === "number" && typeof maxNodes === "number" && maxNodes < minNodes) {
      problems.push({
        path: ["cluster", "appPools", i, "maxNodes"],
        value: maxNodes,
        hasValue: true,
        message: `must be >= minNodes (${minNodes})`,
      });
    }
    if (seen.has(name)) {
      problems.push({ path: ["cluster", "appPools", i, "name"], value: name, hasValue: true, message: "must be unique among app pools" });
    }
    seen.add(name);
  });
  return problems;
}

function productionRules(environment: unknown, cluster: Raw | undefined, database: Raw | undefined): ConfigProblem[] {
  if (environment !== "prod") return [];
  const problems: ConfigProblem[] = [];
  if (cluster && cluster.highAvailability !== true) {
    problems.push({
      path: ["cluster", "highAvailability"],
      value: cluster.highAvailability,
      hasValue: true,
      message: "must be true in prod: a single control-plane node is a single point of failure",
    });
  }
  if (database && typeof database.nodeCount === "number" && database.nodeCount < 2) {
    problems.push({
      path: ["database", "nodeCount"],
      value: database.nodeCount,
      hasValue: true,
      message: "must be at least 2 in prod: a standby node keeps the database of record up through a node failure",
    });
  }
  return problems;
}

function databaseSizeRule(database: Raw | undefined): ConfigProblem[] {
  const size = typeof database?.size === "string" ? catalog.databaseSizes[database.size] : undefined;
  const nodeCount = database?.nodeCount;
  if (!size || typeof nodeCount !== "number" || nodeCount <= size.maxNodes) return [];
  return [
    {
      path: ["database", "nodeCount"],
      value: nodeCount,
      hasValue: true,
      message: `must be at most ${size.maxNodes} for size ${String(database?.size)}: DigitalOcean offers standby nodes only on larger sizes`,
    },
  ];
}

function spacesRegionRule(environment: unknown, region: unknown, objectStorage: Raw | undefined): ConfigProblem[] {
  if (environment === "local" || typeof region !== "string" || objectStorage?.region !== undefined) return [];
  if (!catalog.regions[region] || catalog.regions[region].spaces) return [];
  return [
    {
      path: ["objectStorage", "region"],
      hasValue: false,
      message: `is required because ${region} has no Spaces: pick one of ${spacesRegions().join(", ")}`,
    },
  ];
}

function zoneRule(baseDomain: unknown, dns: Raw | undefined): ConfigProblem[] {
  const zone = dns?.zone;
  // An invalid base domain is reported by its own check; comparing against it would only add noise.
  if (typeof zone !== "string" || typeof baseDomain !== "string" || !domainPattern.test(baseDomain)) return [];
  if (baseDomain === zone || baseDomain.endsWith(`.${zone}`)) return [];
  return [{ path: ["dns", "zone"], value: zone, hasValue: true, message: `must be the base domain (${baseDomain}) or one of its parents` }];
}

function rotationCounterRule(rotation: Raw | undefined): ConfigProblem[] {
  const counters = asObject(rotation?.counters) ?? {};
  return Object.keys(counters)
    .filter((name) => !isRotatingCredential(name))
    .map((name) => ({
      path: ["rotation", "counters", name],
      value: counters[name],
      hasValue: true,
      message: `is not a credential this platform rotates (known: ${rotatingCredentialNames.join(", ")})`,
    }));
}

/** An overlap shorter than a rotation's period: otherwise the next rotation would be due before the last one retired. */
function rotationOverlapRule(rotation: Raw | undefined): ConfigProblem[] {
  const { overlapHours, maxAgeDays } = rotation ?? {};
  // A maxAgeDays out of its range is reported on its own.
  if (typeof overlapHours !== "number" || typeof maxAgeDays !== "number" || maxAgeDays < 1 || overlapHours < maxAgeDays * 24) return [];
  return [
    {
      path: ["rotation", "overlapHours"],
      value: overlapHours,
      hasValue: true,
      message: `must be less than rotation.maxAgeDays × 24 (${maxAgeDays * 24}): the overlap must end before the next rotation is due`,
    },
  ];
}

/** Replica ranges, prod's redundancy, the issuer prod may use, and a cold start that fits in a request. */
function trafficRules(environment: unknown, traffic: Raw | undefined): ConfigProblem[] {
  if (!traffic) return [];
  const problems: ConfigProblem[] = [];
  for (const part of ["proxy", "interceptor"] as const) {
    const { minReplicas, maxReplicas } = asObject(traffic[part]) ?? {};
    if (typeof minReplicas !== "number" || typeof maxReplicas !== "number") continue;
    if (maxReplicas < minReplicas) {
      problems.push({
        path: ["traffic", part, "maxReplicas"],
        value: maxReplicas,
        hasValue: true,
        message: `must be >= minReplicas (${minReplicas})`,
      });
    }
    if (environment === "prod" && minReplicas < 2) {
      problems.push({
        path: ["traffic", part, "minReplicas"],
        value: minReplicas,
        hasValue: true,
        message: "must be at least 2 in prod: one replica is a single point of failure for every public request",
      });
    }
  }
  const issuer = asObject(traffic.certificates)?.issuer;
  if (environment === "prod" && typeof issuer === "string" && issuer !== "letsencrypt-production") {
    problems.push({
      path: ["traffic", "certificates", "issuer"],
      value: issuer,
      hasValue: true,
      message: "must be letsencrypt-production in prod: browsers do not trust staging certificates",
    });
  }
  if (traffic.http3 === true && asObject(traffic.loadBalancer)?.proxyProtocol === true) {
    problems.push({
      path: ["traffic", "http3"],
      value: true,
      hasValue: true,
      message:
        "cannot be true while traffic.loadBalancer.proxyProtocol is: QUIC carries no PROXY header, and Envoy Gateway v1.9 then " +
        "builds a QUIC listener Envoy rejects (envoyproxy/gateway#9798), leaving HTTP/3 advertised but dead. Turn one off (docs)",
    });
  }
  const coldStart = asObject(traffic.interceptor)?.coldStartTimeoutSeconds;
  const request = asObject(traffic.timeouts)?.requestSeconds;
  if (typeof coldStart === "number" && typeof request === "number" && coldStart >= request) {
    problems.push({
      path: ["traffic", "interceptor", "coldStartTimeoutSeconds"],
      value: coldStart,
      hasValue: true,
      message: `must be below traffic.timeouts.requestSeconds (${request}): the gateway would give up on a waking app before the interceptor does`,
    });
  }
  return problems;
}

const minutesOf = (clock: unknown): number | undefined => {
  const time = parseClockTime(clock);
  return time ? time.hours * 60 + time.minutes : undefined;
};

/** GC after retention, robots that outlive their rotation, a quota that holds at least one image. */
function registryRules(registry: Raw | undefined, rotation: Raw | undefined): ConfigProblem[] {
  if (!registry) return [];
  const problems: ConfigProblem[] = [];
  const retentionAt = asObject(registry.retention)?.runAt;
  const gcAt = asObject(registry.garbageCollection)?.runAt;
  const [retentionMinutes, gcMinutes] = [minutesOf(retentionAt), minutesOf(gcAt)];
  if (retentionMinutes !== undefined && gcMinutes !== undefined && gcMinutes - retentionMinutes < 60) {
    problems.push({
      path: ["registry", "garbageCollection", "runAt"],
      value: gcAt,
      hasValue: true,
      message: `must be at least 60 minutes after registry.retention.runAt (${String(retentionAt)}) on the same day: GC only frees what retention has already deleted (harbor #17230)`,
    });
  }
  const { robotExpiryDays } = registry;
  const maxAgeDays = rotation?.maxAgeDays;
  const overlapHours = typeof rotation?.overlapHours === "number" ? rotation.overlapHours : 0;
  // An out-of-range maxAgeDays is reported by its own check; comparing against it would only add noise.
  const validAge = typeof maxAgeDays === "number" && maxAgeDays >= 1 && maxAgeDays <= 365;
  // A robot lives from its issue until its successor retires it: due at maxAgeDays, then one weekly run to issue the
  // next, one to promote it, and one per started week of overlap to retire this one.
  const lifetimeDays = validAge ? maxAgeDays + 7 + 7 + 7 * Math.max(1, Math.ceil(overlapHours / 168)) : 0;
  if (typeof robotExpiryDays === "number" && validAge && robotExpiryDays < lifetimeDays) {
    problems.push({
      path: ["registry", "robotExpiryDays"],
      value: robotExpiryDays,
      hasValue: true,
      message: `must be at least ${lifetimeDays} days (rotation.maxAgeDays + 3 weekly rotation runs: issue, promote, retire after the overlap): a robot must not expire before its successor retires it`,
    });
  }
  const { storageQuotaGiB, maxImageSizeMiB } = registry;
  if (typeof storageQuotaGiB === "number" && typeof maxImageSizeMiB === "number" && storageQuotaGiB * 1024 < maxImageSizeMiB) {
    problems.push({
      path: ["registry", "storageQuotaGiB"],
      value: storageQuotaGiB,
      hasValue: true,
      message: `must hold at least one image of registry.maxImageSizeMiB (${maxImageSizeMiB} MiB)`,
    });
  }
  return problems;
}

function observabilityRules(environment: unknown, observability: Raw | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const backups = asObject(observability?.backups);
  if (environment === "local" && backups?.enabled === true) {
    problems.push({
      path: ["observability", "backups", "enabled"],
      value: true,
      hasValue: true,
      message: "must be false on the local stack: it has no Spaces to back up to",
    });
  }
  const allowList = Array.isArray(observability?.metricAllowList) ? observability.metricAllowList : [];
  const seen = new Set<unknown>();
  allowList.forEach((name, i) => {
    if (seen.has(name)) {
      problems.push({ path: ["observability", "metricAllowList", i], value: name, hasValue: true, message: "is listed twice" });
    }
    seen.add(name);
  });
  return problems;
}

/** Prod's control plane survives a node drain: two of each, as the disruption budgets require. */
function controlPlaneRules(environment: unknown, controlPlane: Raw | undefined): ConfigProblem[] {
  if (environment !== "prod" || !controlPlane) return [];
  return (["api", "ui", "controller"] as const).flatMap((workload) => {
    const replicas = asObject(controlPlane[workload])?.replicas;
    return typeof replicas === "number" && replicas < 2
      ? [
          {
            path: ["controlPlane", workload, "replicas"],
            value: replicas,
            hasValue: true,
            message:
              "must be at least 2 in prod: one replica under a PodDisruptionBudget blocks every node drain, and without one a drain stops loco",
          },
        ]
      : [];
  });
}

export function crossFieldProblems(raw: Raw): ConfigProblem[] {
  const cluster = asObject(raw.cluster);
  const database = asObject(raw.database);
  return [
    ...appPoolRules(cluster),
    ...productionRules(raw.environment, cluster, database),
    ...databaseSizeRule(database),
    ...spacesRegionRule(raw.environment, raw.region, asObject(raw.objectStorage)),
    ...zoneRule(raw.baseDomain, asObject(raw.dns)),
    ...rotationCounterRule(asObject(raw.rotation)),
    ...rotationOverlapRule(asObject(raw.rotation)),
    ...trafficRules(raw.environment, asObject(raw.traffic)),
    ...observabilityRules(raw.environment, asObject(raw.observability)),
    ...registryRules(asObject(raw.registry), asObject(raw.rotation)),
    ...controlPlaneRules(raw.environment, asObject(raw.controlPlane)),
  ];
}
