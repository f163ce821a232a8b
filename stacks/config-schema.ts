/**
 * The shape of an environment's config (the `loco:` namespace of Pulumi.<stack>.yaml), as zod schemas.
 * Shapes only: per-environment defaults live in config-defaults.ts, rules that relate two keys in
 * config-rules.ts, and reading plus error reporting in config.ts. Each field's description feeds the README's
 * config reference (`npm run config:reference`), so it is written for the person editing the stack file.
 */
import { z } from "zod";
import { clockTimePattern } from "../lib/clock-time";
import { catalog, platformRegions, spacesRegions } from "../lib/digitalocean-catalog";
import { cidrConstant, contains, isNetworkAddress, networkOf, overlaps, parseCidr, rfc1918Ranges } from "../lib/ipv4-cidr";
import { isQuantity } from "../lib/quantity";
import { logLevels, type LogLevel } from "../loco/environment";
import { imageDigestPattern, imageRepositoryPattern, imageTagPattern } from "../loco/workloads";

export const environments = ["dev", "prod", "local"] as const;
export type Environment = (typeof environments)[number];

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const domainPattern = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * A Kubernetes minor version such as 1.34. The exact DOKS release is DigitalOcean's newest of that minor when the
 * cluster is created; patch releases after that are auto-upgrade's (components/cluster.ts).
 */
export const kubernetesMinorVersion = /^1\.\d{1,3}$/;

const dnsLabel = z.string().regex(dnsLabelPattern, "must be a DNS label: lowercase letters, digits and '-', 1-63 characters");
const domain = z.string().regex(domainPattern, "must be a domain name such as loco.example.com (lowercase, no scheme, no trailing dot)");
const weekday = z.enum(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]);
const clockTime = z.string().regex(clockTimePattern, "must be a UTC time of day as HH:MM");

const dropletSize = z.enum(Object.keys(catalog.dropletSizes) as [string, ...string[]]);
const databaseSize = z.enum(Object.keys(catalog.databaseSizes) as [string, ...string[]]);
const region = z.enum(platformRegions() as [string, ...string[]]);
const postgresVersion = z.enum(catalog.postgresVersions as [string, ...string[]]);

export const appPoolSchema = z.strictObject({
  name: dnsLabel.describe("Pool name, unique in the cluster."),
  size: dropletSize.describe("Droplet size slug of every node in the pool."),
  minNodes: z
    .int()
    .min(1, "must be at least 1 (DigitalOcean's autoscaler cannot scale a pool to zero)")
    .describe("Fewest nodes the autoscaler keeps (at least 1)."),
  maxNodes: z.int().min(1).max(100, "must be at most 100 (DOKS node pool limit)").describe("Most nodes the autoscaler may add."),
});

/**
 * The pod and service ranges DOKS gives a cluster that does not choose its own: this program sets neither
 * (`clusterSubnet`/`serviceSubnet` of the cluster), so these are the ranges the VPC must stay clear of.
 */
export const doksDefaultClusterRanges = { pod: "10.244.0.0/16", service: "10.245.0.0/16" } as const;

/**
 * What DigitalOcean accepts as a VPC range (RFC 1918, /16 to /28, a network address), and clear of the cluster's
 * pod and service ranges, which would otherwise shadow addresses in the VPC. Undefined when fine or not a CIDR at
 * all (the format check says so).
 */
export function vpcIpRangeProblem(text: string): string | undefined {
  const block = parseCidr(text);
  if (!block) return undefined;
  if (!rfc1918Ranges.some((range) => contains(cidrConstant(range), block))) {
    return `must be a private range inside ${rfc1918Ranges.join(", ")} (RFC 1918): DigitalOcean refuses public ranges`;
  }
  if (block.prefix < 16 || block.prefix > 28) {
    return "must be /16 to /28: DigitalOcean creates no larger and no smaller VPC";
  }
  if (!isNetworkAddress(block)) return `must be a network address, with no host bits set (did you mean ${networkOf(block)}?)`;
  for (const [kind, range] of Object.entries(doksDefaultClusterRanges)) {
    if (overlaps(block, cidrConstant(range))) {
      return `must not overlap the cluster's ${kind} range ${range} (DOKS's default; this program does not set its own)`;
    }
  }
  return undefined;
}

