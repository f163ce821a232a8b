/**
 * The environment's Kubernetes cluster on DigitalOcean: a VPC, a DOKS cluster of a configured minor version, and
 * autoscaled app pools.
 *
 * The cluster's built-in pool is the core pool: small, fixed and tainted so only platform add-ons run there.
 * DigitalOcean replaces the whole cluster when the built-in pool's size changes, so everything that scales or
 * changes shape lives in separate `KubernetesNodePool`s, which can be added, resized or removed freely.
 *
 * The version is a minor version (1.34). The cluster is created at DigitalOcean's newest release of it
 * (`getKubernetesVersions`, as DigitalOcean's own provider docs advise); after that, with auto-upgrade on,
 * DigitalOcean owns the patch level and the version is ignored: a refresh records the upgraded release, and a pinned
 * lower one would otherwise plan a replacement of the cluster.
 */
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { appPoolName, corePoolName, corePoolTaint, poolLabelKey } from "../lib/core-pool";

export interface AppPoolArgs {
  /** Pool name, unique in the cluster (a DNS label). */
  readonly name: string;
  /** Droplet size slug. */
  readonly size: string;
  /** Fewest nodes the autoscaler keeps (at least 1). */
  readonly minNodes: number;
  /** Most nodes the autoscaler may add. */
  readonly maxNodes: number;
}

export interface ClusterArgs {
  /** DigitalOcean region slug. */
  readonly region: string;
  /** Kubernetes minor version, e.g. `1.34`: the cluster starts at DigitalOcean's newest release of it. */
  readonly kubernetesVersion: string;
  /**
   * Generation of the cluster, from 1: part of its DigitalOcean name ({@link clusterName}). A new generation is a new
   * cluster, created beside the old one (cluster names are unique per account), which is deleted once the new one
   * and everything on it exist.
   */
  readonly generation: number;
  /** HA control plane. DigitalOcean cannot turn it off again. */
  readonly highAvailability: boolean;
  /** The built-in pool, reserved for platform add-ons. Changing `size` replaces the cluster. */
  readonly corePool: {
    /** Droplet size slug of every core node. */
    readonly size: string;
    /** Fixed number of core nodes (no autoscaler), at least 1. */
    readonly nodeCount: number;
  };
  /** Autoscaled pools for tenant apps. */
  readonly appPools: readonly AppPoolArgs[];
  /** Let DigitalOcean apply patch upgrades in the maintenance window. */
  readonly autoUpgrade: boolean;
  /** Weekly window (UTC) for automatic upgrades. */
  readonly maintenance: {
    /** A weekday ("monday" ...) or "any". */
    readonly day: string;
    /** Start of the window, HH:MM UTC (lib/clock-time.ts). */
    readonly startTime: string;
  };
  /**
   * CIDRs allowed to reach the Kubernetes API. Unset leaves the API reachable from anywhere (still authenticated).
   * @default none: no control plane firewall
   */
  readonly controlPlaneAllowedCidrs?: readonly string[];
  /**
   * IPv4 range for the VPC.
   * @default chosen by DigitalOcean
   */
  readonly vpcIpRange?: string;
  /** Protect the cluster and VPC from deletion and replacement (prod). */
  readonly protect: boolean;
  /** Tags on every DigitalOcean object. */
  readonly tags: readonly string[];
  /**
   * DigitalOcean token for the kubeconfig's exec credential, and for nothing else: a custom-scoped token
   * (kubernetes:access_cluster and its required read scopes), so the kubeconfig cannot touch the rest of the account.
   */
  readonly clusterAccessToken: pulumi.Input<string>;
}

