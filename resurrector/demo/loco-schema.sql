-- loco's database of record, as far as the resurrector reads it: a fixture written from the facts of loco's
-- schema (enums, BIGSERIAL ids, timestamptz, partial unique indexes), for the demo, tests and benchmark.
-- loco's own migrations own the real schema; the resurrector only ever reads these tables.

CREATE TYPE cluster_health_status AS ENUM ('healthy', 'unhealthy', 'degraded');
CREATE TYPE resource_type AS ENUM ('service', 'worker', 'database', 'cache', 'queue', 'blob');
CREATE TYPE resource_status AS ENUM ('healthy', 'deploying', 'degraded', 'unavailable', 'suspended');
CREATE TYPE domain_source AS ENUM ('platform_provided', 'user_provided');
CREATE TYPE deployment_status AS ENUM ('pending', 'deploying', 'running', 'succeeded', 'failed', 'canceled');

CREATE TABLE clusters (
  id                BIGSERIAL PRIMARY KEY,
  name              TEXT NOT NULL UNIQUE,
  region            TEXT NOT NULL,
  provider          TEXT NOT NULL,
  is_active         BOOLEAN NOT NULL DEFAULT true,
  is_default        BOOLEAN NOT NULL DEFAULT false,
  endpoint          TEXT,
  health_status     cluster_health_status NOT NULL DEFAULT 'healthy',
  last_health_check TIMESTAMPTZ,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at        TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- At most one default cluster.
CREATE UNIQUE INDEX clusters_single_default ON clusters (is_default) WHERE is_default;

CREATE TABLE organizations (
  id         BIGSERIAL PRIMARY KEY,
  name       TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE workspaces (
  id         BIGSERIAL PRIMARY KEY,
  org_id     BIGINT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
  name       TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (org_id, name)
);

CREATE TABLE resources (
  id           BIGSERIAL PRIMARY KEY,
  workspace_id BIGINT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  type         resource_type NOT NULL,
  description  TEXT,
  status       resource_status NOT NULL DEFAULT 'deploying',
  spec         JSONB NOT NULL DEFAULT '{}'::jsonb,
  spec_version INTEGER NOT NULL DEFAULT 1,
  created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);

CREATE TABLE resource_regions (
  id          BIGSERIAL PRIMARY KEY,
  resource_id BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  region      TEXT NOT NULL,
  is_primary  BOOLEAN NOT NULL DEFAULT false,
  status      resource_status NOT NULL DEFAULT 'deploying',
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (resource_id, region)
);
-- One primary region per resource.
CREATE UNIQUE INDEX resource_regions_single_primary ON resource_regions (resource_id) WHERE is_primary;

CREATE TABLE platform_domains (
  id         BIGSERIAL PRIMARY KEY,
  domain     TEXT NOT NULL UNIQUE,
  is_active  BOOLEAN NOT NULL DEFAULT true,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE resource_domains (
  id                 BIGSERIAL PRIMARY KEY,
  resource_id        BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  domain             TEXT NOT NULL UNIQUE,
  domain_source      domain_source NOT NULL,
  subdomain_label    TEXT,
  platform_domain_id BIGINT REFERENCES platform_domains (id),
  is_primary         BOOLEAN NOT NULL DEFAULT false,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK ((domain_source = 'platform_provided') = (platform_domain_id IS NOT NULL))
);
-- One primary domain per resource.
CREATE UNIQUE INDEX resource_domains_single_primary ON resource_domains (resource_id) WHERE is_primary;

CREATE TABLE deployments (
  id                 BIGSERIAL PRIMARY KEY,
  resource_id        BIGINT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
  resource_region_id BIGINT REFERENCES resource_regions (id) ON DELETE CASCADE,
  cluster_id         BIGINT NOT NULL REFERENCES clusters (id),
  region             TEXT NOT NULL,
  replicas           INTEGER NOT NULL DEFAULT 1,
  status             deployment_status NOT NULL DEFAULT 'pending',
  is_active          BOOLEAN NOT NULL DEFAULT false,
  message            TEXT,
  spec               JSONB NOT NULL,
  spec_version       INTEGER NOT NULL DEFAULT 1,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- One active deployment per resource and region.
CREATE UNIQUE INDEX deployments_single_active ON deployments (resource_id, resource_region_id) WHERE is_active;
-- What the resurrector asks: the active deployments of one cluster.
CREATE INDEX deployments_active_by_cluster ON deployments (cluster_id) WHERE is_active;
