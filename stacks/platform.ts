/**
 * Composes one environment from its typed config. The foundation differs by environment kind (DigitalOcean and
 * Cloudflare for dev/prod, an existing cluster and Postgres for local); everything built on top of it receives
 * the same {@link Foundation} and is shared by all three.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "../components/cluster";
import { ManagedDatabase } from "../components/database";
import { Dns } from "../components/dns";
import { kubernetesProvider } from "../components/kubernetes-provider";
import type { RotationPolicy } from "../components/secrets";
import { connectionFromUrl, type DatabaseConnection, type DatabaseEndpoint } from "../lib/database-connection";
import type { CloudStackConfig, LocalStackConfig, StackConfig } from "./config";
import { publicEntryPoint, traffic } from "./traffic";
import { observability } from "./observability";
import { registryLayer } from "./registry";

/** What every layer above the cluster builds on. */
export interface Foundation {
  /** The only Kubernetes provider; in-cluster components get it through `providers`. */
  readonly kubernetes: k8s.Provider;
  /** loco's database of record (secret). */
  readonly database: pulumi.Output<DatabaseConnection>;
  /**
   * dev/prod: Spaces, for what must outlive the cluster (create buckets with components/object-storage.ts and
   * this provider). Undefined on the local stack, where layers keep such state in the cluster.
   */
  readonly objectStorage?: { readonly provider: digitalocean.Provider; readonly region: string; readonly protect: boolean };
  /** dev/prod: the Cloudflare token cert-manager's DNS-01 solver uses (secret). Undefined on local. */
  readonly dnsSolverToken?: pulumi.Output<string>;
  /** dev/prod: the load balancer outside the cluster that holds the public address. Undefined on local. */
  readonly publicEntry?: { readonly loadBalancerId: pulumi.Output<string>; readonly address: pulumi.Output<string> };
  /**
   * dev/prod: the managed Postgres cluster, for platform services that keep a database of their own there
   * (components/app-database.ts); `admin` is secret. Undefined on local.
   */
  readonly managedPostgres?: {
    readonly clusterId: pulumi.Output<string>;
    readonly admin: pulumi.Output<DatabaseEndpoint>;
    readonly protect: boolean;
  };
  /** Stack outputs of the foundation layer. */
  readonly outputs: Record<string, unknown>;
}

/** The stack's outputs. */
export function platform(config: StackConfig): Record<string, unknown> {
  const foundation = config.environment === "local" ? localFoundation(config) : cloudFoundation(config);
  const trafficLayer = traffic(config, foundation);
  const telemetry = observability(config, foundation, trafficLayer.routesReady);
  const registry = registryLayer(config, foundation, trafficLayer.routesReady);
  return {
    environment: config.environment,
    publicNames: config.names,
    ...foundation.outputs,
    traffic: trafficLayer.outputs,
    ...telemetry.outputs,
    ...registry.outputs,
  };
}

/** The rotation policy of one platform-issued credential. */
export function rotationPolicy(config: StackConfig, credential: string): RotationPolicy {
  return { maxAgeDays: config.rotation.maxAgeDays, counter: config.rotation.counters[credential] ?? 0 };
}

function cloudFoundation(config: CloudStackConfig): Foundation {
  const name = `loco-${config.stack}`;
  const digitaloceanProvider = new digitalocean.Provider("digitalocean", {
    token: config.credentials.digitaloceanToken,
    spacesAccessId: config.credentials.spacesAccessKeyId,
    spacesSecretKey: config.credentials.spacesSecretKey,
  });
  const cloudflareProvider = new cloudflare.Provider("cloudflare", { apiToken: config.credentials.cloudflareApiToken });

  const cluster = new Cluster(
    name,
    {
      region: config.region,
      kubernetesVersion: config.cluster.kubernetesVersion,
      highAvailability: config.cluster.highAvailability,
      corePool: config.cluster.corePool,
      appPools: config.cluster.appPools,
      autoUpgrade: config.cluster.autoUpgrade,
      maintenance: config.cluster.maintenance,
      controlPlaneAllowedCidrs: config.cluster.controlPlaneAllowedCidrs,
      vpcIpRange: config.cluster.vpcIpRange,
      protect: config.protect,
      tags: config.tags,
      digitaloceanToken: config.credentials.digitaloceanToken,
    },
    { providers: [digitaloceanProvider] },
  );

  const database = new ManagedDatabase(
    name,
    {
      region: config.region,
      postgresVersion: config.database.postgresVersion,
      size: config.database.size,
      nodeCount: config.database.nodeCount,
      vpcId: cluster.vpcId,
      clusterId: cluster.clusterId,
      trustedSources: config.database.trustedIpRanges.map((range) => ({ type: "ip_addr" as const, value: range })),
      connectionPoolSize: config.database.connectionPoolSize,
      maintenance: config.database.maintenance,
      protect: config.protect,
      tags: config.tags,
    },
    { providers: [digitaloceanProvider] },
  );

  const entry = publicEntryPoint(config, { vpcId: cluster.vpcId, provider: digitaloceanProvider });

  const dns = new Dns(
    name,
    {
      zone: config.dns.zone ?? config.baseDomain,
      names: config.names,
      publicAddress: entry.address,
      ttl: config.dns.ttl,
      tokenRotation: rotationPolicy(config, "cloudflareDnsToken"),
      managedBy: `loco-platform/${config.stack}`,
    },
    { providers: [cloudflareProvider] },
  );

  const kubernetes = kubernetesProvider("kubernetes", { kind: "doks", kubeconfig: cluster.kubeconfig, clusterId: cluster.clusterId });

  return {
    kubernetes,
    database: database.connection,
    objectStorage: { provider: digitaloceanProvider, region: config.objectStorage.region ?? config.region, protect: config.protect },
    dnsSolverToken: dns.dnsSolverToken,
    publicEntry: entry,
    managedPostgres: { clusterId: database.clusterId, admin: database.admin, protect: config.protect },
    outputs: {
      cluster: { id: cluster.clusterId, name: cluster.clusterName, endpoint: cluster.endpoint, vpcId: cluster.vpcId },
      kubeconfig: cluster.kubeconfig,
      database: database.connection,
      dns: { zoneId: dns.zoneId, hostnames: dns.hostnames },
      dnsSolverToken: dns.dnsSolverToken,
    },
  };
}

function localFoundation(config: LocalStackConfig): Foundation {
  const kubernetes = kubernetesProvider("kubernetes", {
    kind: "context",
    context: config.local.kubeContext,
    kubeconfigPath: config.local.kubeconfigPath,
  });
  const database = pulumi.secret(config.credentials.databaseUrl.apply(connectionFromUrl));
  return {
    kubernetes,
    database,
    outputs: { cluster: { context: config.local.kubeContext }, database },
  };
}
