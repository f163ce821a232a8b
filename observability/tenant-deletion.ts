/**
 * Deleting a tenant's telemetry: when loco deletes a workspace or an app, every row it left in every telemetry
 * table goes. `ALTER TABLE ... DELETE` is a mutation: the affected parts are rewritten without the rows, so the
 * data is gone from disk, not just hidden. Run it as the ClickHouse admin user (`npm run clickhouse:schema --
 * --delete-app <id>` prints it). Backups on Spaces still hold the rows until they expire
 * (`loco:observability.backups.keepDays`).
 */
import { tenantColumns } from "../lib/tenant-attributes";
import { allTelemetryTables, qualified, sqlString } from "./clickhouse-schema";

export type TenantScope = { readonly workspaceId: string } | { readonly appId: string };

/** What loco's ids look like (UUIDs, ULIDs, slugs). Anything else is refused rather than quoted and hoped for. */
const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

function scopeCondition(scope: TenantScope): string {
  const [column, id] = "appId" in scope ? [tenantColumns.appId, scope.appId] : [tenantColumns.workspaceId, scope.workspaceId];
  // An empty id would match every row without a tenant: the platform's own telemetry.
  if (!idPattern.test(id)) throw new Error(`refusing to delete telemetry for ${column} ${JSON.stringify(id)}: not a tenant id`);
  return `${column} = ${sqlString(id)}`;
}

/**
 * One statement per table. `mutations_sync = 2` makes each return only once the rows are gone on every replica,
 * so whoever runs it knows the deletion finished.
 */
export function tenantDeletionStatements(scope: TenantScope): string[] {
  const condition = scopeCondition(scope);
  return allTelemetryTables.map((table) => `ALTER TABLE ${qualified(table)} DELETE WHERE ${condition} SETTINGS mutations_sync = 2`);
}
