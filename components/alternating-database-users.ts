/**
 * A platform service's PostgreSQL credentials as alternating users (components/alternating-users.ts) on the
 * environment's managed cluster: a NOLOGIN group role `<base>` holding the grants, two login users `<base>_a` and
 * `<base>_b` in it, a generated password per user, and the connection of the active user only.
 *
 * Why SQL from a Job rather than `digitalocean.DatabaseUser`: DigitalOcean generates a DatabaseUser's password and
 * offers no input to set it, so the only way to change it through the provider is to replace the user (DROP ROLE:
 * it fails while the user owns objects, and a new user has none of the grants); nor can a DatabaseUser be a NOLOGIN
 * group or a member of one. The managed cluster's admin can do all of it in SQL (it has CREATEROLE), and the cluster
 * is reachable only from the VPC, so the statements run from a Job inside the cluster.
 *
 * A run re-passwords at most one user: each password is kept by the time its user's password was set in this run's
 * step, and a step only ever changes the idle user's. The Job's name carries a hash of the step's state, so it runs
 * again exactly when that state changes; every statement is safe to run again.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alternatingUserPasswords } from "./alternating-user-passwords";
import { corePoolPlacement } from "../lib/core-pool";
import { tlsEndpoint, type DatabaseConnection, type DatabaseEndpoint } from "../lib/database-connection";
import {
  postgresGroupGrantSql,
  postgresSetupSql,
  slotUser,
  type AlternatingUsersState,
  type AlternatingUsersStep,
  type UserSlot,
} from "./alternating-users";
import { adminEnvironment, psqlImage, psqlUid } from "../lib/psql-client";

const sqlMountPath = "/etc/alternating-users";

/** An address of the managed cluster, without credentials: a consumer's user and password are added to it. */
export interface DatabaseAddress {
  /** The private host (the VPC address the cluster's pods reach). */
  readonly host: string;
  /** The port on that host. */
  readonly port: number;
  /** The database name, or for the pool the pool's name (what PgBouncer calls the database). */
  readonly database: string;
}

/** Where the users are made and how consumers reach the database. */
export interface AlternatingUsersDatabase {
  /** The managed cluster's admin endpoint (secret): it creates the group and users. */
  readonly admin: pulumi.Input<DatabaseEndpoint>;
  /** The database the group is granted (its `public` schema too): a lowercase SQL identifier. */
  readonly database: string;
  /** The transaction-mode pool, made without a fixed user so each session logs in as the inbound user. */
  readonly pooled: pulumi.Input<DatabaseAddress>;
  /** The cluster's private address, for migrations, advisory locks and LISTEN (which the pool breaks). */
  readonly direct: pulumi.Input<DatabaseAddress>;
}

export interface AlternatingDatabaseUsersArgs {
  /** Namespace the Job and its Secrets run in (created by the caller; the consumer's own). */
  readonly namespace: pulumi.Input<string>;
  /**
   * Prefix of the Job's Kubernetes name (`<jobName>-<state hash>`) and of its Secrets (`<jobName>-admin`,
   * `<jobName>-sql`): at most 40 characters, a DNS label.
   */
  readonly jobName: string;
  /** The managed cluster and the addresses consumers use. */
  readonly database: AlternatingUsersDatabase;
  /** The group role; the users are `<base>_a` and `<base>_b`. A lowercase SQL identifier. */
  readonly base: string;
  /** This run's step (`alternatingUsersStep`): which user is active and when each user's password was set. */
  readonly step: AlternatingUsersStep;
}

/** Pure: the Job's name, changed exactly when the recorded state (active user, password times) changes. */
export function setupJobName(jobName: string, state: AlternatingUsersState): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([state.active, state.passwordSetAt.a, state.passwordSetAt.b]))
    .digest("hex");
  return `${jobName}-${hash.slice(0, 10)}`;
}

/** Pure: the script the Job runs as the admin, connected to `database`. */
export function setupScript(base: string, database: string, passwords: Readonly<Record<UserSlot, string>>): string {
  return [...postgresSetupSql(base, passwords), ...postgresGroupGrantSql(base, database)].map((statement) => `${statement};\n`).join("");
}

/** Pure: the active user's connection, pooled and direct. */
export function activeConnection(user: string, password: string, pooled: DatabaseAddress, direct: DatabaseAddress): DatabaseConnection {
  return {
    pooled: tlsEndpoint(pooled.host, pooled.port, pooled.database, user, password),
    direct: tlsEndpoint(direct.host, direct.port, direct.database, user, password),
  };
}

