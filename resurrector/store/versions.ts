/**
 * What the versioned stores (environments.ts, certificates.ts) share: each write seals a new latest version only
 * when the content changed, copies it to the table its readers read, and keeps the last K versions.
 */
import type { ClientBase } from "pg";
import { contentMac } from "../crypto/content-mac";
import { keyWithId, type MasterKey } from "../crypto/envelope";

/** How many versions of each app's environment (and of each certificate) are kept when the caller does not say. */
export const defaultKeptVersions = 10;

/** What a versioned write did: sealed a new latest version, or found the content already stored as the latest. */
export interface StoreOutcome {
  readonly changed: boolean;
  /** The latest version after the write. */
  readonly version: number;
  /** Older versions deleted to keep the last K. */
  readonly pruned: number;
}

/** A lock per record (its sealing context) held for the write's transaction: two snapshots never race for a version. */
export const lockRecord = (client: ClientBase, context: string) =>
  client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [context]);

/** Whether the latest stored version holds `content`, by its keyed fingerprint under the key it was sealed with. */
export function sameContent(
  master: MasterKey,
  latest: { readonly key_id: string; readonly content_mac: Buffer } | undefined,
  context: string,
  content: Buffer,
): boolean {
  const key = latest && keyWithId(master, latest.key_id);
  return key !== undefined && latest !== undefined && contentMac(key, context, content).equals(latest.content_mac);
}
