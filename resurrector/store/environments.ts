/**
 * Tenant app environments, sealed per app in `resurrector.tenant_environments`. The key names are sealed too:
 * names such as STRIPE_SECRET_KEY say what an app holds.
 */
import type { ClientBase } from "pg";
import { open, seal, type MasterKey, type SealedRecord } from "../crypto/envelope";
import { recordEvent } from "./events";

/** The sealing context of one app's environment: binds the ciphertext to its row. */
export const environmentContext = (resourceId: string) => `tenant_environments:${resourceId}`;

/** A stored environment as read without the key. */
export interface SealedEnvironment extends SealedRecord {
  readonly resourceId: string;
  readonly updatedAt: Date;
}

/** Seals and stores (or replaces) one app's environment, and records the event. Runs in its own transaction. */
export async function storeEnvironment(
  client: ClientBase,
  master: MasterKey,
  args: { readonly resourceId: string; readonly values: Readonly<Record<string, string>>; readonly actor: string },
): Promise<void> {
  const sorted = Object.fromEntries(Object.entries(args.values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const sealed = seal(master, Buffer.from(JSON.stringify(sorted), "utf8"), environmentContext(args.resourceId));
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO resurrector.tenant_environments (resource_id, key_id, wrapped_key, ciphertext, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (resource_id) DO UPDATE
         SET key_id = EXCLUDED.key_id, wrapped_key = EXCLUDED.wrapped_key, ciphertext = EXCLUDED.ciphertext, updated_at = now()`,
      [args.resourceId, sealed.keyId, sealed.wrappedKey, sealed.ciphertext],
    );
    await recordEvent(client, {
      actor: args.actor,
      action: "environment.stored",
      subject: `resource/${args.resourceId}`,
      detail: { variables: Object.keys(sorted).length, keyId: sealed.keyId },
    });
    await client.query("COMMIT");
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
