/**
 * Envelope encryption for what the resurrector keeps in loco's database (tenant environments, preserved TLS
 * certificates). Nothing stored is readable without the master key the resurrector receives as a secret.
 *
 * Each record gets a fresh 256-bit data key. The record is sealed with AES-256-GCM under that data key, and the
 * data key is sealed ("wrapped") with AES-256-GCM under the master key. Rotating the master key therefore means
 * re-wrapping small data keys, not re-encrypting every record. Both seals bind the record's identity (its
 * `context`, e.g. "tenant_environments:42") as additional authenticated data: a ciphertext that is modified, or
 * copied onto another row, fails to open instead of decrypting to someone else's secrets.
 *
 * Layout of both sealed blobs: version (1 byte) | nonce (12 bytes) | ciphertext | GCM tag (16 bytes).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const formatVersion = 1;
const keyBytes = 32;
const nonceBytes = 12;
const tagBytes = 16;

/** The key-encryption key. `id` is a fingerprint that identifies it without revealing it. */
export interface MasterKey {
  readonly key: Buffer;
  readonly id: string;
  /**
   * Further keys that open records but never seal them: the previous key while a rekey moves every record to this
   * one (resurrector/store/rekey.ts), so readers work whichever key a record is under at that moment.
   * @default none
   */
  readonly alsoOpens?: readonly MasterKey[];
}

/** The key among `master` and the keys it also opens with whose id is `keyId`, if any. */
export function keyWithId(master: MasterKey, keyId: string): MasterKey | undefined {
  return [master, ...(master.alsoOpens ?? [])].find((candidate) => candidate.id === keyId);
}

/** The ids of every key `master` opens with, for messages. */
export const openingKeyIds = (master: MasterKey): string[] => [master, ...(master.alsoOpens ?? [])].map((k) => k.id);

/** A sealed record as stored: which master key wrapped it, the wrapped data key, the sealed payload. */
export interface SealedRecord {
  readonly keyId: string;
  readonly wrappedKey: Buffer;
  readonly ciphertext: Buffer;
}

/** A record that cannot be opened: wrong key, or modified or moved. Never carries plaintext or key material. */
export class SealError extends Error {
  override readonly name = "SealError";
}

/** A fingerprint of a master key: 16 hex digits of a domain-separated SHA-256, safe to log and store. */
export function keyFingerprint(key: Buffer): string {
  return createHash("sha256").update("loco-resurrector/master-key-id/v1\0").update(key).digest("hex").slice(0, 16);
}

/** The master key from its base64 encoding (how it is handed over as a secret). Errors never echo the value. */
export function parseMasterKey(encoded: string): MasterKey {
  const trimmed = encoded.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new SealError("the master key is not base64 (value hidden: it is a secret)");
  const key = Buffer.from(trimmed, "base64");
  if (key.length !== keyBytes) {
    throw new SealError(
      `the master key must be ${keyBytes} bytes of base64 (got ${key.length} bytes; generate one with \`openssl rand -base64 32\`)`,
    );
  }
  return { key, id: keyFingerprint(key) };
}

/** A new random master key, base64-encoded. */
export function generateMasterKey(): string {
  return randomBytes(keyBytes).toString("base64");
}

function aad(purpose: "data-key" | "payload", context: string): Buffer {
  return Buffer.from(`loco-resurrector/v${formatVersion}/${purpose}/${context}`, "utf8");
}

function gcmSeal(key: Buffer, plaintext: Buffer, additionalData: Buffer): Buffer {
  const nonce = randomBytes(nonceBytes);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: tagBytes });
  cipher.setAAD(additionalData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([formatVersion]), nonce, body, cipher.getAuthTag()]);
}

function gcmOpen(key: Buffer, sealed: Buffer, additionalData: Buffer, what: string): Buffer {
  if (sealed.length < 1 + nonceBytes + tagBytes) throw new SealError(`${what} is truncated`);
  if (sealed[0] !== formatVersion) throw new SealError(`${what} has unknown format version ${sealed[0]}`);
  const nonce = sealed.subarray(1, 1 + nonceBytes);
  const body = sealed.subarray(1 + nonceBytes, sealed.length - tagBytes);
  const tag = sealed.subarray(sealed.length - tagBytes);
  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: tagBytes });
  decipher.setAAD(additionalData);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new SealError(`${what} failed authentication: it was modified, or belongs to another record`);
  }
}

/** Seals `plaintext` for the record identified by `context` under a fresh data key wrapped by `master`. */
export function seal(master: MasterKey, plaintext: Buffer, context: string): SealedRecord {
  const dataKey = randomBytes(keyBytes);
  try {
    return {
      keyId: master.id,
      wrappedKey: gcmSeal(master.key, dataKey, aad("data-key", context)),
      ciphertext: gcmSeal(dataKey, plaintext, aad("payload", context)),
    };
  } finally {
    dataKey.fill(0);
  }
}

function unwrapDataKey(master: MasterKey, record: SealedRecord, context: string): Buffer {
  const opener = keyWithId(master, record.keyId);
  if (!opener) {
    const given = openingKeyIds(master);
    throw new SealError(
      `${context} was sealed under master key ${record.keyId}; ${given.length === 1 ? "the key given is" : "the keys given are"} ${given.join(", ")}`,
    );
  }
  return gcmOpen(opener.key, record.wrappedKey, aad("data-key", context), `${context}: the wrapped data key`);
}

/**
 * The same record with its data key wrapped under `to` instead: the payload is not touched, so a rekey rewrites
 * 61 bytes per record. `from` must open the record (by its key id).
 */
export function rewrap(from: MasterKey, to: MasterKey, record: SealedRecord, context: string): SealedRecord {
  const dataKey = unwrapDataKey(from, record, context);
  try {
    // Opening the payload proves the data key belongs to it before the old wrapping is replaced.
    gcmOpen(dataKey, record.ciphertext, aad("payload", context), `${context}: the payload`).fill(0);
    return { keyId: to.id, wrappedKey: gcmSeal(to.key, dataKey, aad("data-key", context)), ciphertext: record.ciphertext };
  } finally {
    dataKey.fill(0);
  }
}

/** Opens a record sealed by {@link seal} for the same `context`; throws {@link SealError} otherwise. */
export function open(master: MasterKey, record: SealedRecord, context: string): Buffer {
  const dataKey = unwrapDataKey(master, record, context);
  try {
    return gcmOpen(dataKey, record.ciphertext, aad("payload", context), `${context}: the payload`);
  } finally {
    dataKey.fill(0);
  }
}
