/**
 * Moves every sealed record of the store to a new master key: each record's data key is unwrapped with the current
 * key and wrapped again under the new one (the payload is not re-encrypted), and each version's content fingerprint
 * is recomputed under the new key's MAC key. One transaction per record, so the run is safe to interrupt at any
 * point and resumes where it stopped: records already under the new key are simply not selected again. Readers
 * given both keys (LOCO_RESURRECTOR_NEW_KEY beside LOCO_RESURRECTOR_KEY) open every record throughout.
 */
import type { ClientBase } from "pg";
import { contentMac } from "../crypto/content-mac";
import { open, rewrap, SealError, type MasterKey } from "../crypto/envelope";
import { certificateContext } from "./certificates";
import { environmentContext } from "./environments";
import { recordEvent } from "./events";

/** A sealed table: its primary key, the sealing context of a row, and whether it carries a content fingerprint. */
interface SealedTable {
  readonly name: string;
  readonly keyColumns: readonly string[];
  readonly context: (row: Record<string, string>) => string;
  readonly fingerprinted: boolean;
}

const sealedTables: readonly SealedTable[] = [
  {
    name: "tenant_environments",
    keyColumns: ["resource_id"],
    context: (row) => environmentContext(row.resource_id),
    fingerprinted: false,
  },
  {
    name: "tenant_environment_versions",
    keyColumns: ["resource_id", "version"],
    context: (row) => environmentContext(row.resource_id),
    fingerprinted: true,
  },
  {
    name: "tls_certificates",
    keyColumns: ["namespace", "secret_name"],
    context: (row) => certificateContext(row.namespace, row.secret_name),
    fingerprinted: false,
  },
  {
    name: "tls_certificate_versions",
    keyColumns: ["namespace", "secret_name", "version"],
    context: (row) => certificateContext(row.namespace, row.secret_name),
    fingerprinted: true,
  },
];

/** Records are fetched in pages of this many primary keys; each record is still its own transaction. */
const defaultPageSize = 200;

/** The store holds records under a key that is neither of the two given: nothing was changed. */
export class RekeyRefusedError extends Error {
  override readonly name = "RekeyRefusedError";
}

export interface RekeyTableCounts {
  readonly table: string;
  /** Re-wrapped under the new key by this run. */
  readonly rewrapped: number;
  /** Already under the new key when the run started (an earlier, interrupted run; or sealed under it since). */
  readonly alreadyUnderNewKey: number;
  /** Could not be opened with the current key (reported in `failures`), left as they were. */
  readonly failed: number;
  /** Still under the current key after the run: 0 when it finished. */
  readonly remaining: number;
}

export interface RekeyReport {
  readonly fromKeyId: string;
  readonly toKeyId: string;
  /** Stopped by its signal before every record was moved; run it again to resume. */
  readonly interrupted: boolean;
  readonly tables: readonly RekeyTableCounts[];
  /** Records that could not be moved: which, and why (never content). */
  readonly failures: readonly { readonly table: string; readonly record: string; readonly reason: string }[];
}

export interface RekeyOptions {
  /** The key the records are under now. */
  readonly from: MasterKey;
  /** The key they are moved to. */
  readonly to: MasterKey;
  /** Who runs it, for the audit trail. */
  readonly actor: string;
  /** Stops the run between two records (SIGINT). */
  readonly signal?: AbortSignal;
  /** Called after each record moved, with the count so far. */
  readonly onRecordMoved?: (moved: number) => void;
  /**
   * Primary keys fetched per query.
   * @default 200
   */
  readonly pageSize?: number;
}

const recordName = (table: SealedTable, row: Record<string, string>) => `${table.name}(${table.keyColumns.map((c) => row[c]).join(", ")})`;

/** Refuses a store with records under a key that is neither `from` nor `to`, naming the key ids (never key material). */
async function refuseForeignKeys(client: ClientBase, from: MasterKey, to: MasterKey): Promise<void> {
  const { rows } = await client.query<{ key_id: string; records: string }>(
    `SELECT key_id, count(*)::text AS records FROM (${sealedTables.map((t) => `SELECT key_id FROM resurrector.${t.name}`).join(" UNION ALL ")}) k
     WHERE key_id <> ALL($1::text[]) GROUP BY key_id ORDER BY key_id`,
    [[from.id, to.id]],
  );
  if (rows.length === 0) return;
  const found = rows.map((row) => `${row.records} under ${row.key_id}`).join(", ");
  throw new RekeyRefusedError(
    `the store holds records sealed under a key that is neither the current key (${from.id}) nor the new one (${to.id}): ${found}; nothing was changed (is LOCO_RESURRECTOR_KEY the key the store was sealed with?)`,
  );
}

