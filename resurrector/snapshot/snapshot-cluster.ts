/**
 * One snapshot: every tenant app's environment and every certificate Secret of the live cluster, sealed into the
 * store where it changed (resurrector/store: a new latest version, the last K kept; unchanged content writes
 * nothing). `resurrector snapshot` runs it once; the watch runs it hourly. One Secret that cannot be read or stored
 * never stops the others: it is reported with its reason.
 */
import type { ClientBase } from "pg";
import type { MasterKey } from "../crypto/envelope";
import { readClusterSnapshot } from "../db/read-snapshot";
import { kubeFailure } from "../kube/api-errors";
import { preserveCertificate } from "../store/certificates";
import { storeEnvironment } from "../store/environments";
import { defaultKeptVersions } from "../store/versions";
import type { SecretReader } from "./cluster-secrets";
import { mapSecrets } from "./map-secrets";

/** The resurrector schema version that holds the version history. */
export const snapshotSchemaVersion = 4;

export interface SnapshotClusterArgs {
  /** loco's database, the resurrector's schema migrated in it (a connected client; the snapshot runs its own transactions). */
  readonly db: ClientBase;
  /** The live cluster's Secrets: `kubeSecretReader(kubeClient)`. */
  readonly kube: SecretReader;
  /** Seals what changed (with LOCO_RESURRECTOR_NEW_KEY set: the new key; both open). */
  readonly masterKey: MasterKey;
  /**
   * The clock: when each version was sealed.
   * @default () => new Date()
   */
  readonly now?: () => Date;
  /**
   * loco's cluster whose apps the environments must belong to.
   * @default loco's default cluster
   */
  readonly cluster?: string;
  /**
   * Versions kept per app and per certificate.
   * @default defaultKeptVersions (10)
   */
  readonly keep?: number;
  /**
   * Who took the snapshot, for the audit trail.
   * @default "snapshot"
   */
  readonly actor?: string;
}

export type SnapshotOutcome = "sealed" | "unchanged" | "skipped" | "malformed" | "failed";

export interface SnapshotItem {
  readonly what: "environment" | "certificate";
  /** namespace/name of the Secret. */
  readonly secret: string;
  readonly outcome: SnapshotOutcome;
  /** The loco app it belongs to (environments; certificates of an app's own domain). */
  readonly resourceIds: readonly string[];
  /** The latest stored version after the snapshot (sealed, unchanged). */
  readonly version?: number;
  /** Versions deleted beyond the last K. */
  readonly pruned?: number;
  /** Why it was skipped, malformed or failed. */
  readonly reason?: string;
}

export interface SnapshotReport {
  readonly cluster: string;
  readonly takenAt: string;
  readonly keep: number;
  readonly keyId: string;
  readonly items: readonly SnapshotItem[];
  readonly counts: Readonly<Record<SnapshotOutcome, number>>;
}

/** The snapshot could not start (schema, database, cluster): nothing was written. */
export class SnapshotStartError extends Error {
  override readonly name = "SnapshotStartError";
}

/** Takes one snapshot; see the module comment. Throws SnapshotStartError (or the database's error) before writing anything. */
export async function snapshotCluster(args: SnapshotClusterArgs): Promise<SnapshotReport> {
  const now = args.now ?? (() => new Date());
  const keep = args.keep ?? defaultKeptVersions;
  if (!Number.isInteger(keep) || keep < 1) throw new SnapshotStartError(`keep must be a whole number of at least 1 (got ${keep})`);
  const actor = args.actor ?? "snapshot";
  const takenAt = now();
  const cluster = await readClusterSnapshot(args.db, args.cluster);
  const schemaVersion = cluster.resurrector?.schemaVersion ?? 0;
  if (schemaVersion < snapshotSchemaVersion) {
    throw new SnapshotStartError(
      `the resurrector schema is at version ${schemaVersion}; snapshots need version ${snapshotSchemaVersion} (run \`npm run resurrector -- migrate\`)`,
    );
  }
  let secrets;
  try {
    secrets = await args.kube.listSecrets();
  } catch (error) {
    throw new SnapshotStartError(`listing the cluster's Secrets failed: ${kubeFailure(error).message}`);
  }
  const items: SnapshotItem[] = [];
  for (const mapped of mapSecrets(secrets, cluster)) {
    if (mapped.kind !== "environment" && mapped.kind !== "certificate") {
      items.push({
        what: mapped.what,
        secret: mapped.secret,
        outcome: mapped.kind,
        resourceIds: mapped.resourceId ? [mapped.resourceId] : [],
        reason: mapped.reason,
      });
      continue;
    }
    const what = mapped.kind;
    const resourceIds = mapped.kind === "environment" ? [mapped.resourceId] : mapped.resourceIds;
    try {
      const outcome =
        mapped.kind === "environment"
          ? await storeEnvironment(args.db, args.masterKey, {
              resourceId: mapped.resourceId,
              values: mapped.values,
              actor,
              keep,
              sealedAt: now(),
            })
          : await preserveCertificate(args.db, args.masterKey, {
              namespace: mapped.namespace,
              secretName: mapped.name,
              dnsNames: mapped.dnsNames,
              notAfter: mapped.notAfter,
              secret: mapped.preserved,
              actor,
              keep,
              sealedAt: now(),
            });
      items.push({
        what,
        secret: mapped.secret,
        outcome: outcome.changed ? "sealed" : "unchanged",
        resourceIds,
        version: outcome.version,
        pruned: outcome.pruned,
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const reason = `storing it failed: ${error instanceof Error ? error.message : String(error)}${code ? ` (PostgreSQL ${code})` : ""}`;
      items.push({ what, secret: mapped.secret, outcome: "failed", resourceIds, reason });
    }
  }
  const counts = { sealed: 0, unchanged: 0, skipped: 0, malformed: 0, failed: 0 };
  for (const item of items) counts[item.outcome] += 1;
  return { cluster: cluster.cluster.name, takenAt: takenAt.toISOString(), keep, keyId: args.masterKey.id, items, counts };
}