export const clusterSchema = z.strictObject({
  kubernetesVersion: z
    .string()
    .regex(
      kubernetesMinorVersion,
      'must be a minor version such as "1.34" (quoted in YAML), not a release slug: patch releases are auto-upgrade\'s',
    )
    .describe(
      'Kubernetes minor version, quoted (`"1.34"`): the cluster starts at DigitalOcean\'s newest release of it; a new minor is a deliberate upgrade (docs/architecture.md).',
    ),
  generation: z
    .preprocess(
      // `pulumi config set --path` (the resurrector's setConfig) may store the number as a string.
      (value) => (typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value),
      z.custom<number>((value) => Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 9999, {
        error: "must be a whole number from 1 to 9999",
      }),
    )
    .describe(
      "Cluster generation: generation 1 is the cluster `loco-{stack}-cluster`, a later one `loco-{stack}-cluster-g{n}`. Raising it builds a new cluster beside the old one and then deletes the old one (docs/architecture.md: rebuild).",
    ),
  highAvailability: z.boolean().describe("HA control plane. Required in prod; DigitalOcean cannot turn it off again."),
  corePool: z
    .strictObject({
      size: dropletSize.describe("Droplet size of the core pool. Changing it REPLACES THE CLUSTER."),
      nodeCount: z.int().min(1).max(10).describe("Fixed number of core nodes."),
    })
    .describe("The cluster's built-in pool, tainted for platform add-ons only."),
  appPools: z
    .array(appPoolSchema)
    .min(1, "must list at least one app pool")
    .describe("Autoscaled pools for tenant apps; a list here replaces the default list."),
  autoUpgrade: z.boolean().describe("Let DigitalOcean apply patch upgrades inside the maintenance window."),
  maintenance: z
    .strictObject({
      day: z.union([weekday, z.literal("any")], { error: "must be a weekday (monday to sunday) or any" }).describe("Weekday, or any."),
      startTime: clockTime.describe("Start of the window, HH:MM UTC."),
    })
    .describe("Weekly window for automatic upgrades."),
  controlPlaneAllowedCidrs: z
    .array(z.cidrv4())
    .min(1, "must list at least one CIDR, or be removed to leave the API open")
    .optional()
    .describe("If set, only these CIDRs reach the Kubernetes API: include CI runners and the resurrector."),
  vpcIpRange: z
    .cidrv4()
    .superRefine((value, context) => {
      const problem = vpcIpRangeProblem(value);
      if (problem) context.addIssue({ code: "custom", message: problem, input: value });
    })
    .optional()
    .describe(
      `IPv4 range of the environment's VPC: private (RFC 1918), /16 to /28, clear of the cluster's pod (${doksDefaultClusterRanges.pod}) and service (${doksDefaultClusterRanges.service}) ranges. DigitalOcean picks one when unset.`,
    ),
});

export const databaseSchema = z.strictObject({
  postgresVersion: postgresVersion.describe("Major PostgreSQL version."),
  size: databaseSize.describe("Managed database size slug (per node)."),
  nodeCount: z.int().min(1).max(3).describe("Primary plus standbys, 1 to 3. Prod needs at least 2."),
  connectionPoolSize: z.int().min(1).max(500).describe("Server connections of the API's transaction-mode pool."),
  maintenance: z
    .strictObject({ day: weekday.describe("Weekday."), startTime: clockTime.describe("Start of the window, HH:MM UTC.") })
    .describe("Weekly maintenance window."),
  trustedIpRanges: z
    .array(z.union([z.ipv4(), z.cidrv4()], { error: "must be an IPv4 address or CIDR" }))
    .describe("Sources the database admits besides the cluster, e.g. an operator's bastion."),
  trustedApps: z
    .array(z.string().regex(/^[0-9a-f-]{36}$/, "must be an App Platform app id (a UUID)"))
    .describe("App Platform apps the database admits: the resurrector stack's `appId` output (docs/resurrector-stack.md)."),
});

