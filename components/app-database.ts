/**
 * A database of its own for one platform service (Harbor) on the environment's managed PostgreSQL cluster, so the
 * service's data outlives the Kubernetes cluster exactly like the database of record does.
 *
 * Its users are not made here: they are an alternating pair (components/alternating-database-users.ts) that the
 * service's component keeps, with the grants on the database and its `public` schema held by their group role
 * (DigitalOcean makes its admin the owner of databases created through its API, and on PostgreSQL 15 and later only
 * the owner may create in `public`).
 */
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseAddress } from "./alternating-database-users";

export interface AppDatabaseArgs {
  /** The managed database cluster. */
  readonly clusterId: pulumi.Input<string>;
  /** Its private host (the VPC address the cluster's pods reach). */
  readonly privateHost: pulumi.Input<string>;
  /** Its port on that address. */
  readonly port: pulumi.Input<number>;
  /** Name of the service's database: a lowercase SQL identifier. */
  readonly databaseName: string;
  /** Protect the database from deletion (prod): deleting it drops the service's data. */
  readonly protect: boolean;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

export class AppDatabase extends pulumi.ComponentResource {
  /** Where the service reaches it directly (no pooler: services such as Harbor hold prepared statements). */
  public readonly address: pulumi.Output<DatabaseAddress>;
  /** The database: what must exist before anything acts on it by name (a grant). */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: AppDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:database:AppDatabase", name, {}, opts);
    if (!identifier.test(args.databaseName)) {
      throw new pulumi.ResourceError(
        `AppDatabase ${name}: databaseName must be a lowercase SQL identifier (letters, digits, _), got "${args.databaseName}"`,
        this,
      );
    }

    const database = new digitalocean.DatabaseDb(
      `${name}-db`,
      { clusterId: args.clusterId, name: args.databaseName },
      // Deleting the database drops every table in it.
      { parent: this, protect: args.protect },
    );

    this.address = pulumi.all([args.privateHost, args.port, database.name]).apply(([host, port, db]) => ({ host, port, database: db }));
    this.ready = [database];
    this.registerOutputs({ address: this.address });
  }
}