async function count(client: ClientBase, table: SealedTable, keyId: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM resurrector.${table.name} WHERE key_id = $1`, [
    keyId,
  ]);
  return Number(rows[0].n);
}

/** Moves one record in its own transaction; false when it was no longer under `from` (moved by another run). */
async function moveRecord(client: ClientBase, table: SealedTable, key: Record<string, string>, options: RekeyOptions): Promise<boolean> {
  const where = table.keyColumns.map((column, i) => `${column} = $${i + 1}`).join(" AND ");
  const keyValues = table.keyColumns.map((column) => key[column]);
  await client.query("BEGIN");
  try {
    const { rows } = await client.query<{ key_id: string; wrapped_key: Buffer; ciphertext: Buffer }>(
      `SELECT key_id, wrapped_key, ciphertext FROM resurrector.${table.name} WHERE ${where} FOR UPDATE`,
      keyValues,
    );
    const row = rows[0];
    if (!row || row.key_id !== options.from.id) {
      await client.query("COMMIT");
      return false;
    }
    const context = table.context(key);
    const record = { keyId: row.key_id, wrappedKey: row.wrapped_key, ciphertext: row.ciphertext };
    const moved = rewrap(options.from, options.to, record, context);
    const updates = ["key_id", "wrapped_key"];
    const values: unknown[] = [moved.keyId, moved.wrappedKey];
    if (table.fingerprinted) {
      const content = open(options.from, record, context);
      updates.push("content_mac");
      values.push(contentMac(options.to, context, content));
      content.fill(0);
    }
    await client.query(
      `UPDATE resurrector.${table.name} SET ${updates.map((column, i) => `${column} = $${keyValues.length + i + 1}`).join(", ")} WHERE ${where}`,
      [...keyValues, ...values],
    );
    await client.query("COMMIT");
    return true;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** Moves every record under `from` to `to`; see the module comment. Throws RekeyRefusedError before any change. */
export async function rekeyStore(client: ClientBase, options: RekeyOptions): Promise<RekeyReport> {
  const { from, to } = options;
  if (from.id === to.id) throw new RekeyRefusedError(`the current and the new key are the same key (${from.id}): nothing to move`);
  await refuseForeignKeys(client, from, to);
  const tables: RekeyTableCounts[] = [];
  const failures: { table: string; record: string; reason: string }[] = [];
  let moved = 0;
  let interrupted = false;
  for (const table of sealedTables) {
    const alreadyUnderNewKey = await count(client, table, to.id);
    let rewrapped = 0;
    let failed = 0;
    // Qualified: a bare name in ORDER BY would mean the text alias selected below, and text order (10 < 9) is not the
    // order the keyset comparison walks, which would skip records.
    const order = table.keyColumns.map((c) => `t.${c}`).join(", ");
    let after: string[] | undefined;
    while (!interrupted) {
      // Keyset pagination: a record that failed stays under `from` and must not be selected again.
      const afterClause = after ? `AND (${order}) > (${table.keyColumns.map((_, i) => `$${i + 2}`).join(", ")})` : "";
      const { rows } = await client.query<Record<string, string>>(
        `SELECT ${table.keyColumns.map((c) => `${c}::text AS ${c}`).join(", ")} FROM resurrector.${table.name} t
         WHERE t.key_id = $1 ${afterClause} ORDER BY ${order} LIMIT ${options.pageSize ?? defaultPageSize}`,
        [from.id, ...(after ?? [])],
      );
      if (rows.length === 0) break;
      for (const key of rows) {
        if (options.signal?.aborted) {
          interrupted = true;
          break;
        }
        try {
          if (await moveRecord(client, table, key, options)) {
            rewrapped += 1;
            moved += 1;
            options.onRecordMoved?.(moved);
          }
        } catch (error) {
          if (!(error instanceof SealError)) throw error;
          failed += 1;
          failures.push({ table: table.name, record: recordName(table, key), reason: error.message });
        }
      }
      const last = rows[rows.length - 1];
      after = table.keyColumns.map((c) => last[c]);
    }
    tables.push({ table: table.name, rewrapped, alreadyUnderNewKey, failed, remaining: await count(client, table, from.id) });
  }
  const report: RekeyReport = { fromKeyId: from.id, toKeyId: to.id, interrupted, tables, failures };
  await recordEvent(client, {
    actor: options.actor,
    action: interrupted ? "store.rekey-interrupted" : "store.rekeyed",
    subject: "store",
    detail: { fromKeyId: from.id, toKeyId: to.id, tables, failures: failures.length },
  });
  return report;
}
