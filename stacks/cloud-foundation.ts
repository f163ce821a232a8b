/**
 * The foundation of a DigitalOcean environment (dev, prod): the cloud providers, the cluster, the database of
 * record, the public load balancer and Cloudflare DNS pointing at it, and the Kubernetes provider for everything
 * above. The load balancer is created here, outside the cluster and before it is adopted by the traffic layer's
 * gateway, because the DNS records point at its address and both must outlive any one cluster.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "../components/cluster";
import { ManagedDatabase } from "../components/database";
import { Dns } from "../components/dns";
import { kubernetesProvider } from "../components/kubernetes-provider";
import { EntryLoadBalancer, loadBalancerHostname } from "../components/load-balancer";
import type { AlternatingUsersDatabase } from "../components/alternating-database-users";
import type { DatabaseEndpoint } from "../lib/database-connection";
import type { CloudStackConfig } from "./config";
import type { Foundation } from "./foundation";
import type { RotationRun } from "./rotation-state";

export interface CloudFoundationArgs {
  /** The dev or prod stack's typed config (stacks/config.ts). */
  readonly config: CloudStackConfig;
  /** This run's rotations (stacks/rotation-state.ts): which DNS token slots exist. */
  readonly rotations: RotationRun;
}

export class CloudFoundation extends pulumi.ComponentResource implements Foundation {
  public readonly providers: readonly pulumi.ProviderResource[];
  public readonly database: { readonly alternatingUsers: AlternatingUsersDatabase };
  public readonly objectStorage: { readonly region: string };
  public readonly dnsSolverToken: pulumi.Output<string>;
  public readonly publicEntry: { readonly loadBalancerId: pulumi.Output<string>; readonly address: pulumi.Output<string> };
  public readonly managedPostgres: { readonly clusterId: pulumi.Output<string>; readonly admin: pulumi.Output<DatabaseEndpoint> };
  public readonly outputs: Record<string, unknown>;

  constructor(name: string, args: CloudFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:layer:CloudFoundation", name, {}, opts);
    const { config } = args;

    const digitaloceanProvider = new digitalocean.Provider(
      `${name}-digitalocean`,
      {
        token: config.credentials.digitaloceanToken,
        spacesAccessId: config.credentials.spacesAccessKeyId,
        spacesSecretKey: config.credentials.spacesSecretKey,
      },
      { parent: this },
    );
    const cloudflareProvider = new cloudflare.Provider(
      `${name}-cloudflare`,
      { apiToken: config.credentials.cloudflareApiToken },
      { parent: this },
    );
    const onDigitalOcean = { parent: this, providers: [digitaloceanProvider] };

    const cluster = new Cluster(
      `${name}-cluster`,
      {
        region: config.region,
        kubernetesVersion: config.cluster.kubernetesVersion,
        generation: config.cluster.generation,
        highAvailability: config.cluster.highAvailability,
        corePool: config.cluster.corePool,
        appPools: config.cluster.appPools,
        autoUpgrade: config.cluster.autoUpgrade,
        maintenance: config.cluster.maintenance,
        controlPlaneAllowedCidrs: config.cluster.controlPlaneAllowedCidrs,
        vpcIpRange: config.cluster.vpcIpRange,
        protect: config.protect,
        tags: config.tags,
        clusterAccessToken: config.credentials.clusterAccessToken,
      },
      onDigitalOcean,
    );

    const database = new ManagedDatabase(
      `${name}-database`,
      {
        region: config.region,
        postgresVersion: config.database.postgresVersion,
        size: config.database.size,
        nodeCount: config.database.nodeCount,
        vpcId: cluster.vpcId,
        clusterId: cluster.clusterId,
        trustedSources: [
          ...config.database.trustedIpRanges.map((range) => ({ type: "ip_addr" as const, value: range })),
          ...config.database.trustedApps.map((appId) => ({ type: "app" as const, value: appId })),
        ],
        connectionPoolSize: config.database.connectionPoolSize,
        maintenance: config.database.maintenance,
        protect: config.protect,
        tags: config.tags,
      },
      onDigitalOcean,
    );

    const entry = new EntryLoadBalancer(
      `${name}-entry`,
      {
        name: config.loadBalancerName,
        region: config.region,
        vpcId: cluster.vpcId,
        sizeUnit: config.traffic.loadBalancer.sizeUnit,
        proxyProtocol: config.traffic.loadBalancer.proxyProtocol,
        protect: config.protect,
      },
      onDigitalOcean,
    );

    const dns = new Dns(
      `${name}-dns`,
      {
        zone: config.dnsZone,
        names: config.names,
        publicAddress: entry.address,
        loadBalancerHostname: loadBalancerHostname(config.baseDomain),
        ttl: config.dns.ttl,
        tokenSlots: args.rotations.twoSlotRotation("cloudflareDnsToken").next,
        managedBy: `loco-platform/${config.stack}`,
      },
      { parent: this, providers: [cloudflareProvider] },
    );

    const kubernetes = kubernetesProvider(
      `${name}-kubernetes`,
      { kind: "doks", kubeconfig: cluster.kubeconfig, clusterId: cluster.clusterId, deleteUnreachable: config.deleteUnreachable },
      { parent: this },
    );
    this.providers = [kubernetes, digitaloceanProvider];
    this.database = {
      alternatingUsers: {
        admin: database.admin,
        database: database.databaseName,
        pooled: database.addresses.apply((addresses) => addresses.pooled),
        direct: database.addresses.apply((addresses) => addresses.direct),
      },
    };
    this.objectStorage = { region: config.objectStorage.region ?? config.region };
    this.dnsSolverToken = dns.dnsSolverToken;
    args.rotations.appliedBy("cloudflareDnsToken", dns.solverTokens);
    this.publicEntry = { loadBalancerId: entry.loadBalancerId, address: entry.address };
    this.managedPostgres = { clusterId: database.clusterId, admin: database.admin };
    this.outputs = {
      // The generation is what the next run checks its config against (stacks/cluster-generation-guard.ts).
      cluster: {
        id: cluster.clusterId,
        name: cluster.clusterName,
        endpoint: cluster.endpoint,
        vpcId: cluster.vpcId,
        generation: config.cluster.generation,
      },
      dns: { zoneId: dns.zoneId, hostnames: dns.hostnames },
      dnsSolverToken: dns.dnsSolverToken,
    };
    this.registerOutputs(this.outputs);
  }
}