export const dnsSchema = z.strictObject({
  zone: domain.optional().describe("Cloudflare zone holding the records: the base domain (default) or one of its parents."),
  webAppHost: z.enum(["apex", "app"]).describe("Serve loco's web app at the apex or at app.{baseDomain}."),
  ttl: z
    .int()
    .refine((v) => v === 1 || (v >= 60 && v <= 86400), "must be 1 (automatic) or 60-86400 seconds")
    .describe("Record TTL in seconds; 1 is Cloudflare's automatic TTL."),
});

export const objectStorageSchema = z.strictObject({
  region: z
    .enum(spacesRegions() as [string, ...string[]])
    .optional()
    .describe("Spaces region for the platform's buckets; the environment's region when unset (it must offer Spaces)."),
});

export const localSchema = z.strictObject({
  kubeContext: z.string().min(1).describe("kubeconfig context of an existing local cluster (kind, k3d, minikube)."),
  kubeconfigPath: z.string().min(1).optional().describe("kubeconfig file holding that context; KUBECONFIG or ~/.kube/config when unset."),
});

export const rotationSchema = z.strictObject({
  maxAgeDays: z
    .int()
    .min(1, "must be at least 1 day")
    .max(365, "must be at most 365 days")
    .describe("Platform credentials older than this rotate on the next `pulumi up --refresh --run-program`."),
  counters: z
    .record(z.string(), z.int().min(0, "must be a non-negative integer"))
    .describe("Manual rotation: bump a credential's counter (`npm run rotate`) to rotate it on the next `pulumi up`."),
  overlapHours: z
    .int()
    .min(1, "must be at least 1 hour")
    .max(720, "must be at most 720 hours (30 days)")
    .describe(
      "Two-valid-at-once credentials: after a promotion the previous credential stays valid this long; the first run after it retires it.",
    ),
  now: z
    .string()
    .refine(
      (text) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text)),
      "must be an RFC 3339 time such as 2026-03-01T04:00:00Z",
    )
    .optional()
    .describe("The rotation run's clock, for replays and tests; the time the run starts when unset. Never set it on a real stack."),
});

const quantity = (what: string) => z.string().refine(isQuantity, `must be a Kubernetes quantity such as ${what}`);

/** CPU and memory a workload requests; memory is also its limit, so it is never OOM-killed for using what it asked for. */
const workloadResourcesSchema = z.strictObject({
  cpu: quantity("250m or 1").describe("CPU request."),
  memory: quantity("512Mi or 2Gi").describe("Memory request and limit."),
});

/** OpenTelemetry metric names: dotted or underscored identifiers, matched exactly. */
const metricName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.\-/]{0,254}$/, "must be a metric name such as http.server.request.duration");

export const observabilitySchema = z.strictObject({
  retentionDays: z
    .int()
    .min(1, "must be at least 1 day")
    .max(365, "must be at most 365 days")
    .describe("Days of logs, metrics and traces kept before ClickHouse drops them."),
  clickhouse: workloadResourcesSchema
    .extend({ storage: quantity("20Gi").describe("Size of ClickHouse's data volume (it can grow later, not shrink).") })
    .describe("The ClickHouse server: resources and its persistent volume."),
  agent: workloadResourcesSchema.describe("The per-node collector (container logs, kubelet stats), per node."),
  gateway: workloadResourcesSchema
    .extend({ replicas: z.int().min(1).max(10).describe("Gateway collector replicas.") })
    .describe("The gateway collector (OTLP from apps and Envoy, writes to ClickHouse)."),
  grafana: workloadResourcesSchema
    .extend({
      apiUrl: z
        .url({ protocol: /^https?$/ })
        .optional()
        .describe("Where `pulumi up` reaches Grafana's API to apply a rotated admin password; https://dashboards.{baseDomain} when unset."),
    })
    .describe("Grafana."),
  metricAllowList: z
    .array(metricName)
    .min(1, "must list at least one metric: an empty allow-list would drop every metric")
    .describe("The only metric names stored; every other metric is dropped by the collectors. A list here replaces the default list."),
  alerting: z
    .strictObject({
      webhookUrl: z
        .url({ protocol: /^https$/, error: "must be an https:// URL" })
        .optional()
        .describe("Webhook Grafana alerts are sent to. One that embeds a token goes in the secret `loco:alertWebhookUrl` instead."),
    })
    .describe("Where Grafana sends alerts."),
  backups: z
    .strictObject({
      enabled: z.boolean().describe("Back up the telemetry database to a Spaces bucket (dev/prod only; local has no Spaces)."),
      schedule: z
        .string()
        .regex(/^(\S+\s+){4}\S+$/, "must be a 5-field cron expression such as '17 3 * * *'")
        .describe("When the daily backup runs (cron, UTC)."),
      keepDays: z.int().min(1).max(35).describe("Days a backup is kept in the bucket before Spaces deletes it."),
    })
    .describe("What survives a lost cluster: daily full backups of the telemetry database."),
});

