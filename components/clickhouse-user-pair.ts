/**
 * A ClickHouse credential as alternating users (components/alternating-users.ts): a role `<base>` holding the grants,
 * two SQL-managed users `<base>_a` and `<base>_b` with the role as their default, a generated password per user, and
 * a Secret holding the active user's password only, the one its consumer mounts.
 *
 * Why SQL rather than the chart's `users` (users.xml): a users.xml change is applied by the operator re-rendering the
 * server's configuration, and a credential in it is one user replaced in place, so every consumer breaks until it
 * restarts. SQL-made users live in the server's writable `local_directory` (on its volume) and are changed by the
 * chart's `default` user, which the chart gives `access_management`. The statements run from a Job of the schema
 * Job's shape; its name carries a hash of the pair's state, so it runs again exactly when that state changes, and
 * every statement is safe to run again.
 *
 * A run re-passwords at most one user: each password is kept by the time its user's password was set in this run's
 * step, and a step only ever changes the idle user's.
 */
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alternatingUserPasswords } from "./alternating-user-passwords";
import { clickhouseSetupSql, slotUser, type AlternatingUsersState, type AlternatingUsersStep, type UserSlot } from "./alternating-users";
import { clickhouseAdminEnv, clickhouseImage, clickhouseJobPod } from "./clickhouse-client-job";

const sqlMountPath = "/etc/clickhouse-users";

export interface ClickHouseUserPairArgs {
  /** Namespace of the ClickHouse server, where the Job and the Secrets go (created by the caller). */
  readonly namespace: string;
  /** The role; the users are `<base>_a` and `<base>_b`. A lowercase SQL identifier of at most 20 characters. */
  readonly base: string;
  /** What the role may do, each like `INSERT, SELECT ON telemetry.*`. */
  readonly grants: readonly string[];
  /** This run's step (`alternatingUsersStep`): which user is active and when each user's password was set. */
  readonly step: AlternatingUsersStep;
  /** In-cluster DNS name of the ClickHouse server. */
  readonly host: string;
  /** Secret (same namespace) whose `password` key is the `default` user's password: it runs the setup. */
  readonly adminPasswordSecret: string;
  /** What the setup waits for: the server running (its schema Job done). */
  readonly serverReady: readonly pulumi.Resource[];
}

/** Pure: the setup Job's name, changed exactly when the pair's state (active user, password times) changes. */
export function clickhouseUsersJobName(base: string, state: AlternatingUsersState): string {
  const hash = createHash("sha256")
    .update(JSON.stringify([state.active, state.passwordSetAt.a, state.passwordSetAt.b]))
    .digest("hex");
  return `clickhouse-users-${base.replaceAll("_", "-")}-${hash.slice(0, 10)}`;
}

/** Pure: the script the Job runs as `default`, one statement per line. */
export function clickhouseUsersScript(base: string, grants: readonly string[], passwords: Readonly<Record<UserSlot, string>>): string {
  return clickhouseSetupSql(base, grants, passwords)
    .map((statement) => `${statement};\n`)
    .join("");
}

/** Pure: what changes exactly when a consumer must restart: who it logs in as, and when that password was set. */
export function consumerStamp(base: string, state: AlternatingUsersState): string {
  return `${slotUser(base, state.active)}@${state.passwordSetAt[state.active]}`;
}

/** Pure: the Secret holding the active user's password (`clickhouse-<base>`). */
export const activePasswordSecretName = (base: string): string => `clickhouse-${base.replaceAll("_", "-")}`;

export class ClickHouseUserPair extends pulumi.ComponentResource {
  /** The user consumers log in as in this run: `<base>_<active>`. Plain: known in a preview. */
  public readonly activeUser: string;
  /** Secret (the server's namespace) whose `password` key is the active user's password. */
  public readonly passwordSecret: string;
  /** A consumer's pod annotation: changes exactly when it must restart onto the other user (no secret). */
  public readonly consumerStamp: string;
  /** What this run records for the next (no secret): the step's state. */
  public readonly state: AlternatingUsersState;
  /** The Job that made the users and set the passwords; consumers wait for it before switching. */
  public readonly setup: k8s.batch.v1.Job;
  /** What a consumer mounts: the active password's Secret and the setup that made it valid. */
  public readonly ready: readonly pulumi.Resource[];

