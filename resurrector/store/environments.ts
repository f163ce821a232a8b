/**
 * Tenant app environments, sealed per app in `resurrector.tenant_environments`. The key names are sealed too:
 * names such as STRIPE_SECRET_KEY say what an app holds.
 */
import type { ClientBase } from "pg";
import { contentMac } from "../crypto/content-mac";
import { open, seal, type MasterKey, type SealedRecord } from "../crypto/envelope";
import { defaultKeptVersions, lockRecord, sameContent, type StoreOutcome } from "./versions";
import { recordEvent } from "./events";

/** The sealing context of one app's environment: binds the ciphertext to its row. */
export const environmentContext = (resourceId: string) => `tenant_environments:${resourceId}`;

/** A stored environment as read without the key. */
export interface SealedEnvironment extends SealedRecord {
  readonly resourceId: string;
  readonly updatedAt: Date;
}

/**
 * Seals one app's environment as its new latest version, unless the latest version already holds exactly these
 * values (then nothing is written). The latest version is also written to `tenant_environments`, which the plan and
 * the replay read; versions beyond the last `keep` are deleted. Runs in its own transaction, with the event.
 */
export async function storeEnvironment(
  client: ClientBase,
  master: MasterKey,
  args: {
    readonly resourceId: string;
    readonly values: Readonly<Record<string, string>>;
    readonly actor: string;
    /**
     * Versions kept, the new one included.
     * @default defaultKeptVersions
     */
    readonly keep?: number;
    /**
     * When the values were read (the snapshot's clock).
     * @default now
     */
    readonly sealedAt?: Date;
  },
): Promise<StoreOutcome> {
  const keep = args.keep ?? defaultKeptVersions;
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`versions to keep must be a whole number of at least 1 (got ${keep})`);
  const sorted = Object.fromEntries(Object.entries(args.values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const content = Buffer.from(JSON.stringify(sorted), "utf8");
  const context = environmentContext(args.resourceId);
  const sealedAt = args.sealedAt ?? new Date();
  await client.query("BEGIN");
  try {
    await lockRecord(client, context);
    const { rows } = await client.query<{ version: number; key_id: string; content_mac: Buffer; current: boolean }>(
      `SELECT v.version, v.key_id, v.content_mac,
              EXISTS (SELECT 1 FROM resurrector.tenant_environments e WHERE e.resource_id = v.resource_id) AS current
       FROM resurrector.tenant_environment_versions v WHERE v.resource_id = $1 ORDER BY v.version DESC LIMIT 1`,
      [args.resourceId],
    );
    const latest = rows[0];
    if (latest?.current && sameContent(master, latest, context, content)) {
      await client.query("COMMIT");
      return { changed: false, version: latest.version, pruned: 0 };
    }
    const version = (latest?.version ?? 0) + 1;
    const sealed = seal(master, content, context);
    await client.query(
      `INSERT INTO resurrector.tenant_environment_versions
         (resource_id, version, variables, key_id, wrapped_key, ciphertext, content_mac, sealed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        args.resourceId,
        version,
        Object.keys(sorted).length,
        sealed.keyId,
        sealed.wrappedKey,
        sealed.ciphertext,
        contentMac(master, context, content),
        sealedAt,
      ],
    );
    await client.query(
      `INSERT INTO resurrector.tenant_environments (resource_id, key_id, wrapped_key, ciphertext, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (resource_id) DO UPDATE
         SET key_id = EXCLUDED.key_id, wrapped_key = EXCLUDED.wrapped_key, ciphertext = EXCLUDED.ciphertext, updated_at = EXCLUDED.updated_at`,
      [args.resourceId, sealed.keyId, sealed.wrappedKey, sealed.ciphertext, sealedAt],
    );
    const pruned = await client.query("DELETE FROM resurrector.tenant_environment_versions WHERE resource_id = $1 AND version <= $2", [
      args.resourceId,
      version - keep,
    ]);
    await recordEvent(client, {
      actor: args.actor,
      action: "environment.stored",
      subject: `resource/${args.resourceId}`,
      detail: { version, variables: Object.keys(sorted).length, keyId: sealed.keyId, pruned: pruned.rowCount ?? 0 },
    });
    await client.query("COMMIT");
    return { changed: true, version, pruned: pruned.rowCount ?? 0 };
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

/** Every stored environment, sealed (no key needed). */
export async function sealedEnvironments(client: ClientBase, resourceIds?: readonly string[]): Promise<SealedEnvironment[]> {
  const { rows } = await client.query<{ resource_id: string; key_id: string; wrapped_key: Buffer; ciphertext: Buffer; updated_at: Date }>(
    `SELECT resource_id, key_id, wrapped_key, ciphertext, updated_at FROM resurrector.tenant_environments
     ${resourceIds ? "WHERE resource_id = ANY($1::bigint[])" : ""} ORDER BY resource_id`,
    resourceIds ? [resourceIds] : [],
  );
  return rows.map((row) => ({
    resourceId: row.resource_id,
    keyId: row.key_id,
    wrappedKey: row.wrapped_key,
    ciphertext: row.ciphertext,
    updatedAt: row.updated_at,
  }));
}

/** Opens a stored environment; throws SealError for a wrong key or a tampered or moved record. */
export function openEnvironment(master: MasterKey, sealed: SealedEnvironment): Record<string, string> {
  const values: unknown = JSON.parse(open(master, sealed, environmentContext(sealed.resourceId)).toString("utf8"));
  if (!values || typeof values !== "object" || Array.isArray(values) || Object.values(values).some((v) => typeof v !== "string")) {
    throw new Error(`${environmentContext(sealed.resourceId)} does not hold a map of strings`);
  }
  return values as Record<string, string>;
}
