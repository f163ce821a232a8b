/**
 * The resurrector's own schema, `resurrector`, inside loco's database: what a rebuild needs that loco's tables do
 * not hold. Migrations are append-only: an applied migration is never edited (the runner refuses a changed
 * checksum); a change is a new version. Each statement is also written to be re-runnable on its own.
 *
 * No foreign keys into loco's tables: the resurrector must never block loco from deleting a resource, and loco's
 * schema is not ours to couple to. A record whose resource is gone is simply never read.
 */
export const resurrectorSchema = "resurrector";

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "events, tenant environments, preserved TLS certificates",
    sql: `
-- Audit trail of everything the resurrector does or stores. Append-only: a trigger refuses UPDATE and DELETE,
-- so an audit record cannot be rewritten by the process it audits.
CREATE TABLE IF NOT EXISTS resurrector.events (
  id          BIGSERIAL PRIMARY KEY,
  occurred_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor       TEXT NOT NULL,
  action      TEXT NOT NULL,
  subject     TEXT NOT NULL,
  detail      JSONB NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS events_subject_time ON resurrector.events (subject, occurred_at DESC);

CREATE OR REPLACE FUNCTION resurrector.events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'resurrector.events is append-only (% refused)', TG_OP;
END;
$$;
DROP TRIGGER IF EXISTS events_append_only ON resurrector.events;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON resurrector.events
  FOR EACH ROW EXECUTE FUNCTION resurrector.events_are_append_only();

-- A tenant app's environment (the values loco keeps in the app's Secret), sealed per app.
-- resource_id is loco's resources.id. key_id names the master key that wrapped the data key.
CREATE TABLE IF NOT EXISTS resurrector.tenant_environments (
  resource_id BIGINT PRIMARY KEY,
  key_id      TEXT NOT NULL,
  wrapped_key BYTEA NOT NULL,
  ciphertext  BYTEA NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- TLS certificate Secrets preserved across rebuilds, so a new cluster starts from them instead of asking Let's
-- Encrypt again (5 certificates per set of names per week). The whole Secret (type, data, labels, annotations) is
-- sealed: cert-manager re-issues when its annotations are missing. dns_names and not_after stay readable so a
-- plan can say what will be restored and whether it is still valid without the key (certificates are public).
CREATE TABLE IF NOT EXISTS resurrector.tls_certificates (
  namespace   TEXT NOT NULL,
  secret_name TEXT NOT NULL,
  dns_names   TEXT[] NOT NULL,
  not_after   TIMESTAMPTZ NOT NULL,
  key_id      TEXT NOT NULL,
  wrapped_key BYTEA NOT NULL,
  ciphertext  BYTEA NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, secret_name)
);
`,
  },
];

/** The schema version this code reads and writes. */
export const latestSchemaVersion = Math.max(...migrations.map((m) => m.version));