const replicas = (max: number) => z.int().min(1, "must be at least 1").max(max);

/** The traffic layer, on every environment: gateway, timeouts, limits and the scale-from-zero interceptor. */
const trafficShape = {
  gatewayApiCrds: z
    .enum(["install", "provided"])
    .describe(
      "Who installs the Gateway API CRDs: `install` (this stack, standard channel) or `provided` (the cluster manages them, e.g. DOKS with VPC-native networking).",
    ),
  http3: z
    .boolean()
    .describe("Serve HTTP/3 (QUIC, UDP 443) beside HTTP/1.1 and HTTP/2. Not together with the load balancer's PROXY protocol (docs)."),
  metricsServer: z
    .boolean()
    .describe(
      "Install metrics-server, the metrics API the proxies' HPA and CPU/memory autoscaling read; off where the cluster has one (k3s).",
    ),
  proxy: z
    .strictObject({
      minReplicas: replicas(50).describe("Fewest Envoy proxy replicas. At least 2 in prod."),
      maxReplicas: replicas(50).describe("Most Envoy proxy replicas; above minReplicas an HPA scales them on CPU."),
      cpu: quantity("250m").describe("CPU request of each Envoy proxy."),
      memory: quantity("512Mi").describe("Memory request and limit of each Envoy proxy."),
    })
    .describe("The Envoy proxies every public request passes through."),
  timeouts: z
    .strictObject({
      requestSeconds: z.int().min(1).max(3600).describe("Default time a backend has to answer a request; apps may override it."),
      idleSeconds: z
        .int()
        .min(1)
        .max(86400)
        .describe("Default idle timeout of the gateway's connections to a backend; apps may override it."),
    })
    .describe("Gateway-wide backend timeout defaults."),
  backendLimits: z
    .strictObject({
      maxParallelRequests: z
        .int()
        .min(1)
        .max(100000)
        .describe(
          "Requests one gateway replica keeps in flight to one app (or to the interceptor for one sleeping app); more get 503 at once.",
        ),
      maxPendingRequests: z
        .int()
        .min(1)
        .max(100000)
        .describe("Requests one gateway replica queues for one app while its connections are busy."),
    })
    .describe("Per-app request limits at the gateway: they bound what a burst can pile up in a backend or in the shared interceptor."),
  apiRateLimit: z
    .strictObject({
      requestsPerSecond: z
        .int()
        .min(1)
        .max(100000)
        .describe("Requests per second each client IP may send to the API host, per gateway replica."),
    })
    .describe("Local rate limit on the API host."),
  interceptor: z
    .strictObject({
      minReplicas: replicas(50).describe("Fewest KEDA HTTP interceptor replicas. At least 2 in prod."),
      maxReplicas: replicas(100).describe("Most interceptor replicas (KEDA scales them on pending requests)."),
      coldStartTimeoutSeconds: z
        .int()
        .min(1)
        .max(600)
        .describe("How long the interceptor holds a request while its app scales from zero before failing it."),
      cpu: quantity("100m").describe("CPU request of each interceptor."),
      memory: quantity("128Mi").describe(
        "Memory request and limit of each interceptor: what held requests may use before it is OOM-killed.",
      ),
    })
    .describe("KEDA HTTP add-on's interceptor, which holds requests for sleeping apps while they wake."),
};

