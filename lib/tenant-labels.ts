/**
 * Tenant identity on Kubernetes objects: the contract between the tenant app renderer (which sets these labels
 * on each tenant namespace and pod) and the telemetry pipeline (which copies them into dedicated tenant columns).
 * Renaming a label here renames it in both places; existing namespaces keep the old label until re-rendered.
 */
export const tenantLabels = {
  orgId: "loco.dev/org-id",
  workspaceId: "loco.dev/workspace-id",
  appId: "loco.dev/app-id",
  appName: "loco.dev/app-name",
  deploymentId: "loco.dev/deployment-id",
  environment: "loco.dev/environment",
  region: "loco.dev/region",
} as const;

export type TenantLabel = keyof typeof tenantLabels;
