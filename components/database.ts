/**
 * loco's database of record: DigitalOcean managed PostgreSQL on the environment's private network, with a
 * database for loco's API, a transaction-mode pool in front, and a firewall that admits only the cluster and
 * explicitly trusted sources. It lives outside the cluster so it survives a cluster rebuild.
 *
 * The API's users are not made here: they are alternating users (components/alternating-database-users.ts) that
 * loco's control plane keeps, so the pool has no fixed user and each session logs in as the inbound user.
 */
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { tlsEndpoint, type DatabaseEndpoint } from "../lib/database-connection";
import type { DatabaseAddress } from "./alternating-database-users";

/** A source the database firewall admits (DigitalOcean rule types; `ip_addr` takes an IP or CIDR). */
export interface TrustedSource {
  /** What `value` names: an IP or CIDR (`ip_addr`), a droplet, a Kubernetes cluster, a droplet tag or an app. */
  readonly type: "ip_addr" | "droplet" | "k8s" | "tag" | "app";
  /** The address, or the id or name of what `type` says. */
  readonly value: pulumi.Input<string>;
}

export interface ManagedDatabaseArgs {
  /** DigitalOcean region slug (the cluster's). */
  readonly region: string;
  /** Major PostgreSQL version, e.g. "17". */
  readonly postgresVersion: string;
  /** Size slug per node. */
  readonly size: string;
  /** Primary plus standbys (1-3). */
  readonly nodeCount: number;
  /** VPC the database joins; it is reachable on its private address from there. */
  readonly vpcId: pulumi.Input<string>;
  /** The cluster whose nodes may connect. */
  readonly clusterId: pulumi.Input<string>;
  /**
   * More sources to admit: the seam through which the resurrector (and operators' bastions) are let in.
   * @default []
   */
  readonly trustedSources?: readonly TrustedSource[];
  /** Server-side connections of the API's transaction-mode pool. */
  readonly connectionPoolSize: number;
  /** Weekly maintenance window (UTC). */
  readonly maintenance: {
    /** A weekday, "monday" to "sunday". */
    readonly day: string;
    /** Start of the window, HH:MM UTC (lib/clock-time.ts). */
    readonly startTime: string;
  };
  /**
   * Name of the API's database.
   * @default "loco"
   */
  readonly databaseName?: string;
  /** Protect the cluster and database from deletion and replacement (prod). */
  readonly protect: boolean;
  /** Tags on the database cluster. */
  readonly tags: readonly string[];
}

export class ManagedDatabase extends pulumi.ComponentResource {
  /** Where the API reaches its database, through the pool and directly; a login is added by whoever holds one. */
  public readonly addresses: pulumi.Output<{ readonly pooled: DatabaseAddress; readonly direct: DatabaseAddress }>;
  /** The API's database name. */
  public readonly databaseName: string;
  public readonly clusterId: pulumi.Output<string>;
  /**
   * The cluster's admin (doadmin) on its private address, for platform services that need their own database on
   * this cluster and grants only the admin can give. Never handed to tenants or the API. Secret.
   */
  public readonly admin: pulumi.Output<DatabaseEndpoint>;

  constructor(name: string, args: ManagedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:database:ManagedDatabase", name, {}, opts);
    validateDatabaseArgs(name, args, this);
    const databaseName = args.databaseName ?? "loco";

    const cluster = new digitalocean.DatabaseCluster(
      `${name}-postgres`,
      {
        name: `${name}-postgres`,
        engine: "pg",
        version: args.postgresVersion,
        size: args.size,
        nodeCount: args.nodeCount,
        region: args.region,
        privateNetworkUuid: args.vpcId,
        maintenanceWindows: [{ day: args.maintenance.day, hour: `${args.maintenance.startTime}:00` }],
        tags: [...args.tags],
      },
      // Protected in prod: this is the database of record; a replacement would start from an empty cluster.
      { parent: this, protect: args.protect },
    );

    const database = new digitalocean.DatabaseDb(
      `${name}-db`,
      { clusterId: cluster.id, name: databaseName },
      // Deleting the database drops every table in it.
      { parent: this, protect: args.protect },
    );
    // No `user`: sessions connect as the inbound user, so the pool serves whichever of the API's alternating users
    // is active, and a switch needs no change to the pool.
    const pool = new digitalocean.DatabaseConnectionPool(
      `${name}-api-pool`,
      { clusterId: cluster.id, name: `${databaseName}-api`, mode: "transaction", size: args.connectionPoolSize, dbName: database.name },
      { parent: this },
    );

    new digitalocean.DatabaseFirewall(
      `${name}-firewall`,
      { clusterId: cluster.id, rules: firewallRules(args.clusterId, args.trustedSources ?? []) },
      { parent: this },
    );

    this.clusterId = cluster.id;
    this.admin = pulumi.secret(
      pulumi
        .all([cluster.privateHost, cluster.port, cluster.database, cluster.user, cluster.password])
        .apply(([host, port, db, adminUser, password]) => tlsEndpoint(host, port, db, adminUser, password)),
    );
    this.databaseName = databaseName;
    this.addresses = pulumi
      .all([pool.privateHost, pool.port, pool.name, cluster.privateHost, cluster.port, database.name])
      .apply(([poolHost, poolPort, poolName, host, port, db]) => ({
        pooled: { host: poolHost, port: poolPort, database: poolName },
        direct: { host, port, database: db },
      }));
    this.registerOutputs({ clusterId: this.clusterId, addresses: this.addresses });
  }
}

/** Pure: the firewall admits the cluster's nodes and the trusted sources, nothing else. */
export function firewallRules(
  clusterId: pulumi.Input<string>,
  trusted: readonly TrustedSource[],
): digitalocean.types.input.DatabaseFirewallRule[] {
  return [{ type: "k8s", value: clusterId }, ...trusted.map((source) => ({ type: source.type, value: source.value }))];
}

/** Pure: throws a ResourceError naming the first bad field. */
export function validateDatabaseArgs(name: string, args: ManagedDatabaseArgs, resource?: pulumi.Resource): void {
  const fail = (field: string, why: string) => {
    throw new pulumi.ResourceError(`ManagedDatabase ${name}: ${field} ${why}`, resource);
  };
  if (!/^\d+$/.test(args.postgresVersion)) fail("postgresVersion", `must be a major version such as "17", got "${args.postgresVersion}"`);
  if (!Number.isInteger(args.nodeCount) || args.nodeCount < 1 || args.nodeCount > 3)
    fail("nodeCount", `must be 1 to 3, got ${args.nodeCount}`);
  if (!Number.isInteger(args.connectionPoolSize) || args.connectionPoolSize < 1)
    fail("connectionPoolSize", `must be a positive integer, got ${args.connectionPoolSize}`);
}
