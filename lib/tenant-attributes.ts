/**
 * Tenant identity on telemetry: the OpenTelemetry resource attribute each tenant label (lib/tenant-labels.ts)
 * becomes once the collectors have read it from the pod, and the ClickHouse column it lands in. Anything that
 * sends telemetry on a tenant's behalf and cannot be matched to a tenant pod (the traffic layer's Envoy, for
 * instance) uses the same attribute keys; the collectors strip them from untrusted senders (see
 * observability/collector-config.ts).
 */
import { tenantLabels, type TenantLabel } from "./tenant-labels";

/** Resource attribute key per tenant label. */
export const tenantAttributes: Readonly<Record<TenantLabel, string>> = {
  orgId: "loco.org.id",
  workspaceId: "loco.workspace.id",
  appId: "loco.app.id",
  appName: "loco.app.name",
  deploymentId: "loco.deployment.id",
  environment: "loco.environment",
  region: "loco.region",
};

/** Dedicated ClickHouse column per tenant label (observability/clickhouse-schema.ts). */
export const tenantColumns: Readonly<Record<TenantLabel, string>> = {
  orgId: "OrgId",
  workspaceId: "WorkspaceId",
  appId: "AppId",
  appName: "AppName",
  deploymentId: "DeploymentId",
  environment: "Environment",
  region: "Region",
};

/** Every tenant label, in the order the columns are declared. */
export const tenantLabelOrder = Object.keys(tenantLabels) as TenantLabel[];
