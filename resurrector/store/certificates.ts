/**
 * Preserved TLS certificate Secrets, sealed in `resurrector.tls_certificates`, keyed by the namespace and name of
 * the Secret they are restored to. Restoring the Secret before cert-manager reconciles its Certificate lets the new
 * cluster serve the old, still-valid certificate instead of requesting a new one.
 */
import type { ClientBase } from "pg";
import { open, seal, type MasterKey, type SealedRecord } from "../crypto/envelope";
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
  },
): Promise<void> {
  const sealed = seal(master, Buffer.from(JSON.stringify(args.secret), "utf8"), certificateContext(args.namespace, args.secretName));
  await client.query("BEGIN");
  try {
    await client.query(
      `INSERT INTO resurrector.tls_certificates (namespace, secret_name, dns_names, not_after, key_id, wrapped_key, ciphertext, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (namespace, secret_name) DO UPDATE
         SET dns_names = EXCLUDED.dns_names, not_after = EXCLUDED.not_after, key_id = EXCLUDED.key_id,
             wrapped_key = EXCLUDED.wrapped_key, ciphertext = EXCLUDED.ciphertext, updated_at = now()`,
      [args.namespace, args.secretName, [...args.dnsNames], args.notAfter, sealed.keyId, sealed.wrappedKey, sealed.ciphertext],
    );
    await recordEvent(client, {
      actor: args.actor,
      action: "certificate.preserved",
      subject: `secret/${args.namespace}/${args.secretName}`,
      detail: { dnsNames: [...args.dnsNames], notAfter: args.notAfter.toISOString(), keyId: sealed.keyId },
    });
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
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
