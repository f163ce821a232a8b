/**
 * What loco's API and controller may do in the cluster, and nothing more. They are the only platform workloads that
 * manage tenant namespaces; the UI gets no Kubernetes credentials at all.
 *
 * Read from loco's code at the pinned revision (team-loco/loco@e08302e), not from its charts (loco-core's ClusterRole
 * grants `*` on `*`):
 * - the controller: exactly its `+kubebuilder:rbac` markers (controller/internal/controller/application_controller.go),
 *   plus leader election in its own namespace. Its metrics endpoint is turned off, so it needs no TokenReview or
 *   SubjectAccessReview rights.
 * - the API (api/service, api/pkg): writes `Application` objects in loco's namespace only (deployment.go); its status
 *   watcher's informer lists and watches them cluster-wide (controller-runtime's cache is not namespaced there); it
 *   streams tenant pods' logs (pkg/klogmux: a pod informer and pods/log) and lists their events (resource.go).
 */
import type { IPolicyRule } from "kubernetes-models/rbac.authorization.k8s.io/v1/PolicyRule";
import { locoApplication } from "../lib/loco-system";

export type PolicyRule = Required<Pick<IPolicyRule, "apiGroups" | "resources" | "verbs">> & Pick<IPolicyRule, "resourceNames">;

const core = "";
const applications = locoApplication.plural;

/** The controller, cluster-wide: turns Applications into tenant namespaces and their objects, and deletes them. */
export const controllerClusterRules: readonly PolicyRule[] = [
  { apiGroups: [locoApplication.group], resources: [applications], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
  { apiGroups: [locoApplication.group], resources: [`${applications}/status`], verbs: ["get", "update", "patch"] },
  { apiGroups: [locoApplication.group], resources: [`${applications}/finalizers`], verbs: ["update"] },
  { apiGroups: [core], resources: ["namespaces"], verbs: ["get", "list", "watch", "create", "delete"] },
  { apiGroups: [core], resources: ["secrets", "services"], verbs: ["get", "list", "watch", "create", "update", "patch"] },
  { apiGroups: [core], resources: ["serviceaccounts"], verbs: ["get", "list", "watch", "create"] },
  {
    apiGroups: ["rbac.authorization.k8s.io"],
    resources: ["roles", "rolebindings"],
    verbs: ["get", "list", "watch", "create", "update", "patch"],
  },
  { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch", "create", "update", "patch"] },
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: ["get", "list", "watch", "create", "update", "patch"] },
];

/**
 * The controller, in loco's namespace: its leader-election Lease (client-go's lease lock gets, creates and updates
 * it) and the events that record leadership changes.
 */
export const controllerLeaderElectionRules: readonly PolicyRule[] = [
  { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update", "patch"] },
  { apiGroups: [core], resources: ["events"], verbs: ["create", "patch"] },
];

/** The API, cluster-wide: reads only. Tenant namespaces come and go, so these cannot be namespaced Roles. */
export const apiClusterRules: readonly PolicyRule[] = [
  { apiGroups: [locoApplication.group], resources: [applications], verbs: ["get", "list", "watch"] },
  { apiGroups: [core], resources: ["pods"], verbs: ["get", "list", "watch"] },
  { apiGroups: [core], resources: ["pods/log"], verbs: ["get"] },
  { apiGroups: [core], resources: ["events"], verbs: ["list"] },
];

/** The API, in loco's namespace: the only place it writes, one Application per deployed resource. */
export const apiNamespaceRules: readonly PolicyRule[] = [
  { apiGroups: [locoApplication.group], resources: [applications], verbs: ["create", "update", "delete"] },
];

/** Pure: why a rule set is not least privilege (a wildcard anywhere), or an empty list. */
export function wildcardProblems(rules: readonly PolicyRule[]): string[] {
  return rules.flatMap((rule, i) =>
    (["apiGroups", "resources", "verbs"] as const)
      .filter((field) => rule[field].includes("*"))
      .map((field) => `rule ${i} has "*" in ${field}`),
  );
}