export const localTrafficSchema = z.strictObject(trafficShape);

export const cloudTrafficSchema = z.strictObject({
  ...trafficShape,
  certificates: z
    .strictObject({
      issuer: z
        .enum(["letsencrypt-staging", "letsencrypt-production"])
        .describe("ClusterIssuer of the public certificate. Staging certificates are not trusted by browsers; prod needs production."),
      acmeEmail: z.email("must be an email address").optional().describe("Contact address registered with the Let's Encrypt account."),
    })
    .describe("Let's Encrypt certificates, issued with Cloudflare DNS-01."),
  loadBalancer: z
    .strictObject({
      name: z
        .string()
        .regex(/^[a-z0-9][a-z0-9.-]{0,253}[a-z0-9]$/, "must be lowercase letters, digits, '.' and '-', starting and ending alphanumeric")
        .optional()
        .describe("Name of the DigitalOcean load balancer; loco-{stack}-gateway when unset."),
      sizeUnit: z.int().min(1).max(200).describe("Load balancer nodes (DigitalOcean bills per node)."),
      proxyProtocol: z
        .boolean()
        .describe("Send the client address to the gateway with PROXY protocol (TCP only; QUIC arrives from the load balancer)."),
      disown: z
        .boolean()
        .describe(
          "Stop this cluster's cloud controller from changing or deleting the load balancer: set before replacing a live cluster (docs).",
        ),
    })
    .describe("The DigitalOcean load balancer in front of the gateway; it lives outside the cluster and keeps the public address."),
});

/** Harbor's rule for project names; they appear in every image reference. */
const harborProjectName = z
  .string()
  .max(255)
  .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, "must be lowercase letters and digits, with . _ - only between them (Harbor's rule)");

const registryCommon = z.strictObject({
  project: harborProjectName.describe("Harbor project holding tenant images: `registry.{baseDomain}/<project>/<app>:<tag>`."),
  storageQuotaGiB: z.int().min(1).max(100_000).describe("Hard cap on the tenant project's storage; a push that would exceed it fails."),
  maxImageSizeMiB: z
    .int()
    .min(1)
    .max(65_536)
    .describe("Largest image loco's builder may push. Harbor has no per-image limit: the builder enforces it (README: Registry)."),
  blockPullsAtSeverity: z
    .enum(["low", "medium", "high", "critical"])
    .describe("Harbor refuses pulls of images with a fixable vulnerability at or above this severity."),
  cveAllowlist: z
    .array(z.string().regex(/^CVE-\d{4}-\d{4,}$/, "must be a CVE id such as CVE-2024-3094"))
    .describe("CVE ids that never block pulls: the escape hatch when a blocking CVE cannot be fixed yet."),
  retention: z
    .strictObject({
      keepLatestPushed: z.int().min(1).max(100).describe("Per repository, always keep this many most recently pushed tagged images."),
      keepPushedWithinDays: z
        .int()
        .min(1)
        .max(3650)
        .nullable()
        .describe("Also keep tagged images pushed within this many days (Harbor keeps what any rule keeps); null keeps only the latest."),
      runAt: clockTime.describe("Daily retention run, HH:MM UTC. Untagged images are always deleted."),
    })
    .describe("Which tenant images survive the daily retention run."),
  garbageCollection: z
    .strictObject({
      runAt: clockTime.describe("Daily garbage collection, HH:MM UTC, at least an hour after retention (harbor #17230)."),
      workers: z.int().min(1).max(5).describe("Parallel GC workers."),
    })
    .describe("Freeing the storage of deleted images."),
  rescanAt: clockTime.describe("Daily rescan of every image against the latest vulnerability data, HH:MM UTC."),
  immutableTags: z
    .strictObject({
      pattern: z.string().min(1).describe("Doublestar pattern of tags that can never be overwritten or deleted once pushed."),
      enforced: z
        .boolean()
        .describe("Enforce the rule. Harbor's retention cannot delete immutable tags, so enforcing it stops the lifecycle rules for them."),
    })
    .describe("Tag immutability rule of the tenant project."),
  robotExpiryDays: z
    .int()
    .min(2)
    .max(3650)
    .describe("Robot accounts stop working this many days after creation; rotation replaces them before that."),
  replicas: z.int().min(1).max(5).describe("Replicas of Harbor's stateless parts (core, registry, portal, nginx)."),
  apiUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe("Where `pulumi up` reaches Harbor's API; https://registry.{baseDomain} when unset."),
});