export class Cluster extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly clusterId: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  /** The Kubernetes API URL. */
  public readonly endpoint: pulumi.Output<string>;
  /**
   * kubeconfig that authenticates through `doctl` on every use, with the cluster access token: it never holds a token
   * that can expire. Secret, for the Kubernetes provider; not a stack output (operators use
   * `doctl kubernetes cluster kubeconfig save` with their own token).
   */
  public readonly kubeconfig: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:cluster:Cluster", name, {}, opts);
    validateClusterArgs(name, args, this);

    const vpc = new digitalocean.Vpc(
      `${name}-vpc`,
      {
        name: `${name}-vpc`,
        region: args.region,
        ipRange: args.vpcIpRange,
        description: `loco ${name}: cluster, database and load balancer`,
      },
      // The cluster and database sit in this VPC; deleting it would take the environment's private network down.
      { parent: this, protect: args.protect },
    );

    const version = digitalocean
      .getKubernetesVersionsOutput({ versionPrefix: `${args.kubernetesVersion}.` }, { parent: this })
      .apply((offered) => releaseOfMinor(args.kubernetesVersion, offered, this));
    const cluster = new digitalocean.KubernetesCluster(`${name}-cluster`, clusterInputs(name, args, vpc.id, version), {
      parent: this,
      // DigitalOcean would rename the cluster in place; a new name (a new generation) must be a new cluster, created
      // before the old one is deleted.
      replaceOnChanges: ["name"],
      // Protected in prod: losing the cluster is a rebuild, which should be a decision, not a side effect.
      // The core pool has a fixed count and no autoscaler, so its nodeCount is config-owned and not ignored.
      protect: args.protect,
      // Auto-upgrade moves the patch release; a refresh records it, and planning the older release would replace
      // the cluster. A new minor version is applied with auto-upgrade off (docs/architecture.md).
      ignoreChanges: args.autoUpgrade ? ["version"] : [],
    });

    for (const pool of args.appPools) {
      new digitalocean.KubernetesNodePool(`${name}-pool-${pool.name}`, appPoolInputs(name, pool, cluster.id, args.tags), {
        parent: this,
        // The cluster autoscaler owns the node count between minNodes and maxNodes; without this every
        // refresh + up would try to reset it and fight the autoscaler.
        ignoreChanges: ["nodeCount"],
      });
    }

    this.vpcId = vpc.id;
    this.clusterId = cluster.id;
    this.clusterName = cluster.name;
    this.endpoint = cluster.endpoint;
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.id, cluster.name, cluster.endpoint, cluster.kubeConfigs, args.clusterAccessToken])
        .apply(([id, clusterName, endpoint, kubeConfigs, token]) =>
          execCredentialKubeconfig({
            clusterId: id,
            clusterName,
            endpoint,
            caCertificateBase64: kubeConfigs[0]?.clusterCaCertificate ?? "",
            token,
          }),
        ),
    );
    this.registerOutputs({ vpcId: this.vpcId, clusterId: this.clusterId, clusterName: this.clusterName, endpoint: this.endpoint });
  }
}

/**
 * Pure: the release a new cluster of `minor` starts at, from `getKubernetesVersions`; fails naming the setting when
 * DigitalOcean offers none (a minor it has retired, or not released yet).
 */
export function releaseOfMinor(
  minor: string,
  offered: { latestVersion: string; validVersions: readonly string[] },
  resource?: pulumi.Resource,
): string {
  if (!offered.latestVersion) {
    throw new pulumi.ResourceError(
      `loco:cluster.kubernetesVersion "${minor}" is not offered by DigitalOcean now: pick a minor version that \`doctl kubernetes options versions\` lists`,
      resource,
    );
  }
  return offered.latestVersion;
}

/**
 * Pure: the cluster's DigitalOcean name. Generation 1 keeps the name clusters had before generations existed, so
 * introducing them replaces nothing; generation n >= 2 is `<name>-g<n>`.
 */
export function clusterName(name: string, generation: number): string {
  return generation === 1 ? name : `${name}-g${generation}`;
}

/** Pure: the KubernetesCluster's inputs. */
export function clusterInputs(
  name: string,
  args: ClusterArgs,
  vpcId: pulumi.Input<string>,
  version: pulumi.Input<string>,
): digitalocean.KubernetesClusterArgs {
  return {
    name: clusterName(name, args.generation),
    region: args.region,
    version,
    vpcUuid: vpcId,
    ha: args.highAvailability,
    surgeUpgrade: true,
    autoUpgrade: args.autoUpgrade,
    // DigitalOcean only honours the window when autoUpgrade is on; sending it anyway keeps the diff honest.
    maintenancePolicy: { day: args.maintenance.day, startTime: args.maintenance.startTime },
    controlPlaneFirewall: args.controlPlaneAllowedCidrs
      ? { enabled: true, allowedAddresses: [...args.controlPlaneAllowedCidrs] }
      : undefined,
    registryIntegration: false,
    tags: [...args.tags],
    nodePool: {
      name: `${name}-${corePoolName}`,
      size: args.corePool.size,
      nodeCount: args.corePool.nodeCount,
      autoScale: false,
      labels: { [poolLabelKey]: corePoolName },
      taints: [{ key: corePoolTaint.key, value: corePoolTaint.value, effect: corePoolTaint.effect }],
      tags: [...args.tags, `${name}-${corePoolName}`],
    },
  };
}

