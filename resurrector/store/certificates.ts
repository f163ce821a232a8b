/**
 * Preserved TLS certificate Secrets, sealed in `resurrector.tls_certificates`, keyed by the namespace and name of
 * the Secret they are restored to. Restoring the Secret before cert-manager reconciles its Certificate lets the new
 * cluster serve the old, still-valid certificate instead of requesting a new one.
 */
import type { ClientBase } from "pg";
import { contentMac } from "../crypto/content-mac";
import { open, seal, type MasterKey, type SealedRecord } from "../crypto/envelope";
import { defaultKeptVersions, lockRecord, sameContent, type StoreOutcome } from "./versions";
import { recordEvent } from "./events";

export const certificateContext = (namespace: string, secretName: string) => `tls_certificates:${namespace}/${secretName}`;

/** The Kubernetes Secret as preserved: enough to recreate it exactly. */
export interface PreservedSecret {
  readonly type: string;
  readonly data: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

/** What is readable without the key. */
export interface SealedCertificate extends SealedRecord {
  readonly namespace: string;
  readonly secretName: string;
  readonly dnsNames: readonly string[];
  readonly notAfter: Date;
  readonly updatedAt: Date;
}

/**
 * Seals one certificate Secret as its new latest version, unless the latest version already holds exactly this
 * Secret (then nothing is written). The latest version is also written to `tls_certificates`, which the plan and the
 * rebuild read; versions beyond the last `keep` are deleted. Runs in its own transaction, with the event.
 */
export async function preserveCertificate(
  client: ClientBase,
  master: MasterKey,
  args: {
    readonly namespace: string;
    readonly secretName: string;
    readonly dnsNames: readonly string[];
    readonly notAfter: Date;
    readonly secret: PreservedSecret;
    readonly actor: string;
    /**
     * Versions kept, the new one included.
     * @default defaultKeptVersions
     */
    readonly keep?: number;
    /**
     * When the Secret was read (the snapshot's clock).
     * @default now
     */
    readonly sealedAt?: Date;
  },
): Promise<StoreOutcome> {
  const keep = args.keep ?? defaultKeptVersions;
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`versions to keep must be a whole number of at least 1 (got ${keep})`);
  const content = Buffer.from(JSON.stringify(canonicalSecret(args.secret)), "utf8");
  const context = certificateContext(args.namespace, args.secretName);
  const sealedAt = args.sealedAt ?? new Date();
  await client.query("BEGIN");
  try {
    await lockRecord(client, context);
    const { rows } = await client.query<{ version: number; key_id: string; content_mac: Buffer; current: boolean }>(
      `SELECT v.version, v.key_id, v.content_mac,
              EXISTS (SELECT 1 FROM resurrector.tls_certificates c WHERE c.namespace = v.namespace AND c.secret_name = v.secret_name) AS current
       FROM resurrector.tls_certificate_versions v WHERE v.namespace = $1 AND v.secret_name = $2 ORDER BY v.version DESC LIMIT 1`,
      [args.namespace, args.secretName],
    );
    const latest = rows[0];
    if (latest?.current && sameContent(master, latest, context, content)) {
      await client.query("COMMIT");
      return { changed: false, version: latest.version, pruned: 0 };
    }
    const version = (latest?.version ?? 0) + 1;
    const sealed = seal(master, content, context);
    await client.query(
      `INSERT INTO resurrector.tls_certificate_versions
         (namespace, secret_name, version, dns_names, not_after, key_id, wrapped_key, ciphertext, content_mac, sealed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        args.namespace,
        args.secretName,
        version,
        [...args.dnsNames],
        args.notAfter,
        sealed.keyId,
        sealed.wrappedKey,
        sealed.ciphertext,
        contentMac(master, context, content),
        sealedAt,
      ],
    );
    await client.query(
      `INSERT INTO resurrector.tls_certificates (namespace, secret_name, dns_names, not_after, key_id, wrapped_key, ciphertext, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (namespace, secret_name) DO UPDATE
         SET dns_names = EXCLUDED.dns_names, not_after = EXCLUDED.not_after, key_id = EXCLUDED.key_id,
             wrapped_key = EXCLUDED.wrapped_key, ciphertext = EXCLUDED.ciphertext, updated_at = EXCLUDED.updated_at`,
      [args.namespace, args.secretName, [...args.dnsNames], args.notAfter, sealed.keyId, sealed.wrappedKey, sealed.ciphertext, sealedAt],
    );
    const pruned = await client.query(
      "DELETE FROM resurrector.tls_certificate_versions WHERE namespace = $1 AND secret_name = $2 AND version <= $3",
      [args.namespace, args.secretName, version - keep],
    );
    await recordEvent(client, {
      actor: args.actor,
      action: "certificate.preserved",
      subject: `secret/${args.namespace}/${args.secretName}`,
      detail: {
        version,
        dnsNames: [...args.dnsNames],
        notAfter: args.notAfter.toISOString(),
        keyId: sealed.keyId,
        pruned: pruned.rowCount ?? 0,
      },
    });
    await client.query("COMMIT");
    return { changed: true, version, pruned: pruned.rowCount ?? 0 };
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

/** The Secret with its maps' keys sorted, so the same Secret always seals (and fingerprints) the same bytes. */
function canonicalSecret(secret: PreservedSecret): PreservedSecret {
  const sorted = (map: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { type: secret.type, data: sorted(secret.data), labels: sorted(secret.labels), annotations: sorted(secret.annotations) };
}

export async function sealedCertificates(client: ClientBase): Promise<SealedCertificate[]> {
  const { rows } = await client.query<{
    namespace: string;
    secret_name: string;
    dns_names: string[];
    not_after: Date;
    key_id: string;
    wrapped_key: Buffer;
    ciphertext: Buffer;
    updated_at: Date;
  }>(
    `SELECT namespace, secret_name, dns_names, not_after, key_id, wrapped_key, ciphertext, updated_at
     FROM resurrector.tls_certificates ORDER BY namespace, secret_name`,
  );
  return rows.map((row) => ({
    namespace: row.namespace,
    secretName: row.secret_name,
    dnsNames: row.dns_names,
    notAfter: row.not_after,
    keyId: row.key_id,
    wrappedKey: row.wrapped_key,
    ciphertext: row.ciphertext,
    updatedAt: row.updated_at,
  }));
}

export function openCertificate(master: MasterKey, sealed: SealedCertificate): PreservedSecret {
  return JSON.parse(open(master, sealed, certificateContext(sealed.namespace, sealed.secretName)).toString("utf8")) as PreservedSecret;
}
