/**
 * Who an app is, in Kubernetes terms: its namespace (one per workspace and app), the name of its per-app objects,
 * and the labels every object carries: the tenant labels of lib/tenant-labels.ts (read by the telemetry pipeline)
 * and a selector that survives new deployments.
 */
import { httpRoutesLabel, tenantNamespaceLabel } from "../../lib/shared-gateway";
import { tenantLabels } from "../../lib/tenant-labels";
import type { TenantAppInput } from "./app-input";
import { appObjectName, labelValue, tenantNamespace } from "./names";
import type { TenantObject } from "./objects";

export interface AppIdentity {
  readonly namespace: string;
  readonly name: string;
  /** Every object's labels: name, manager and the tenant labels. */
  readonly labels: Record<string, string>;
  /** The pods' selector: without the deployment id, so a new deployment rolls the same pods. */
  readonly selector: Record<string, string>;
  readonly tenant: Record<string, string>;
}

const podSecurity = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

export function appIdentity(input: TenantAppInput): AppIdentity {
  const name = appObjectName(input.resource.name);
  const tenant = {
    [tenantLabels.orgId]: input.organization.id,
    [tenantLabels.workspaceId]: input.workspace.id,
    [tenantLabels.appId]: input.resource.id,
    [tenantLabels.appName]: labelValue(input.resource.name),
    [tenantLabels.deploymentId]: input.deployment.id,
    [tenantLabels.environment]: labelValue(input.context.environment),
    [tenantLabels.region]: labelValue(input.deployment.region),
  };
  return {
    namespace: tenantNamespace(input.workspace.id, input.resource.name),
    name,
    tenant,
    selector: { "app.kubernetes.io/name": name, [tenantLabels.appId]: input.resource.id },
    labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "loco", ...tenant },
  };
}

/** The app's namespace: tenant labels, restricted Pod Security, and admitted by the shared Gateway's tenant listeners. */
export function namespaceObject(id: AppIdentity): TenantObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: id.namespace,
      labels: {
        ...id.labels,
        ...podSecurity,
        [tenantNamespaceLabel.key]: tenantNamespaceLabel.value,
        // cert-manager puts the HTTP-01 challenge routes of the app's own domains here; they attach on port 80.
        [httpRoutesLabel.key]: httpRoutesLabel.value,
      },
    },
  };
}
