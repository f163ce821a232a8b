/**
 * loco's own control plane on a cluster, as its API and controller expect it (../shared/upstream/loco): the
 * namespace loco's API runs in and writes `Application` objects into (its LOCO_NAMESPACE; loco's helmfile installs
 * into `loco-system`), and the `Application` custom resource its controller turns into a tenant's objects.
 */
export const locoNamespace = "loco-system";

export const locoApplication = {
  group: "infra.loco.io",
  version: "v1alpha1",
  apiVersion: "infra.loco.io/v1alpha1",
  kind: "Application",
  plural: "applications",
  /** The CRD loco's controller chart installs. */
  crdName: "applications.infra.loco.io",
} as const;

/** The name loco's API gives the Application of a resource: `resource-<resource id>`. */
export const applicationName = (resourceId: string) => `resource-${resourceId}`;
