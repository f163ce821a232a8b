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
  {
    version: 2,
    name: "probe history, rollups, incidents, rebuilds (status page)",
    sql: `
-- One row per probe of a check, kept 48 hours (resurrector/store/probe-history.ts prunes it); the rollups below
-- keep the long history small. detail is a short line safe to publish: no address, no tenant, no secret.
CREATE TABLE IF NOT EXISTS resurrector.probe_results (
  id         BIGSERIAL PRIMARY KEY,
  probed_at  TIMESTAMPTZ NOT NULL,
  check_name TEXT NOT NULL,
  state      TEXT NOT NULL CHECK (state IN ('healthy', 'degraded', 'down')),
  latency_ms INTEGER CHECK (latency_ms >= 0),
  detail     TEXT NOT NULL DEFAULT '' CHECK (length(detail) <= 160)
);
CREATE INDEX IF NOT EXISTS probe_results_check_time ON resurrector.probe_results (check_name, probed_at DESC);
CREATE INDEX IF NOT EXISTS probe_results_time ON resurrector.probe_results (probed_at);

-- Per check and hour (kept 8 days) or day (kept 100 days): probes per state and a latency histogram, added to as
-- each probe is recorded, so uptime over 7 and 90 days is a sum over at most 168 or 90 rows per check.
-- latency_histogram[i] counts latencies up to the i-th bound of latencyBucketBoundsMs (resurrector/store/rollups.ts),
-- the last element those above every bound. Latencies of down probes are not counted: a timeout is no response time.
CREATE TABLE IF NOT EXISTS resurrector.probe_rollups (
  check_name        TEXT NOT NULL,
  resolution        TEXT NOT NULL CHECK (resolution IN ('hour', 'day')),
  bucket_start      TIMESTAMPTZ NOT NULL,
  healthy           INTEGER NOT NULL DEFAULT 0,
  degraded          INTEGER NOT NULL DEFAULT 0,
  down              INTEGER NOT NULL DEFAULT 0,
  latency_histogram INTEGER[] NOT NULL,
  PRIMARY KEY (check_name, resolution, bucket_start)
);

-- Each check's latest probe and its current streak (consecutive probes healthy, or not): what opens and closes
-- incidents, and what the page shows as the current state.
CREATE TABLE IF NOT EXISTS resurrector.check_states (
  check_name     TEXT PRIMARY KEY,
  state          TEXT NOT NULL CHECK (state IN ('healthy', 'degraded', 'down')),
  state_since    TIMESTAMPTZ NOT NULL,
  last_probe_at  TIMESTAMPTZ NOT NULL,
  latency_ms     INTEGER,
  detail         TEXT NOT NULL,
  streak_healthy BOOLEAN NOT NULL,
  streak_probes  INTEGER NOT NULL CHECK (streak_probes >= 1),
  streak_since   TIMESTAMPTZ NOT NULL
);

-- Incidents: opened by a check that stays unhealthy (source 'probe', subject = the check) or by a Grafana alert
-- rule (source 'alert', subject = the rule's name); at most one open per source and subject.
CREATE TABLE IF NOT EXISTS resurrector.incidents (
  id          BIGSERIAL PRIMARY KEY,
  source      TEXT NOT NULL CHECK (source IN ('probe', 'alert')),
  subject     TEXT NOT NULL,
  title       TEXT NOT NULL,
  impact      TEXT NOT NULL CHECK (impact IN ('degraded', 'down')),
  started_at  TIMESTAMPTZ NOT NULL,
  resolved_at TIMESTAMPTZ CHECK (resolved_at >= started_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS incidents_one_open_per_subject ON resurrector.incidents (source, subject) WHERE resolved_at IS NULL;
CREATE INDEX IF NOT EXISTS incidents_recent ON resurrector.incidents (started_at DESC);

-- An incident's public timeline.
CREATE TABLE IF NOT EXISTS resurrector.incident_updates (
  id          BIGSERIAL PRIMARY KEY,
  incident_id BIGINT NOT NULL REFERENCES resurrector.incidents (id) ON DELETE CASCADE,
  posted_at   TIMESTAMPTZ NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('opened', 'changed', 'resolved')),
  message     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incident_updates_timeline ON resurrector.incident_updates (incident_id, posted_at);

-- Whether each Grafana alert instance (by fingerprint) fires: a rule's incident closes when none of its instances do.
CREATE TABLE IF NOT EXISTS resurrector.alert_instances (
  fingerprint TEXT PRIMARY KEY,
  alert_name  TEXT NOT NULL,
  firing      BOOLEAN NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX IF NOT EXISTS alert_instances_firing ON resurrector.alert_instances (alert_name) WHERE firing;

-- Rebuilds of the guarded cluster: the status page shows the one running and its phase. The rebuild (v3) adds to it.
CREATE TABLE IF NOT EXISTS resurrector.rebuilds (
  id          BIGSERIAL PRIMARY KEY,
  cluster     TEXT NOT NULL,
  started_at  TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  phase       TEXT NOT NULL,
  state       TEXT NOT NULL CHECK (state IN ('running', 'succeeded', 'failed')),
  updated_at  TIMESTAMPTZ NOT NULL,
  CHECK ((state = 'running') = (finished_at IS NULL)),
  CHECK (finished_at >= started_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS rebuilds_one_running_per_cluster ON resurrector.rebuilds (cluster) WHERE state = 'running';
CREATE INDEX IF NOT EXISTS rebuilds_recent ON resurrector.rebuilds (started_at DESC);
`,
  },
  {
    version: 3,
    name: "rebuild phases: resumable, with what each decided and did",
    sql: `
-- Why a rebuild started, and its final report (non-secret: counts, names, reasons, timings).
ALTER TABLE resurrector.rebuilds ADD COLUMN IF NOT EXISTS reason TEXT NOT NULL DEFAULT '';
ALTER TABLE resurrector.rebuilds ADD COLUMN IF NOT EXISTS report JSONB;

-- One row per phase of a rebuild. A resurrector that dies mid-rebuild finds its cluster's running rebuild and
-- resumes at the first phase not completed. intent is what a phase decided before it acted (converge: the target
-- cluster generation), kept across attempts so a resumed phase does the same thing and never bumps twice.
CREATE TABLE IF NOT EXISTS resurrector.rebuild_phases (
  rebuild_id  BIGINT NOT NULL REFERENCES resurrector.rebuilds (id) ON DELETE CASCADE,
  phase       TEXT NOT NULL CHECK (phase IN ('converge', 'certificates', 'replay', 'verify')),
  outcome     TEXT NOT NULL CHECK (outcome IN ('running', 'completed', 'failed')),
  attempts    INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),
  started_at  TIMESTAMPTZ NOT NULL,
  finished_at TIMESTAMPTZ,
  intent      JSONB NOT NULL DEFAULT '{}'::jsonb,
  report      JSONB NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (rebuild_id, phase),
  CHECK ((outcome = 'running') = (finished_at IS NULL))
);
`,
  },
  {
    version: 4,
    name: "version history of sealed environments and certificates (snapshots)",
    sql: `
-- The last versions of each app's environment, as snapshots of the live cluster sealed them (and every write
-- through resurrector/store/environments.ts). tenant_environments keeps holding the latest version, so its
-- readers (plan, replay) are unchanged; these rows are the history the snapshot prunes to its last K.
-- content_mac is an HMAC of the sealed content under a key derived from the master key named by key_id: a snapshot
-- compares it to skip unchanged content without keeping a plain hash of secrets, which could be guessed.
CREATE TABLE IF NOT EXISTS resurrector.tenant_environment_versions (
  resource_id BIGINT NOT NULL,
  version     INTEGER NOT NULL CHECK (version >= 1),
  variables   INTEGER NOT NULL CHECK (variables >= 0),
  key_id      TEXT NOT NULL,
  wrapped_key BYTEA NOT NULL,
  ciphertext  BYTEA NOT NULL,
  content_mac BYTEA NOT NULL,
  sealed_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (resource_id, version)
);
CREATE INDEX IF NOT EXISTS tenant_environment_versions_key ON resurrector.tenant_environment_versions (key_id);

-- Likewise for preserved TLS certificate Secrets; tls_certificates keeps holding the latest version.
CREATE TABLE IF NOT EXISTS resurrector.tls_certificate_versions (
  namespace   TEXT NOT NULL,
  secret_name TEXT NOT NULL,
  version     INTEGER NOT NULL CHECK (version >= 1),
  dns_names   TEXT[] NOT NULL,
  not_after   TIMESTAMPTZ NOT NULL,
  key_id      TEXT NOT NULL,
  wrapped_key BYTEA NOT NULL,
  ciphertext  BYTEA NOT NULL,
  content_mac BYTEA NOT NULL,
  sealed_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (namespace, secret_name, version)
);
CREATE INDEX IF NOT EXISTS tls_certificate_versions_key ON resurrector.tls_certificate_versions (key_id);
CREATE INDEX IF NOT EXISTS tenant_environments_key ON resurrector.tenant_environments (key_id);
CREATE INDEX IF NOT EXISTS tls_certificates_key ON resurrector.tls_certificates (key_id);
`,
  },
];

/** The schema version this code reads and writes. */
export const latestSchemaVersion = Math.max(...migrations.map((m) => m.version));
