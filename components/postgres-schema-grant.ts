/**
 * Lets a service's user create its tables: a Kubernetes Job that connects to the service's database as the
 * managed cluster's admin and grants the user the `public` schema.
 *
 * Why a Job: on PostgreSQL 15+ only the database owner may create objects in `public`, DigitalOcean makes its
 * admin the owner of databases created through its API, and no DigitalOcean resource grants privileges. The
 * database is reachable only from the VPC (its firewall admits the cluster), so the grant runs inside the
 * cluster. GRANT is idempotent; the Job is replaced (and re-run) only when the database or role changes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { corePoolPlacement } from "../lib/core-pool";
import type { DatabaseEndpoint } from "../lib/database-connection";

/** psql 17 client (talks to servers 10 and later); runs as the image's `postgres` user, uid 70. */
export const psqlImage = "docker.io/library/postgres:17.5-alpine";
const psqlUid = 70;

export interface PostgresSchemaGrantArgs {
  /** Namespace the Job and its Secret run in (the service's; created by the caller). */
  readonly namespace: pulumi.Input<string>;
  /**
   * The Job's Kubernetes name; its Secret is `<jobName>-admin`. Independent of the Pulumi name, so renaming the
   * component does not rename what runs in the cluster.
   */
  readonly jobName: string;
  /** The managed cluster's admin endpoint (secret). Its database is replaced by `database`. */
  readonly admin: pulumi.Input<DatabaseEndpoint>;
  /** The service's database: a lowercase SQL identifier. */
  readonly database: string;
  /** The role (the service's user) granted the database and its `public` schema: a lowercase SQL identifier. */
  readonly role: string;
}

/** Pure: the statements the Job runs. Identifiers are quoted; args are validated as plain identifiers anyway. */
export function grantStatements(database: string, role: string): string {
  return [`GRANT ALL PRIVILEGES ON DATABASE "${database}" TO "${role}";`, `GRANT ALL ON SCHEMA public TO "${role}";`].join(" ");
}

/** Pure: libpq's environment for the admin on another database of the same cluster (no secret in the command line). */
export function adminEnvironment(admin: DatabaseEndpoint, database: string): Record<string, string> {
  return {
    PGHOST: admin.host,
    PGPORT: String(admin.port),
    PGUSER: admin.user,
    PGPASSWORD: admin.password,
    PGDATABASE: database,
    PGSSLMODE: "require",
  };
}

export class PostgresSchemaGrant extends pulumi.ComponentResource {
  /** The Job; dependents wait for it to complete. */
  public readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: PostgresSchemaGrantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:database:PostgresSchemaGrant", name, {}, opts);
    const identifier = /^[a-z_][a-z0-9_]{0,62}$/;
    for (const field of ["database", "role"] as const) {
      if (!identifier.test(args[field])) {
        throw new pulumi.ResourceError(
          `PostgresSchemaGrant ${name}: ${field} must be a lowercase SQL identifier, got "${args[field]}"`,
          this,
        );
      }
    }

    const secret = new k8s.core.v1.Secret(
      `${name}-admin`,
      {
        metadata: { name: `${args.jobName}-admin`, namespace: args.namespace },
        type: "Opaque",
        stringData: pulumi.secret(pulumi.output(args.admin).apply((admin) => adminEnvironment(admin, args.database))),
      },
      // The grant's own dependencies (the database and role it names) hold for the Secret and the Job it runs.
      { parent: this, dependsOn: opts?.dependsOn },
    );

    const placement = corePoolPlacement();
    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: { name: args.jobName, namespace: args.namespace, labels: { "app.kubernetes.io/part-of": "loco-platform" } },
        spec: {
          backoffLimit: 6,
          template: {
            metadata: { labels: { "app.kubernetes.io/name": args.jobName } },
            spec: {
              restartPolicy: "OnFailure",
              automountServiceAccountToken: false,
              nodeSelector: placement.nodeSelector,
              tolerations: placement.tolerations,
              securityContext: { runAsNonRoot: true, runAsUser: psqlUid, runAsGroup: psqlUid, seccompProfile: { type: "RuntimeDefault" } },
              containers: [
                {
                  name: "grant",
                  image: psqlImage,
                  command: ["psql", "--no-psqlrc", "--set", "ON_ERROR_STOP=1", "--command", grantStatements(args.database, args.role)],
                  envFrom: [{ secretRef: { name: secret.metadata.name } }],
                  resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
                },
              ],
            },
          },
        },
      },
      { parent: this, dependsOn: opts?.dependsOn },
    );
    this.registerOutputs({});
  }
}