/** Pure: one app pool's inputs. Node count is left to the autoscaler. */
export function appPoolInputs(
  clusterName: string,
  pool: AppPoolArgs,
  clusterId: pulumi.Input<string>,
  tags: readonly string[],
): digitalocean.KubernetesNodePoolArgs {
  return {
    clusterId,
    // The size is part of the name because a size change replaces the pool: Pulumi creates the new pool
    // before deleting (and DigitalOcean draining) the old one, and two pools cannot share a name.
    name: `${clusterName}-${pool.name}-${pool.size}`,
    size: pool.size,
    autoScale: true,
    minNodes: pool.minNodes,
    maxNodes: pool.maxNodes,
    labels: { [poolLabelKey]: appPoolName, "loco.dev/app-pool": pool.name },
    tags: [...tags, `${clusterName}-${pool.name}`],
  };
}

export interface ExecCredentialKubeconfigArgs {
  /** The DOKS cluster id `doctl` asks a credential for. */
  readonly clusterId: string;
  /** The cluster's name: also the kubeconfig's cluster, user and context name. */
  readonly clusterName: string;
  /** The Kubernetes API URL. */
  readonly endpoint: string;
  /** The cluster CA certificate, base64-encoded PEM. */
  readonly caCertificateBase64: string;
  /** The DigitalOcean token `doctl` runs with (secret: the kubeconfig holding it is a secret). */
  readonly token: string;
}

/**
 * Pure: a kubeconfig whose user runs `doctl kubernetes cluster kubeconfig exec-credential` for a short-lived
 * token on every use. Unlike the token in `kubeConfigs[0]`, it cannot go stale in state, so `pulumi refresh`,
 * `pulumi destroy` and the resurrector keep working weeks after the last `pulumi up`. Needs `doctl` on PATH.
 */
export function execCredentialKubeconfig(args: ExecCredentialKubeconfigArgs): string {
  const context = args.clusterName;
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: context, cluster: { server: args.endpoint, "certificate-authority-data": args.caCertificateBase64 } }],
    users: [
      {
        name: context,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "doctl",
            args: ["kubernetes", "cluster", "kubeconfig", "exec-credential", "--version=v1beta1", args.clusterId],
            env: [{ name: "DIGITALOCEAN_ACCESS_TOKEN", value: args.token }],
            interactiveMode: "Never",
            provideClusterInfo: false,
          },
        },
      },
    ],
    contexts: [{ name: context, context: { cluster: context, user: context } }],
    "current-context": context,
  });
}

/** Pure: throws a ResourceError naming the first bad field. Config validation catches these first; this guards direct use. */
export function validateClusterArgs(name: string, args: ClusterArgs, resource?: pulumi.Resource): void {
  const fail = (field: string, why: string) => {
    throw new pulumi.ResourceError(`Cluster ${name}: ${field} ${why}`, resource);
  };
  if (args.appPools.length === 0) fail("appPools", "must list at least one pool: tenant apps cannot run on the tainted core pool");
  const names = new Set<string>();
  args.appPools.forEach((pool, i) => {
    if (pool.minNodes < 1) fail(`appPools[${i}].minNodes`, `must be at least 1, got ${pool.minNodes}`);
    if (pool.maxNodes < pool.minNodes) fail(`appPools[${i}].maxNodes`, `must be >= minNodes (${pool.minNodes}), got ${pool.maxNodes}`);
    if (names.has(pool.name)) fail(`appPools[${i}].name`, `"${pool.name}" is used twice`);
    names.add(pool.name);
  });
  if (args.corePool.nodeCount < 1) fail("corePool.nodeCount", `must be at least 1, got ${args.corePool.nodeCount}`);
  if (!Number.isInteger(args.generation) || args.generation < 1)
    fail("generation", `must be a whole number from 1, got ${args.generation}`);
}
