/**
 * Defaults per environment kind. A stack file only states what differs from these; the README's config table
 * is generated from the same object (`npm run config:reference`), so documentation cannot drift from code.
 *
 * Merging is deep for objects and whole-value for arrays: a stack that lists `cluster.appPools` replaces the
 * default pools entirely, so a pool never appears that the stack file does not show.
 */
import type { Environment } from "./config-schema";

/**
 * The registry's lifecycle and security settings are the same everywhere; sizes and replicas differ. Untagged
 * images are always deleted; tags of 8+ hex characters (loco's hash-prefixed tags) are covered by an immutability
 * rule that is not enforced by default, because Harbor's retention never deletes immutable tags (README: Registry).
 */
const registryPolicy = {
  project: "tenants",
  maxImageSizeMiB: 1024,
  blockPullsAtSeverity: "critical",
  cveAllowlist: [],
  retention: { keepLatestPushed: 2, keepPushedWithinDays: 180, runAt: "02:00" },
  garbageCollection: { runAt: "04:00", workers: 1 },
  rescanAt: "03:00",
  immutableTags: { pattern: "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*", enforced: false },
};

const dev = {
  cluster: {
    highAvailability: false,
    corePool: { size: "s-2vcpu-4gb", nodeCount: 2 },
    appPools: [{ name: "apps", size: "s-2vcpu-4gb", minNodes: 1, maxNodes: 3 }],
    autoUpgrade: true,
    maintenance: { day: "saturday", startTime: "04:00" },
  },
  database: {
    postgresVersion: "17",
    size: "db-s-1vcpu-2gb",
    nodeCount: 1,
    connectionPoolSize: 20,
    maintenance: { day: "saturday", startTime: "05:00" },
    trustedIpRanges: [],
  },
  dns: { webAppHost: "apex", ttl: 300 },
  objectStorage: {},
  rotation: { maxAgeDays: 30, counters: {} },
  observability: { retentionDays: 7 },
  registry: { ...registryPolicy, storageQuotaGiB: 20, robotExpiryDays: 60, replicas: 1, databaseConnections: 10 },
};

const prod = {
  cluster: {
    highAvailability: true,
    corePool: { size: "s-4vcpu-8gb", nodeCount: 3 },
    appPools: [{ name: "apps", size: "s-4vcpu-8gb", minNodes: 2, maxNodes: 10 }],
    autoUpgrade: true,
    maintenance: { day: "sunday", startTime: "04:00" },
  },
  database: {
    postgresVersion: "17",
    size: "db-s-2vcpu-4gb",
    nodeCount: 2,
    connectionPoolSize: 40,
    maintenance: { day: "sunday", startTime: "05:00" },
    trustedIpRanges: [],
  },
  dns: { webAppHost: "apex", ttl: 300 },
  objectStorage: {},
  rotation: { maxAgeDays: 90, counters: {} },
  observability: { retentionDays: 30 },
  registry: { ...registryPolicy, storageQuotaGiB: 200, robotExpiryDays: 120, replicas: 2, databaseConnections: 20 },
};

const local = {
  rotation: { maxAgeDays: 365, counters: {} },
  observability: { retentionDays: 3 },
  registry: { ...registryPolicy, storageQuotaGiB: 10, robotExpiryDays: 400, replicas: 1, imageStorageGiB: 20 },
};

export const configDefaults: Record<Environment, Record<string, unknown>> = { dev, prod, local };