  constructor(name: string, args: ClickHouseUserPairArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:observability:ClickHouseUserPair", name, {}, opts);
    if (!/^[a-z][a-z0-9_]{0,19}$/.test(args.base)) {
      throw new pulumi.ResourceError(
        `ClickHouseUserPair ${name}: base must be lowercase letters, digits and _ (at most 20), starting with a letter, got "${args.base}"`,
        this,
      );
    }
    try {
      clickhouseUsersScript(args.base, args.grants, { a: "check", b: "check" });
    } catch (error) {
      throw new pulumi.ResourceError(`ClickHouseUserPair ${name}: ${(error as Error).message}`, this);
    }
    const state = args.step.next;

    // Each password is kept by the time its user's password was set: a step changes only the idle user's.
    const passwords = alternatingUserPasswords(name, state, this);

    const sql = new k8s.core.v1.Secret(
      `${name}-sql`,
      {
        metadata: { name: `clickhouse-users-${args.base.replaceAll("_", "-")}-sql`, namespace: args.namespace },
        type: "Opaque",
        stringData: pulumi.secret(
          pulumi
            .all([passwords.a, passwords.b])
            .apply(([a, b]) => ({ "setup.sql": clickhouseUsersScript(args.base, args.grants, { a, b }) })),
        ),
      },
      { parent: this },
    );
    this.passwordSecret = activePasswordSecretName(args.base);
    // Replaced in place on a switch: pods already running keep the old user's password, which stays valid.
    const active = new k8s.core.v1.Secret(
      `${name}-active-password`,
      {
        metadata: { name: this.passwordSecret, namespace: args.namespace },
        type: "Opaque",
        stringData: { password: pulumi.secret(passwords[state.active]) },
      },
      { parent: this },
    );

    this.setup = setupJob(name, args, clickhouseUsersJobName(args.base, state), sql, this);
    this.activeUser = slotUser(args.base, state.active);
    this.consumerStamp = consumerStamp(args.base, state);
    this.state = state;
    this.ready = [active, this.setup];
    this.registerOutputs({ activeUser: this.activeUser });
  }
}

function setupJob(name: string, args: ClickHouseUserPairArgs, jobName: string, sql: k8s.core.v1.Secret, parent: pulumi.Resource) {
  return new k8s.batch.v1.Job(
    `${name}-setup`,
    {
      metadata: { name: jobName, namespace: args.namespace, labels: { "app.kubernetes.io/name": "clickhouse-users" } },
      spec: {
        backoffLimit: 6,
        template: {
          metadata: { labels: { "app.kubernetes.io/name": "clickhouse-users" } },
          spec: {
            ...clickhouseJobPod(
              [
                {
                  name: "setup",
                  image: clickhouseImage,
                  // The pair's passwords are only in the mounted file; `default`'s comes from its Secret (as for the schema Job).
                  command: [
                    "/bin/sh",
                    "-c",
                    `exec clickhouse-client --host "$CLICKHOUSE_HOST" --port "$CLICKHOUSE_PORT" --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --multiquery --queries-file ${sqlMountPath}/setup.sql`,
                  ],
                  env: clickhouseAdminEnv(args.host, args.adminPasswordSecret),
                  volumeMounts: [{ name: "sql", mountPath: sqlMountPath, readOnly: true }],
                },
              ],
              [{ name: "sql", secret: { secretName: sql.metadata.name, defaultMode: 0o440 } }],
            ),
            automountServiceAccountToken: false,
            // fsGroup: the mounted Secret's files are root's, readable by this group only.
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 101,
              runAsGroup: 101,
              fsGroup: 101,
              seccompProfile: { type: "RuntimeDefault" },
            },
          },
        },
      },
    },
    // Reads its Secret when it starts, and runs against a server that is up (the schema Job waited for it).
    { parent, dependsOn: [sql, ...args.serverReady] },
  );
}
