-- loco's database of record at the schema version the resurrector reads: team-loco/loco e08302e (v0.0.51), whose
-- migrations 001_initial_schema, 002_apps_and_deployments and 003_user_scopes loco runs as plain SQL, recording
-- nothing (no migrations table). A fixture written from those migrations, for the demo, the tests and the
-- benchmark: the same tables, columns, types, defaults, checks and unique indexes; loco's plain lookup indexes
-- and its user_with_scopes_view are left out (they change no query's result). loco's own migrations own the real schema; the resurrector only
-- ever reads it (resurrector/db/loco-tables.ts), after recognising it (resurrector/db/loco-schema.ts).

-- 001_initial_schema: users, organizations, workspaces and their members.
CREATE TABLE users (
  id          BIGSERIAL PRIMARY KEY,
  external_id TEXT UNIQUE NOT NULL,
  email       TEXT UNIQUE NOT NULL,
  name        TEXT,
  avatar_url  TEXT,
  created_at  TIMESTAMPTZ DEFAULT NOW(),
  updated_at  TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE organizations (
  id         BIGSERIAL PRIMARY KEY,
  name       TEXT UNIQUE NOT NULL,
  created_by BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE organization_members (
  organization_id BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at      TIMESTAMPTZ DEFAULT NOW(),
  PRIMARY KEY (organization_id, user_id)
);

CREATE TABLE workspaces (
  id          BIGSERIAL PRIMARY KEY,
  org_id      BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  description TEXT,
  created_by  BIGINT NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
  created_at  TIMESTAMPTZ DEFAULT NOW(),
  updated_at  TIMESTAMPTZ DEFAULT NOW(),
  UNIQUE (org_id, name)
);

CREATE TYPE workspace_role AS ENUM ('admin', 'deploy', 'read');

CREATE TABLE workspace_members (
  workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role         workspace_role NOT NULL,
  created_at   TIMESTAMPTZ DEFAULT NOW(),
  PRIMARY KEY (workspace_id, user_id)
);

-- 002_apps_and_deployments: clusters, resources (apps), their regions, domains and deployments.
CREATE TYPE deployment_status AS ENUM ('pending', 'deploying', 'running', 'succeeded', 'failed', 'canceled');
CREATE TYPE resource_status AS ENUM ('healthy', 'deploying', 'degraded', 'unavailable', 'suspended');
CREATE TYPE resource_type AS ENUM ('service', 'worker', 'database', 'cache', 'queue', 'blob');
CREATE TYPE domain_source AS ENUM ('platform_provided', 'user_provided');
CREATE TYPE region_intent_status AS ENUM ('desired', 'provisioning', 'active', 'degraded', 'removing', 'failed');

CREATE TABLE clusters (
  id                BIGSERIAL PRIMARY KEY,
  name              TEXT UNIQUE NOT NULL,
  region            TEXT NOT NULL,
  provider          TEXT NOT NULL,
  is_active         BOOLEAN NOT NULL,
  is_default        BOOLEAN NOT NULL,
  endpoint          TEXT,
  -- Text with a check, not an enum; NULL until loco's first health check.
  health_status     TEXT CHECK (health_status IN ('healthy', 'unhealthy', 'degraded')),
  last_health_check TIMESTAMPTZ,
  created_at        TIMESTAMPTZ DEFAULT NOW(),
  updated_at        TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE platform_domains (
  id         BIGSERIAL PRIMARY KEY,
  domain     TEXT NOT NULL UNIQUE,
  is_active  BOOLEAN NOT NULL,
  created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE resources (
  id           BIGSERIAL PRIMARY KEY,
  workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  type         resource_type NOT NULL,
  description  TEXT NOT NULL,
  status       resource_status NOT NULL,
  spec         JSONB NOT NULL,
  spec_version INT NOT NULL,
  created_at   TIMESTAMPTZ DEFAULT NOW(),
  updated_at   TIMESTAMPTZ DEFAULT NOW(),
  UNIQUE (workspace_id, name)
);

CREATE TABLE resource_regions (
  id          BIGSERIAL PRIMARY KEY,
  resource_id BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  region      TEXT NOT NULL,
  is_primary  BOOLEAN NOT NULL,
  status      region_intent_status NOT NULL,
  last_error  TEXT,
  created_at  TIMESTAMPTZ DEFAULT NOW(),
  updated_at  TIMESTAMPTZ DEFAULT NOW(),
  UNIQUE (resource_id, region)
);
-- At most one primary region per resource.
CREATE UNIQUE INDEX uniq_resource_primary_region ON resource_regions (resource_id) WHERE is_primary = true;

CREATE TABLE resource_domains (
  id                 BIGSERIAL PRIMARY KEY,
  resource_id        BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  domain             TEXT NOT NULL UNIQUE,
  domain_source      domain_source NOT NULL,
  subdomain_label    TEXT,
  platform_domain_id BIGINT REFERENCES platform_domains (id),
  is_primary         BOOLEAN NOT NULL,
  created_at         TIMESTAMPTZ DEFAULT NOW(),
  updated_at         TIMESTAMPTZ DEFAULT NOW(),
  -- A platform name has a label under a platform domain; a user's own domain has neither.
  CONSTRAINT domain_source_check CHECK (
    (domain_source = 'platform_provided' AND subdomain_label IS NOT NULL AND platform_domain_id IS NOT NULL)
    OR (domain_source = 'user_provided' AND subdomain_label IS NULL AND platform_domain_id IS NULL)
  )
);
-- At most one primary domain per resource, and one resource per label of a platform domain.
CREATE UNIQUE INDEX uniq_resource_primary_domain ON resource_domains (resource_id) WHERE is_primary = true;
CREATE UNIQUE INDEX uniq_platform_subdomain ON resource_domains (platform_domain_id, subdomain_label)
  WHERE domain_source = 'platform_provided';

-- Immutable, one region each. loco enforces no single active deployment per resource and region in the schema
-- (only a plain index): the resurrector keeps the newest and reports the others.
CREATE TABLE deployments (
  id                 BIGSERIAL PRIMARY KEY,
  resource_id        BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  resource_region_id BIGINT NOT NULL REFERENCES resource_regions (id) ON DELETE RESTRICT,
  cluster_id         BIGINT NOT NULL REFERENCES clusters (id) ON DELETE RESTRICT,
  region             TEXT NOT NULL,
  replicas           INT NOT NULL,
  status             deployment_status NOT NULL,
  is_active          BOOLEAN NOT NULL,
  message            TEXT NOT NULL,
  spec               JSONB NOT NULL,
  spec_version       INT NOT NULL,
  created_at         TIMESTAMPTZ DEFAULT NOW(),
  started_at         TIMESTAMPTZ,
  completed_at       TIMESTAMPTZ,
  updated_at         TIMESTAMPTZ DEFAULT NOW()
);
-- What the resurrector asks: the active deployments of one cluster (loco's own index serves it).
CREATE INDEX idx_deployments_cluster_id ON deployments (cluster_id);
CREATE INDEX idx_deployments_is_active ON deployments (resource_id, is_active) WHERE is_active = true;

-- 003_user_scopes: scopes and API tokens (never read by the resurrector).
CREATE TYPE entity_type AS ENUM ('system', 'organization', 'workspace', 'resource', 'user');
CREATE TYPE entity_scope AS (scope TEXT, entity_type entity_type, entity_id BIGINT);

CREATE TABLE user_scopes (
  user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  scope       TEXT NOT NULL,
  entity_type entity_type NOT NULL,
  entity_id   BIGINT NOT NULL,
  UNIQUE (user_id, scope, entity_type, entity_id)
);

CREATE TYPE token_head AS (name TEXT, entity_type entity_type, entity_id BIGINT, scopes JSONB, expires_at TIMESTAMPTZ);

CREATE UNLOGGED TABLE tokens (
  name        TEXT NOT NULL,
  token       TEXT PRIMARY KEY,
  scopes      JSONB NOT NULL,
  entity_type entity_type NOT NULL,
  entity_id   BIGINT NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL,
  UNIQUE (name, entity_type, entity_id)
);
