/**
 * What the store holds, for an operator: each app's environment and each certificate, with its versions, when each
 * was sealed and under which key. Read without the key and never selecting a sealed column: a listing cannot leak
 * a value because it never has one.
 */
import type { ClientBase } from "pg";

export interface StoredVersion {
  readonly version: number;
  readonly sealedAt: Date;
  readonly keyId: string;
  /** How many variables (environments). */
  readonly variables?: number;
}

export interface StoredRecord {
  readonly kind: "environment" | "certificate";
  /** The app's resource id (environments) or namespace/name of the Secret (certificates). */
  readonly subject: string;
  /** The latest version, as plan and replay read it. */
  readonly current?: { readonly keyId: string; readonly updatedAt: Date };
  /** Newest first; empty for a record stored before version history existed (schema 4). */
  readonly versions: readonly StoredVersion[];
  /** Certificates: the names it covers and its expiry (public). */
  readonly dnsNames?: readonly string[];
  readonly notAfter?: Date;
}

interface Row {
  subject: string;
  current_key: string | null;
  updated_at: Date | null;
  version: number | null;
  sealed_at: Date | null;
  key_id: string | null;
  variables: number | null;
  dns_names: string[] | null;
  not_after: Date | null;
}

function group(kind: StoredRecord["kind"], rows: readonly Row[]): StoredRecord[] {
  const records = new Map<string, { record: StoredRecord; versions: StoredVersion[] }>();
  for (const row of rows) {
    let entry = records.get(row.subject);
    if (!entry) {
      const versions: StoredVersion[] = [];
      entry = {
        versions,
        record: {
          kind,
          subject: row.subject,
          current: row.current_key !== null && row.updated_at !== null ? { keyId: row.current_key, updatedAt: row.updated_at } : undefined,
          versions,
          ...(kind === "certificate" ? { dnsNames: row.dns_names ?? [], notAfter: row.not_after ?? undefined } : {}),
        },
      };
      records.set(row.subject, entry);
    }
    if (row.version !== null && row.sealed_at !== null && row.key_id !== null) {
      entry.versions.push({ version: row.version, sealedAt: row.sealed_at, keyId: row.key_id, variables: row.variables ?? undefined });
    }
  }
  return [...records.values()].map((entry) => entry.record);
}

/** Every stored environment and certificate with its versions (newest first). */
export async function storedRecords(client: ClientBase): Promise<StoredRecord[]> {
  const environments = await client.query<Row>(
    `SELECT COALESCE(e.resource_id, v.resource_id)::text AS subject, e.key_id AS current_key, e.updated_at,
            v.version, v.sealed_at, v.key_id, v.variables, NULL::text[] AS dns_names, NULL::timestamptz AS not_after
     FROM resurrector.tenant_environments e
     FULL JOIN resurrector.tenant_environment_versions v ON v.resource_id = e.resource_id
     ORDER BY COALESCE(e.resource_id, v.resource_id), v.version DESC`,
  );
  const certificates = await client.query<Row>(
    `SELECT COALESCE(c.namespace, v.namespace) || '/' || COALESCE(c.secret_name, v.secret_name) AS subject, c.key_id AS current_key,
            c.updated_at, v.version, v.sealed_at, v.key_id, NULL::integer AS variables,
            COALESCE(c.dns_names, v.dns_names) AS dns_names, COALESCE(c.not_after, v.not_after) AS not_after
     FROM resurrector.tls_certificates c
     FULL JOIN resurrector.tls_certificate_versions v ON v.namespace = c.namespace AND v.secret_name = c.secret_name
     ORDER BY 1, v.version DESC`,
  );
  return [...group("environment", environments.rows), ...group("certificate", certificates.rows)];
}
