/**
 * Defaults per environment kind. A stack file only states what differs from these; the README's config table
 * is generated from the same object (`npm run config:reference`), so documentation cannot drift from code.
 *
 * Merging is deep for objects and whole-value for arrays: a stack that lists `cluster.appPools` replaces the
 * default pools entirely, so a pool never appears that the stack file does not show.
 */
import type { Environment } from "./config-schema";

/**
 * Metrics the collectors keep (everything else is dropped): pod and node usage from the kubelet, and the HTTP
 * server metrics OpenTelemetry SDKs emit under the semantic conventions.
 */
const metricAllowList = [
  "k8s.pod.cpu.usage",
  "k8s.pod.memory.working_set",
  "k8s.pod.network.io",
  "k8s.node.cpu.usage",
  "k8s.node.memory.working_set",
  "k8s.node.filesystem.usage",
  "container.cpu.usage",
  "container.memory.working_set",
  "http.server.request.duration",
  "http.server.active_requests",
];

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

/**
 * loco's images: the revision whose database schema the resurrector reads and whose Application CRD
 * loco/application-crd.ts follows (team-loco/loco@e08302e), by the `sha-<commit>` tag loco's CI pushes.
 */
const locoRevisionTag = "sha-e08302e0a3a8a19c6d3c8004ef3137c1064938e7";
const locoImages = {
  api: { repository: "ghcr.io/team-loco/loco-api", tag: locoRevisionTag },
  ui: { repository: "ghcr.io/team-loco/loco-ui", tag: locoRevisionTag },
  controller: { repository: "ghcr.io/team-loco/loco-controller", tag: locoRevisionTag },
};

const dev = {
  cluster: {
    generation: 1,
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
    trustedApps: [],
  },
  dns: { webAppHost: "apex", ttl: 300 },
  objectStorage: {},
  rotation: { maxAgeDays: 30, counters: {}, overlapHours: 24 },
  observability: {
    retentionDays: 7,
    clickhouse: { cpu: "250m", memory: "1536Mi", storage: "20Gi" },
    agent: { cpu: "50m", memory: "128Mi" },
    gateway: { replicas: 1, cpu: "100m", memory: "256Mi" },
    grafana: { cpu: "50m", memory: "256Mi" },
    metricAllowList,
    alerting: {},
    backups: { enabled: true, schedule: "17 3 * * *", keepDays: 2 },
  },
  traffic: {
    gatewayApiCrds: "install",
    metricsServer: true,
    http3: false,
    proxy: { minReplicas: 1, maxReplicas: 1, cpu: "100m", memory: "256Mi" },
    timeouts: { requestSeconds: 60, idleSeconds: 300 },
    backendLimits: { maxParallelRequests: 256, maxPendingRequests: 64 },
    apiRateLimit: { requestsPerSecond: 20 },
    interceptor: { minReplicas: 1, maxReplicas: 2, coldStartTimeoutSeconds: 30, cpu: "50m", memory: "64Mi" },
    certificates: { issuer: "letsencrypt-staging" },
    loadBalancer: { sizeUnit: 1, proxyProtocol: true, disown: false },
  },
  registry: { ...registryPolicy, storageQuotaGiB: 20, robotExpiryDays: 60, replicas: 1, databaseConnections: 10 },
  controlPlane: {
    images: locoImages,
    api: { replicas: 1, cpu: "100m", memory: "256Mi" },
    ui: { replicas: 1, cpu: "25m", memory: "64Mi" },
    controller: { replicas: 1, cpu: "10m", memory: "64Mi" },
    logLevel: "debug",
  },
};

const prod = {
  cluster: {
    generation: 1,
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
    trustedApps: [],
  },
  dns: { webAppHost: "apex", ttl: 300 },
  objectStorage: {},
  rotation: { maxAgeDays: 90, counters: {}, overlapHours: 48 },
  observability: {
    retentionDays: 30,
    clickhouse: { cpu: "1", memory: "4Gi", storage: "200Gi" },
    agent: { cpu: "100m", memory: "256Mi" },
    gateway: { replicas: 2, cpu: "250m", memory: "512Mi" },
    grafana: { cpu: "100m", memory: "512Mi" },
    metricAllowList,
    alerting: {},
    backups: { enabled: true, schedule: "17 3 * * *", keepDays: 3 },
  },
  traffic: {
    gatewayApiCrds: "install",
    metricsServer: true,
    http3: false,
    proxy: { minReplicas: 2, maxReplicas: 6, cpu: "250m", memory: "512Mi" },
    timeouts: { requestSeconds: 60, idleSeconds: 300 },
    backendLimits: { maxParallelRequests: 1024, maxPendingRequests: 256 },
    apiRateLimit: { requestsPerSecond: 50 },
    interceptor: { minReplicas: 2, maxReplicas: 6, coldStartTimeoutSeconds: 30, cpu: "200m", memory: "256Mi" },
    certificates: { issuer: "letsencrypt-production" },
    loadBalancer: { sizeUnit: 2, proxyProtocol: true, disown: false },
  },
  registry: { ...registryPolicy, storageQuotaGiB: 200, robotExpiryDays: 120, replicas: 2, databaseConnections: 20 },
  controlPlane: {
    images: locoImages,
    api: { replicas: 2, cpu: "200m", memory: "512Mi" },
    ui: { replicas: 2, cpu: "50m", memory: "128Mi" },
    controller: { replicas: 2, cpu: "50m", memory: "128Mi" },
    logLevel: "info",
  },
};

const local = {
  rotation: { maxAgeDays: 365, counters: {}, overlapHours: 24 },
  observability: {
    retentionDays: 3,
    clickhouse: { cpu: "100m", memory: "1Gi", storage: "5Gi" },
    agent: { cpu: "25m", memory: "64Mi" },
    gateway: { replicas: 1, cpu: "50m", memory: "128Mi" },
    grafana: { cpu: "25m", memory: "128Mi" },
    metricAllowList,
    alerting: {},
    backups: { enabled: false, schedule: "17 3 * * *", keepDays: 1 },
  },
  traffic: {
    gatewayApiCrds: "install",
    metricsServer: false,
    http3: true,
    proxy: { minReplicas: 1, maxReplicas: 1, cpu: "50m", memory: "128Mi" },
    timeouts: { requestSeconds: 60, idleSeconds: 300 },
    backendLimits: { maxParallelRequests: 64, maxPendingRequests: 32 },
    apiRateLimit: { requestsPerSecond: 100 },
    interceptor: { minReplicas: 1, maxReplicas: 1, coldStartTimeoutSeconds: 45, cpu: "50m", memory: "64Mi" },
  },
  registry: { ...registryPolicy, storageQuotaGiB: 10, robotExpiryDays: 400, replicas: 1, imageStorageGiB: 20 },
  controlPlane: {
    images: locoImages,
    api: { replicas: 1, cpu: "50m", memory: "128Mi" },
    ui: { replicas: 1, cpu: "10m", memory: "32Mi" },
    controller: { replicas: 1, cpu: "10m", memory: "64Mi" },
    logLevel: "debug",
  },
};

export const configDefaults: Record<Environment, Record<string, unknown>> = { dev, prod, local };
