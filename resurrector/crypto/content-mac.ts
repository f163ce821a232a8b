/**
 * A keyed fingerprint of sealed content, so a snapshot can tell "unchanged" without opening the stored record and
 * without storing a plain hash of a secret (a plain SHA-256 of a short token or password can be guessed offline by
 * anyone who reads the table). HMAC-SHA256 under a key derived from the master key with HKDF: the MAC key is never
 * the master key itself, and the record's context is part of the input, so two apps holding the same environment
 * get different fingerprints (the table does not reveal which apps share secrets).
 */
import { createHmac, hkdfSync } from "node:crypto";
import type { MasterKey } from "./envelope";

const macKeyInfo = "loco-resurrector/content-mac/v1";
const derivedKeys = new WeakMap<Buffer, Buffer>();

function macKey(master: MasterKey): Buffer {
  let key = derivedKeys.get(master.key);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", master.key, Buffer.alloc(0), macKeyInfo, 32));
    derivedKeys.set(master.key, key);
  }
  return key;
}

/** HMAC-SHA256 of `content` for the record `context`, under the key derived from `master` (its own key, not `alsoOpens`). */
export function contentMac(master: MasterKey, context: string, content: Buffer): Buffer {
  return createHmac("sha256", macKey(master)).update(context, "utf8").update("\0").update(content).digest();
}
