/**
 * A database and user of their own for one platform service (Harbor) on the environment's managed PostgreSQL
 * cluster, so the service's data outlives the Kubernetes cluster exactly like the database of record does.
 *
 * DigitalOcean creates the database owned by its admin; on PostgreSQL 15 and later a new user may not create
 * tables in its `public` schema. components/postgres-schema-grant.ts closes that gap from inside the cluster.
 */
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { tlsEndpoint, type DatabaseEndpoint } from "../lib/database-connection";

export interface AppDatabaseArgs {
  /** The managed database cluster. */
  readonly clusterId: pulumi.Input<string>;
  /** Its private host (the VPC address the cluster's pods reach). */
  readonly privateHost: pulumi.Input<string>;
  /** Its port on that address. */
  readonly port: pulumi.Input<number>;
  /** Name of the service's database: a lowercase SQL identifier. */
  readonly databaseName: string;
  /** Name of the service's user, which gets a generated password: a lowercase SQL identifier. */
  readonly userName: string;
  /** Protect the database from deletion (prod): deleting it drops the service's data. */
  readonly protect: boolean;
}

const identifier = /^[a-z_][a-z0-9_]{0,62}$/;

export class AppDatabase extends pulumi.ComponentResource {
  /** Direct TLS connection as the service's user (no pooler: services such as Harbor hold prepared statements). Secret. */
  public readonly connection: pulumi.Output<DatabaseEndpoint>;
  /** The database and the user: what must exist before anything acts on them by name (a grant). */
  public readonly ready: pulumi.Resource[];

  constructor(name: string, args: AppDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:database:AppDatabase", name, {}, opts);
    for (const field of ["databaseName", "userName"] as const) {
      if (!identifier.test(args[field])) {
        throw new pulumi.ResourceError(
          `AppDatabase ${name}: ${field} must be a lowercase SQL identifier (letters, digits, _), got "${args[field]}"`,
          this,
        );
      }
    }

    const database = new digitalocean.DatabaseDb(
      `${name}-db`,
      { clusterId: args.clusterId, name: args.databaseName },
      // Deleting the database drops every table in it.
      { parent: this, protect: args.protect },
    );
    const user = new digitalocean.DatabaseUser(`${name}-user`, { clusterId: args.clusterId, name: args.userName }, { parent: this });

    this.connection = pulumi.secret(
      pulumi
        .all([args.privateHost, args.port, database.name, user.name, user.password])
        .apply(([host, port, db, userName, password]) => tlsEndpoint(host, port, db, userName, password)),
    );
    this.ready = [database, user];
    this.registerOutputs({ connection: this.connection });
  }
}