export class AlternatingDatabaseUsers extends pulumi.ComponentResource {
  /** The user consumers log in as in this run: `<base>_<active>`. Plain: known in a preview. */
  public readonly activeUser: string;
  /** The active user's connection through the pool and direct. Secret. */
  public readonly connection: pulumi.Output<DatabaseConnection>;
  /** What this run records for the next (no secret): the step's state. */
  public readonly state: AlternatingUsersState;
  /** The Job that made the users and set the passwords; consumers wait for it before switching. */
  public readonly setup: k8s.batch.v1.Job;

  constructor(name: string, args: AlternatingDatabaseUsersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:database:AlternatingDatabaseUsers", name, {}, opts);
    if (!/^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$/.test(args.jobName)) {
      throw new pulumi.ResourceError(
        `AlternatingDatabaseUsers ${name}: jobName must be a DNS label of at most 40 characters, got "${args.jobName}"`,
        this,
      );
    }
    let script: (passwords: Record<UserSlot, string>) => string;
    try {
      setupScript(args.base, args.database.database, { a: "check", b: "check" });
      script = (passwords) => setupScript(args.base, args.database.database, passwords);
    } catch (error) {
      throw new pulumi.ResourceError(`AlternatingDatabaseUsers ${name}: ${(error as Error).message}`, this);
    }
    const state = args.step.next;
    // What the caller waits for (the namespace, the database) holds for every child: a component's dependsOn does not
    // reach its children by itself.
    const child = { parent: this, dependsOn: opts?.dependsOn };

    // Each password is kept by the time its user's password was set: a step changes only the idle user's.
    const passwords = alternatingUserPasswords(name, state, this);

    const adminSecret = new k8s.core.v1.Secret(
      `${name}-admin`,
      {
        metadata: { name: `${args.jobName}-admin`, namespace: args.namespace },
        type: "Opaque",
        stringData: pulumi.secret(pulumi.output(args.database.admin).apply((admin) => adminEnvironment(admin, args.database.database))),
      },
      child,
    );
    const sqlSecret = new k8s.core.v1.Secret(
      `${name}-sql`,
      {
        metadata: { name: `${args.jobName}-sql`, namespace: args.namespace },
        type: "Opaque",
        stringData: pulumi.secret(pulumi.all([passwords.a, passwords.b]).apply(([a, b]) => ({ "setup.sql": script({ a, b }) }))),
      },
      child,
    );

    this.setup = setupJob(name, args.namespace, setupJobName(args.jobName, state), adminSecret, sqlSecret, this);
    this.activeUser = slotUser(args.base, state.active);
    this.state = state;
    this.connection = pulumi.secret(
      pulumi
        .all([passwords[state.active], args.database.pooled, args.database.direct])
        .apply(([activePassword, pooled, direct]) => activeConnection(this.activeUser, activePassword, pooled, direct)),
    );
    this.registerOutputs({ activeUser: this.activeUser, connection: this.connection });
  }
}

function setupJob(
  name: string,
  namespace: pulumi.Input<string>,
  jobName: string,
  adminSecret: k8s.core.v1.Secret,
  sqlSecret: k8s.core.v1.Secret,
  parent: pulumi.Resource,
): k8s.batch.v1.Job {
  const placement = corePoolPlacement();
  return new k8s.batch.v1.Job(
    `${name}-setup`,
    {
      metadata: { name: jobName, namespace, labels: { "app.kubernetes.io/part-of": "loco-platform" } },
      spec: {
        backoffLimit: 6,
        template: {
          metadata: { labels: { "app.kubernetes.io/name": "alternating-database-users" } },
          spec: {
            restartPolicy: "OnFailure",
            automountServiceAccountToken: false,
            nodeSelector: placement.nodeSelector,
            tolerations: placement.tolerations,
            // fsGroup: the mounted Secret's files are root's, readable by this group only.
            securityContext: {
              runAsNonRoot: true,
              runAsUser: psqlUid,
              runAsGroup: psqlUid,
              fsGroup: psqlUid,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "setup",
                image: psqlImage,
                // The passwords are in the mounted file, never on the command line or in the environment.
                command: ["psql", "--no-psqlrc", "--set", "ON_ERROR_STOP=1", "--single-transaction", "--file", `${sqlMountPath}/setup.sql`],
                envFrom: [{ secretRef: { name: adminSecret.metadata.name } }],
                volumeMounts: [{ name: "sql", mountPath: sqlMountPath, readOnly: true }],
                resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
              },
            ],
            volumes: [{ name: "sql", secret: { secretName: sqlSecret.metadata.name, defaultMode: 0o440 } }],
          },
        },
      },
    },
    // The Job reads both Secrets when it starts.
    { parent, dependsOn: [adminSecret, sqlSecret] },
  );
}
