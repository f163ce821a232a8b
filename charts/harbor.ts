/**
 * Harbor: loco's image registry (chart 1.19.1 = Harbor 2.15.1). The values builder encodes the platform's choices:
 *
 * - Exposed as a ClusterIP Service (`harbor`, port 80) in front of Harbor's own nginx, with TLS off: TLS ends at
 *   the shared Gateway, whose HTTPRoute the platform declares itself (validated against the Gateway API CRDs).
 *   Harbor's nginx then does the path routing, the 900 s timeouts and the unlimited body size image pushes need.
 * - Every secret reaches Harbor as an existing Kubernetes Secret (`existingSecret*` keys); no value in here is a
 *   secret, so Helm's release record holds none.
 * - Image blobs on S3-compatible storage (Spaces) or a volume; the database external (managed Postgres) or the
 *   chart's own; Redis and Trivy in-cluster. Every pod on the core pool.
 * - Memory limits, no CPU limits (throttling a registry under a push burst helps nobody).
 */
import type * as pulumi from "@pulumi/pulumi";
import { corePoolPlacement } from "../lib/core-pool";
import type { ChartPin } from "./chart";

/** The Service the Gateway's route points at: Harbor's nginx. */
export const harborService = { name: "harbor", port: 80 } as const;

/** Keys the chart reads from each existing Secret (chart 1.19.1 values.yaml). */
export const harborSecretKeys = {
  admin: "HARBOR_ADMIN_PASSWORD",
  secretKey: "secretKey",
  core: "secret",
  xsrf: "CSRF_KEY",
  jobservice: "JOBSERVICE_SECRET",
  registryHttp: "REGISTRY_HTTP_SECRET",
  registryPassword: "REGISTRY_PASSWD",
  registryHtpasswd: "REGISTRY_HTPASSWD",
  s3AccessKey: "REGISTRY_STORAGE_S3_ACCESSKEY",
  s3SecretKey: "REGISTRY_STORAGE_S3_SECRETKEY",
  databasePassword: "password",
} as const;

/** Names of the existing Secrets holding each of Harbor's secrets. */
export interface HarborSecretNames {
  readonly admin: string;
  readonly secretKey: string;
  readonly core: string;
  readonly jobservice: string;
  readonly registryHttp: string;
  readonly registryCredentials: string;
}

/** The registry pod annotation that names the storage key in use. */
export const storageCredentialsAnnotation = "loco.dev/storage-key-generation";

export type HarborImageStorage =
  | {
      readonly kind: "s3";
      readonly bucket: pulumi.Input<string>;
      /** Spaces region slug, e.g. nyc3. */
      readonly region: pulumi.Input<string>;
      /** https://<region>.digitaloceanspaces.com */
      readonly endpoint: pulumi.Input<string>;
      /** Secret with the bucket's key pair. */
      readonly credentialsSecret: string;
      /** Changes when the key pair does: the registry's pod annotation, which rolls it onto the new key. */
      readonly credentialsVersion: string;
    }
  | { readonly kind: "filesystem"; readonly size: string };

export type HarborDatabase =
  | {
      readonly kind: "external";
      readonly host: pulumi.Input<string>;
      readonly port: pulumi.Input<number>;
      readonly user: pulumi.Input<string>;
      readonly database: pulumi.Input<string>;
      /** Secret with the user's password. */
      readonly passwordSecret: string;
      /** Most connections each Harbor pod opens. */
      readonly maxOpenConnections: number;
    }
  | { readonly kind: "internal"; readonly size: string };

export interface HarborValuesArgs {
  /** https://registry.{baseDomain}: what clients use, and what Harbor puts in its token realm. */
  readonly externalUrl: string;
  /** Replicas of the stateless parts. */
  readonly replicas: number;
  readonly imageStorage: HarborImageStorage;
  readonly database: HarborDatabase;
  readonly secrets: HarborSecretNames;
  /** Username core uses to reach the registry (its password is in `secrets.registryCredentials`). */
  readonly registryUser: string;
  /** Trivy's vulnerability database cache. */
  readonly trivyStorage: string;
}

const resources = (cpu: string, memory: string, memoryLimit: string) => ({ requests: { cpu, memory }, limits: { memory: memoryLimit } });

/** Requests and memory limits per workload, sized for a small registry; overrides can raise them. */
export const harborResources = {
  nginx: resources("50m", "64Mi", "256Mi"),
  portal: resources("10m", "32Mi", "128Mi"),
  core: resources("100m", "256Mi", "1Gi"),
  jobservice: resources("50m", "128Mi", "512Mi"),
  registry: resources("100m", "256Mi", "1Gi"),
  registryctl: resources("20m", "64Mi", "256Mi"),
  // Trivy unpacks image layers in memory while scanning; big images need the headroom.
  trivy: resources("200m", "512Mi", "2Gi"),
  redis: resources("50m", "64Mi", "256Mi"),
  database: resources("100m", "256Mi", "1Gi"),
} as const;

