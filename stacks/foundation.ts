/**
 * What every layer above the cluster builds on. Two components provide it: stacks/cloud-foundation.ts
 * (DigitalOcean and Cloudflare, for dev and prod) and stacks/local-foundation.ts (an existing cluster and Postgres);
 * the traffic, observability and registry layers take either, and are shared by all three environments.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AlternatingUsersDatabase } from "../components/alternating-database-users";
import type { DatabaseConnection, DatabaseEndpoint } from "../lib/database-connection";

export interface Foundation {
  /**
   * The providers each layer above is given and hands down to its children: the only Kubernetes provider, and
   * DigitalOcean where the environment has it (for the buckets and databases a layer keeps outside the cluster).
   */
  readonly providers: readonly pulumi.ProviderResource[];
  /**
   * loco's database of record: local, a connection as given (secret); dev/prod, the managed cluster on which loco's
   * control plane keeps its alternating users (components/alternating-database-users.ts).
   */
  readonly database: { readonly connection: pulumi.Output<DatabaseConnection> } | { readonly alternatingUsers: AlternatingUsersDatabase };
  /**
   * dev/prod: Spaces, for what must outlive the cluster (a layer creates its buckets with components/object-storage.ts,
   * under the DigitalOcean provider in `providers`). Undefined on the local stack, where layers keep such state in the
   * cluster.
   */
  readonly objectStorage?: { readonly region: string };
  /** dev/prod: the Cloudflare token cert-manager's DNS-01 solver uses (secret). Undefined on local. */
  readonly dnsSolverToken?: pulumi.Output<string>;
  /** dev/prod: the load balancer outside the cluster that holds the public address. Undefined on local. */
  readonly publicEntry?: { readonly loadBalancerId: pulumi.Output<string>; readonly address: pulumi.Output<string> };
  /**
   * dev/prod: the managed Postgres cluster, for platform services that keep a database of their own there
   * (components/app-database.ts); `admin` is secret. Undefined on local.
   */
  readonly managedPostgres?: { readonly clusterId: pulumi.Output<string>; readonly admin: pulumi.Output<DatabaseEndpoint> };
  /** Stack outputs of the foundation. */
  readonly outputs: Record<string, unknown>;
}
