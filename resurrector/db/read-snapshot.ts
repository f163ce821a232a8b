/**
 * Reads what a rebuild of one cluster needs from loco's database, in ONE read-only, repeatable-read transaction:
 * every query sees the same moment, and the server itself refuses any write (the resurrector only needs SELECT
 * on these tables; see docs/resurrector.md for the grants). loco's tables are read through their adapter
 * (loco-tables.ts), which first refuses a loco schema it does not know; the resurrector's own schema beside them.
 */
import type { ClientBase } from "pg";
import { sealedCertificates } from "../store/certificates";
import { sealedEnvironments } from "../store/environments";
import { readLocoCluster } from "./loco-tables";
import type { ClusterSnapshot } from "./records";

async function readResurrectorState(client: ClientBase, resourceIds: readonly string[]): Promise<ClusterSnapshot["resurrector"]> {
  const { rows } = await client.query<{ present: boolean }>("SELECT to_regclass('resurrector.schema_migrations') IS NOT NULL AS present");
  if (!rows[0].present) return undefined;
  const version = await client.query<{ version: number | null }>("SELECT max(version) AS version FROM resurrector.schema_migrations");
  return {
    schemaVersion: version.rows[0].version ?? 0,
    environments: await sealedEnvironments(client, resourceIds),
    certificates: await sealedCertificates(client),
  };
}

/** Reads one cluster's snapshot. The transaction is always ended, also on error. */
export async function readClusterSnapshot(client: ClientBase, clusterName?: string): Promise<ClusterSnapshot> {
  await client.query("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
  try {
    const loco = await readLocoCluster(client, clusterName);
    const resourceIds = [...new Set(loco.deployments.map((d) => d.resource.id))];
    const resurrector = await readResurrectorState(client, resourceIds);
    await client.query("COMMIT");
    return {
      locoSchema: loco.schema.name,
      clusters: loco.clusters,
      cluster: loco.cluster,
      deployments: loco.deployments,
      domains: loco.domains,
      platformDomains: loco.platformDomains,
      inactiveDeployments: loco.inactiveDeployments,
      resurrector,
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
