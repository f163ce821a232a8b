/**
 * The one adapter between loco's tables and the resurrector: every query on loco's schema is here, and it runs
 * only after the schema was recognised as the version this code reads (loco-schema.ts). Rows come back as the
 * typed records of records.ts, with loco's column names left behind. A resurrector for a newer loco schema is a
 * new adapter producing the same records.
 */
import type { ClientBase } from "pg";
import { requireSupportedLocoSchema, type LocoSchemaVersion } from "./loco-schema";
import type { ActiveDeploymentRecord, ClusterRecord, DomainRecord, PlatformDomainRecord } from "./records";

/** The database was read, but what was asked for is not in it (an unknown cluster, no default cluster). */
export class SnapshotError extends Error {
  override readonly name = "SnapshotError";
}

/** What loco's tables say about one cluster. */
export interface LocoClusterRecords {
  readonly schema: LocoSchemaVersion;
  readonly clusters: readonly ClusterRecord[];
  readonly cluster: ClusterRecord;
  readonly deployments: readonly ActiveDeploymentRecord[];
  readonly domains: readonly DomainRecord[];
  readonly platformDomains: readonly PlatformDomainRecord[];
  readonly inactiveDeployments: number;
}

interface ClusterRow {
  id: string;
  name: string;
  region: string;
  provider: string;
  is_active: boolean;
  is_default: boolean;
  endpoint: string | null;
  health_status: string | null;
  last_health_check: Date | null;
}

interface DeploymentRow {
  id: string;
  resource_region_id: string | null;
  region: string;
  replicas: number;
  status: string;
  message: string | null;
  spec: unknown;
  spec_version: number;
  created_at: Date;
  resource_id: string;
  resource_name: string;
  resource_type: string;
  resource_status: string;
  resource_spec: unknown;
  workspace_id: string;
  workspace_name: string;
  org_id: string;
  org_name: string;
}

interface DomainRow {
  id: string;
  resource_id: string;
  domain: string;
  domain_source: string;
  subdomain_label: string | null;
  platform_domain_id: string | null;
  is_primary: boolean;
}

const toCluster = (row: ClusterRow): ClusterRecord => ({
  id: row.id,
  name: row.name,
  region: row.region,
  provider: row.provider,
  isActive: row.is_active,
  isDefault: row.is_default,
  endpoint: row.endpoint,
  // loco leaves it NULL until its first health check.
  healthStatus: row.health_status ?? "unknown",
  lastHealthCheck: row.last_health_check,
});

const toDeployment = (row: DeploymentRow): ActiveDeploymentRecord => ({
  id: row.id,
  resourceRegionId: row.resource_region_id,
  region: row.region,
  replicas: row.replicas,
  status: row.status,
  message: row.message,
  spec: row.spec,
  specVersion: row.spec_version,
  createdAt: row.created_at,
  resource: { id: row.resource_id, name: row.resource_name, type: row.resource_type, status: row.resource_status, spec: row.resource_spec },
  workspace: { id: row.workspace_id, name: row.workspace_name },
  organization: { id: row.org_id, name: row.org_name },
});

const toDomain = (row: DomainRow): DomainRecord => ({
  id: row.id,
  resourceId: row.resource_id,
  domain: row.domain,
  source: row.domain_source,
  subdomainLabel: row.subdomain_label,
  platformDomainId: row.platform_domain_id,
  isPrimary: row.is_primary,
});

/** Picks the cluster: the one named, else loco's default. */
function chooseCluster(clusters: readonly ClusterRecord[], name: string | undefined): ClusterRecord {
  const known = clusters.map((c) => `${c.name}${c.isDefault ? " (default)" : ""}`).join(", ") || "none";
  if (name !== undefined) {
    const found = clusters.find((c) => c.name === name);
    if (!found) throw new SnapshotError(`no cluster named ${JSON.stringify(name)} in the database; clusters: ${known}`);
    return found;
  }
  const fallback = clusters.find((c) => c.isDefault);
  if (!fallback) throw new SnapshotError(`no default cluster in the database: name one with --cluster (clusters: ${known})`);
  return fallback;
}

/**
 * Reads one cluster's records, the cluster named or loco's default. Call it inside the caller's read-only
 * transaction: the schema check and every query then see the same moment.
 */
export async function readLocoCluster(client: ClientBase, clusterName?: string): Promise<LocoClusterRecords> {
  const schema = await requireSupportedLocoSchema(client);
  const clusters = (
    await client.query<ClusterRow>(
      `SELECT id, name, region, provider, is_active, is_default, endpoint, health_status::text AS health_status, last_health_check
       FROM clusters ORDER BY name`,
    )
  ).rows.map(toCluster);
  const cluster = chooseCluster(clusters, clusterName);

  const deployments = (
    await client.query<DeploymentRow>(
      `SELECT d.id, d.resource_region_id, d.region, d.replicas, d.status::text AS status, d.message, d.spec, d.spec_version, d.created_at,
              r.id AS resource_id, r.name AS resource_name, r.type::text AS resource_type, r.status::text AS resource_status, r.spec AS resource_spec,
              w.id AS workspace_id, w.name AS workspace_name, o.id AS org_id, o.name AS org_name
       FROM deployments d
       JOIN resources r ON r.id = d.resource_id
       JOIN workspaces w ON w.id = r.workspace_id
       JOIN organizations o ON o.id = w.org_id
       WHERE d.cluster_id = $1 AND d.is_active
       ORDER BY d.id`,
      [cluster.id],
    )
  ).rows.map(toDeployment);

  const domains = (
    await client.query<DomainRow>(
      `SELECT rd.id, rd.resource_id, rd.domain, rd.domain_source::text AS domain_source, rd.subdomain_label, rd.platform_domain_id, rd.is_primary
       FROM resource_domains rd
       WHERE rd.resource_id IN (SELECT resource_id FROM deployments WHERE cluster_id = $1 AND is_active)
       ORDER BY rd.id`,
      [cluster.id],
    )
  ).rows.map(toDomain);

  const platformDomains = (
    await client.query<{ id: string; domain: string; is_active: boolean }>("SELECT id, domain, is_active FROM platform_domains ORDER BY id")
  ).rows.map((row): PlatformDomainRecord => ({ id: row.id, domain: row.domain, isActive: row.is_active }));

  const history = await client.query<{ inactive: string }>(
    "SELECT count(*) AS inactive FROM deployments WHERE cluster_id = $1 AND NOT is_active",
    [cluster.id],
  );
  return { schema, clusters, cluster, deployments, domains, platformDomains, inactiveDeployments: Number(history.rows[0].inactive) };
}

/** The names loco gives resources (apps) and their workspaces, by resource id: for listings that show ids. */
export async function readResourceNames(
  client: ClientBase,
  resourceIds: readonly string[],
): Promise<Map<string, { readonly name: string; readonly workspace: string }>> {
  await requireSupportedLocoSchema(client);
  const { rows } = await client.query<{ id: string; name: string; workspace: string }>(
    `SELECT r.id, r.name, w.name AS workspace FROM resources r JOIN workspaces w ON w.id = r.workspace_id WHERE r.id = ANY($1::bigint[])`,
    [[...resourceIds]],
  );
  return new Map(rows.map((row) => [row.id, { name: row.name, workspace: row.workspace }]));
}
