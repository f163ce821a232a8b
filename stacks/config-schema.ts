/**
 * The shape of an environment's config (the `loco:` namespace of Pulumi.<stack>.yaml), as zod schemas.
 * Shapes only: per-environment defaults live in config-defaults.ts, rules that relate two keys in
 * config-rules.ts, and reading plus error reporting in config.ts. Each field's description feeds the README's
 * config reference (`npm run config:reference`), so it is written for the person editing the stack file.
 */
import { z } from "zod";
import { catalog, platformRegions, spacesRegions } from "../lib/digitalocean-catalog";

export const environments = ["dev", "prod", "local"] as const;
export type Environment = (typeof environments)[number];

const dnsLabelPattern = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const domainPattern = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An exact DOKS version slug. "latest" or "1.34" would let a re-run silently move the cluster. */
export const pinnedKubernetesVersion = /^\d+\.\d+\.\d+-do\.\d+$/;

const dnsLabel = z.string().regex(dnsLabelPattern, "must be a DNS label: lowercase letters, digits and '-', 1-63 characters");
const domain = z.string().regex(domainPattern, "must be a domain name such as loco.example.com (lowercase, no scheme, no trailing dot)");
const weekday = z.enum(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]);
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be a UTC time of day as HH:MM");

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

export const clusterSchema = z.strictObject({
  kubernetesVersion: z
    .string()
    .regex(pinnedKubernetesVersion, "must be an exact DOKS version such as 1.34.1-do.0, not 'latest' or a minor version")
    .describe("Exact DOKS version slug (`doctl kubernetes options versions`)."),
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
  vpcIpRange: z.cidrv4().optional().describe("IPv4 range of the environment's VPC; DigitalOcean picks one when unset."),
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
});

export const dnsSchema = z.strictObject({
  zone: domain.optional().describe("Cloudflare zone holding the records: the base domain (default) or one of its parents."),
  publicAddress: z.ipv4().describe("Public IPv4 address every name points at."),
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
});

export const observabilitySchema = z.strictObject({
  retentionDays: z
    .int()
    .min(1, "must be at least 1 day")
    .max(365, "must be at most 365 days")
    .describe("Days of logs, metrics and traces kept before ClickHouse drops them."),
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

const common = {
  environment: z.enum(environments).describe("Environment kind: picks the defaults and the foundation."),
  baseDomain: domain.describe("Base domain; tenant apps live at {app}.{baseDomain}."),
  regionName: dnsLabel.describe("loco's name for the region this environment serves (as in deployments.region), e.g. us-east-1."),
  rotation: rotationSchema.describe("Rotation of platform-issued credentials."),
  observability: observabilitySchema.describe("Telemetry retention."),
};

/** dev and prod: everything on DigitalOcean and Cloudflare. */
export const cloudConfigSchema = z.strictObject({
  ...common,
  region: region.describe("DigitalOcean region slug for the cluster, database and VPC."),
  cluster: clusterSchema.describe("The DOKS cluster."),
  database: databaseSchema.describe("The managed PostgreSQL database of record."),
  dns: dnsSchema.describe("Public DNS on Cloudflare."),
  objectStorage: objectStorageSchema.describe("DigitalOcean Spaces, where state that must outlive the cluster is kept."),
  registry: cloudRegistrySchema.describe("The Harbor registry of tenant images."),
});

/** local: an existing cluster and Postgres; no DigitalOcean, no Cloudflare. */
export const localConfigSchema = z.strictObject({
  ...common,
  local: localSchema.describe("The existing local cluster."),
  registry: localRegistrySchema.describe("The Harbor registry of tenant images."),
});

export type CloudSettings = z.infer<typeof cloudConfigSchema>;
export type LocalSettings = z.infer<typeof localConfigSchema>;
export type ClusterSettings = z.infer<typeof clusterSchema>;
export type AppPoolSettings = z.infer<typeof appPoolSchema>;
export type DatabaseSettings = z.infer<typeof databaseSchema>;
export type DnsSettings = z.infer<typeof dnsSchema>;
export type RotationSettings = z.infer<typeof rotationSchema>;
export type RegistrySettings = z.infer<typeof cloudRegistrySchema> | z.infer<typeof localRegistrySchema>;

/** Secrets are top-level keys set with `pulumi config set --secret`; never nested, never plaintext. */
export const secretKeys = {
  dev: ["digitaloceanToken", "cloudflareApiToken", "spacesAccessKeyId", "spacesSecretKey"],
  prod: ["digitaloceanToken", "cloudflareApiToken", "spacesAccessKeyId", "spacesSecretKey"],
  local: ["databaseUrl"],
} as const satisfies Record<Environment, readonly string[]>;

/** What each secret is, for error messages and the README. */
export const secretDescriptions: Record<string, string> = {
  digitaloceanToken: "DigitalOcean API token (read/write) for the cluster, database and VPC",
  cloudflareApiToken: "Cloudflare API token with Zone:DNS:Edit, Zone:Zone:Read and User:API Tokens:Edit",
  spacesAccessKeyId: "Spaces access key id with full access: creates the platform's buckets and their scoped keys",
  spacesSecretKey: "Spaces secret key belonging to spacesAccessKeyId",
  databaseUrl: "postgres:// URL of the local stack's existing PostgreSQL",
};