export const cloudRegistrySchema = registryCommon.extend({
  databaseConnections: z
    .int()
    .min(2)
    .max(200)
    .describe("Most connections each Harbor pod opens to the managed database (it shares the database's connection limit)."),
});

export const localRegistrySchema = registryCommon.extend({
  imageStorageGiB: z.int().min(1).max(10_000).describe("Size of the volume holding image blobs (no Spaces on the local stack)."),
});

/** An image pinned by tag (never `latest`, which moves) and optionally by digest. */
const imagePin = z.strictObject({
  repository: z
    .string()
    .regex(imageRepositoryPattern, "must be a registry/repository path such as ghcr.io/team-loco/loco-api")
    .describe("Image repository: loco's own on ghcr.io, or wherever a fork publishes."),
  tag: z
    .string()
    .regex(imageTagPattern, "must be an image tag: letters, digits, '_', '.', '-', at most 128 characters")
    .refine(
      (tag) => tag.toLowerCase() !== "latest",
      'must not be "latest": it moves, so what runs would not be what was reviewed. Pin a tag such as sha-<commit>',
    )
    .describe("Image tag, e.g. loco's `sha-<commit>` tags; never `latest`."),
  digest: z
    .string()
    .regex(imageDigestPattern, "must be sha256: followed by 64 lowercase hex digits")
    .optional()
    .describe("Image digest (`sha256:...`): when set, the exact image runs even if the tag is moved."),
});

const locoWorkload = (what: string) =>
  workloadResourcesSchema.extend({
    replicas: replicas(10).describe(`${what} replicas. At least 2 in prod (each gets a PodDisruptionBudget).`),
  });

/** loco's own API, UI and controller (components/loco-control-plane.ts). */
export const controlPlaneSchema = z.strictObject({
  images: z
    .strictObject({
      api: imagePin.describe("loco's API image."),
      ui: imagePin.describe("loco's web UI image."),
      controller: imagePin.describe("loco's controller image."),
    })
    .describe("The images of loco's control plane, pinned."),
  api: locoWorkload("API").describe("loco's API at api.{baseDomain}."),
  ui: locoWorkload("Web UI").describe("loco's web UI at the web app host."),
  controller: locoWorkload("Controller (one leader; others stand by)").describe(
    "loco's controller, which turns Applications into tenant apps.",
  ),
  logLevel: z.enum(Object.keys(logLevels) as [LogLevel, ...LogLevel[]]).describe("The API's log level."),
});

const common = {
  environment: z.enum(environments).describe("Environment kind: picks the defaults and the foundation."),
  baseDomain: domain.describe("Base domain; tenant apps live at {app}.{baseDomain}."),
  regionName: dnsLabel.describe("loco's name for the region this environment serves (as in deployments.region), e.g. us-east-1."),
  rotation: rotationSchema.describe("Rotation of platform-issued credentials."),
  observability: observabilitySchema.describe("Telemetry: ClickHouse, the OpenTelemetry collectors and Grafana."),
  controlPlane: controlPlaneSchema.describe("loco itself: its API, web UI and controller."),
};

/** dev and prod: everything on DigitalOcean and Cloudflare. */
export const cloudConfigSchema = z.strictObject({
  ...common,
  region: region.describe("DigitalOcean region slug for the cluster, database and VPC."),
  cluster: clusterSchema.describe("The DOKS cluster."),
  database: databaseSchema.describe("The managed PostgreSQL database of record."),
  dns: dnsSchema.describe("Public DNS on Cloudflare."),
  objectStorage: objectStorageSchema.describe("DigitalOcean Spaces, where state that must outlive the cluster is kept."),
  traffic: cloudTrafficSchema.describe("Gateway, certificates, load balancer and scale from zero."),
  registry: cloudRegistrySchema.describe("The Harbor registry of tenant images."),
});