/** Pure: the chart's values for these args. */
export function harborValues(args: HarborValuesArgs): Record<string, unknown> {
  const onCorePool = () => corePoolPlacement();
  const s3 = args.imageStorage.kind === "s3" ? args.imageStorage : undefined;
  const external = args.database.kind === "external" ? args.database : undefined;
  const filesystem = args.imageStorage.kind === "filesystem" ? args.imageStorage : undefined;
  const internalDatabase = args.database.kind === "internal" ? args.database : undefined;
  return {
    expose: {
      type: "clusterIP",
      tls: { enabled: false },
      clusterIP: { name: harborService.name, ports: { httpPort: harborService.port } },
    },
    externalURL: args.externalUrl,
    // DOKS and kind are IPv4-only; nginx would otherwise also bind [::]:8080.
    ipFamily: { ipv4: { enabled: true }, ipv6: { enabled: false } },
    existingSecretAdminPassword: args.secrets.admin,
    existingSecretAdminPasswordKey: harborSecretKeys.admin,
    existingSecretSecretKey: args.secrets.secretKey,
    // A volume holding blobs can be attached to one node at a time: replace the registry pod rather than roll it.
    updateStrategy: { type: filesystem ? "Recreate" : "RollingUpdate" },
    persistence: {
      enabled: true,
      resourcePolicy: "keep",
      persistentVolumeClaim: {
        redis: { size: "1Gi" },
        trivy: { size: args.trivyStorage },
        ...(filesystem ? { registry: { size: filesystem.size } } : {}),
        ...(internalDatabase ? { database: { size: internalDatabase.size } } : {}),
      },
      imageChartStorage: s3
        ? {
            type: "s3",
            s3: {
              existingSecret: s3.credentialsSecret,
              bucket: s3.bucket,
              // With a regionendpoint the driver signs for this region and skips AWS's region list.
              region: s3.region,
              regionendpoint: s3.endpoint,
              secure: true,
              v4auth: true,
              rootdirectory: "/registry",
            },
          }
        : { type: "filesystem", filesystem: { rootdirectory: "/storage" } },
    },
    nginx: { replicas: args.replicas, resources: harborResources.nginx, ...onCorePool() },
    portal: { replicas: args.replicas, resources: harborResources.portal, ...onCorePool() },
    core: {
      replicas: args.replicas,
      resources: harborResources.core,
      ...onCorePool(),
      existingSecret: args.secrets.core,
      // The same Secret holds core's key (`secret`) and the XSRF key (`CSRF_KEY`).
      existingXsrfSecret: args.secrets.core,
      existingXsrfSecretKey: harborSecretKeys.xsrf,
    },
    jobservice: {
      replicas: 1,
      resources: harborResources.jobservice,
      ...onCorePool(),
      existingSecret: args.secrets.jobservice,
      existingSecretKey: harborSecretKeys.jobservice,
      // Job logs (retention, GC, scans) in the database: no volume, and they survive a cluster rebuild with it.
      jobLoggers: ["database"],
    },
    registry: {
      replicas: filesystem ? 1 : args.replicas,
      ...onCorePool(),
      registry: { resources: harborResources.registry },
      controller: { resources: harborResources.registryctl },
      existingSecret: args.secrets.registryHttp,
      existingSecretKey: harborSecretKeys.registryHttp,
      credentials: { username: args.registryUser, existingSecret: args.secrets.registryCredentials },
      // The storage key reaches the registry as environment variables, read at start only.
      ...(s3 ? { podAnnotations: { [storageCredentialsAnnotation]: s3.credentialsVersion } } : {}),
    },
    trivy: {
      enabled: true,
      replicas: 1,
      resources: harborResources.trivy,
      ...onCorePool(),
      // Block pulls only for what a rebuild can fix; an unfixable CVE would otherwise stop every deploy of an image.
      ignoreUnfixed: true,
    },
    database: external
      ? {
          type: "external",
          external: {
            host: external.host,
            port: external.port,
            username: external.user,
            coreDatabase: external.database,
            existingSecret: external.passwordSecret,
            // Managed Postgres accepts TLS only.
            sslmode: "require",
          },
          maxOpenConns: external.maxOpenConnections,
          maxIdleConns: Math.max(1, Math.floor(external.maxOpenConnections / 4)),
        }
      : { type: "internal", internal: { resources: harborResources.database, ...onCorePool() } },
    redis: { type: "internal", internal: { resources: harborResources.redis, ...onCorePool() } },
  };
}

const typeAt = (values: Record<string, unknown>, key: "expose" | "redis" | "database") =>
  (values[key] as { type?: string } | undefined)?.type;

export const harborChart: ChartPin = {
  chart: "harbor",
  repository: "https://helm.goharbor.io",
  version: "1.19.1",
  project: "https://github.com/goharbor/harbor-helm",
  workloads: [
    // nginx fronts Harbor unless an Ingress or a Gateway route does the path routing.
    {
      name: "nginx",
      replicas: "nginx.replicas",
      resources: "nginx.resources",
      enabledWhen: (v) => !["ingress", "route"].includes(typeAt(v, "expose") ?? "ingress"),
    },
    { name: "core", replicas: "core.replicas", resources: "core.resources" },
    { name: "portal", replicas: "portal.replicas", resources: "portal.resources" },
    { name: "jobservice", replicas: "jobservice.replicas", resources: "jobservice.resources" },
    {
      name: "registry",
      replicas: "registry.replicas",
      resources: "registry.registry.resources",
      volumes: ["persistence.persistentVolumeClaim.registry.size"],
    },
    { name: "registryctl", replicas: "registry.replicas", resources: "registry.controller.resources" },
    {
      name: "trivy",
      replicas: "trivy.replicas",
      resources: "trivy.resources",
      enabledWhen: "trivy.enabled",
      volumes: ["persistence.persistentVolumeClaim.trivy.size"],
    },
    {
      name: "redis",
      replicas: 1,
      resources: "redis.internal.resources",
      enabledWhen: (v) => typeAt(v, "redis") !== "external",
      volumes: ["persistence.persistentVolumeClaim.redis.size"],
    },
    {
      name: "database",
      replicas: 1,
      resources: "database.internal.resources",
      enabledWhen: (v) => typeAt(v, "database") !== "external",
      volumes: ["persistence.persistentVolumeClaim.database.size"],
    },
  ],
};