/** local: an existing cluster and Postgres; no DigitalOcean, no Cloudflare. */
export const localConfigSchema = z.strictObject({
  ...common,
  local: localSchema.describe("The existing local cluster."),
  traffic: localTrafficSchema.describe("Gateway and scale from zero (self-signed certificates, no load balancer)."),
  registry: localRegistrySchema.describe("The Harbor registry of tenant images."),
});

export type CloudSettings = z.infer<typeof cloudConfigSchema>;
export type LocalSettings = z.infer<typeof localConfigSchema>;
export type ClusterSettings = z.infer<typeof clusterSchema>;
export type AppPoolSettings = z.infer<typeof appPoolSchema>;
export type DatabaseSettings = z.infer<typeof databaseSchema>;
export type DnsSettings = z.infer<typeof dnsSchema>;
export type RotationSettings = z.infer<typeof rotationSchema>;
export type LocalTrafficSettings = z.infer<typeof localTrafficSchema>;
export type CloudTrafficSettings = z.infer<typeof cloudTrafficSchema>;
export type ObservabilitySettings = z.infer<typeof observabilitySchema>;
export type ControlPlaneSettings = z.infer<typeof controlPlaneSchema>;
export type RegistrySettings = z.infer<typeof cloudRegistrySchema> | z.infer<typeof localRegistrySchema>;

/** What only a person can create: the GitHub OAuth app loco's users log in with. Every environment needs its own. */
const locoSecretKeys = ["githubOAuthClientId", "githubOAuthClientSecret"] as const;

/** Secrets are top-level keys set with `pulumi config set --secret`; never nested, never plaintext. */
export const secretKeys = {
  dev: ["digitaloceanToken", "clusterAccessToken", "cloudflareApiToken", "spacesAccessKeyId", "spacesSecretKey", ...locoSecretKeys],
  prod: ["digitaloceanToken", "clusterAccessToken", "cloudflareApiToken", "spacesAccessKeyId", "spacesSecretKey", ...locoSecretKeys],
  local: ["databaseUrl", ...locoSecretKeys],
} as const satisfies Record<Environment, readonly string[]>;

/** Secrets a stack may set but does not need. */
export const optionalSecretKeys = {
  dev: ["preservedCertificates", "alertWebhookUrl"],
  prod: ["preservedCertificates", "alertWebhookUrl"],
  local: ["alertWebhookUrl"],
} as const satisfies Record<Environment, readonly string[]>;

/** What each secret is, for error messages and the README. */
export const secretDescriptions: Record<string, string> = {
  digitaloceanToken: "DigitalOcean API token (read/write) for the cluster, database and VPC",
  clusterAccessToken:
    "DigitalOcean token with custom scopes kubernetes:access_cluster and the read scopes it requires (kubernetes:read, regions:read, sizes:read, actions:read), nothing else: the only credential in the cluster's kubeconfig",
  cloudflareApiToken: "Cloudflare API token with Zone:DNS:Edit, Zone:Zone:Read and User:API Tokens:Edit",
  spacesAccessKeyId: "Spaces access key id with full access: creates the platform's buckets and their scoped keys",
  spacesSecretKey: "Spaces secret key belonging to spacesAccessKeyId",
  databaseUrl: "postgres:// URL of the local stack's existing PostgreSQL",
  preservedCertificates:
    'Certificates to restore before cert-manager starts, as JSON {"<secret>": {"tls.crt", "tls.key"}}: set by the resurrector on a rebuild (README "Certificates")',
  alertWebhookUrl: "Optional: a webhook URL for Grafana alerts that embeds a token (instead of observability.alerting.webhookUrl)",
  githubOAuthClientId: "Client ID of the GitHub OAuth app loco's users log in with (callback on the web app host; docs/loco.md)",
  githubOAuthClientSecret: "Client secret of that GitHub OAuth app",
};
