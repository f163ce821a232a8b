import { knownString, valueAt, type ResourcePolicy } from "../resource";

const enforceLabel = "pod-security.kubernetes.io/enforce";
const levels = ["privileged", "baseline", "restricted"];

export const namespacesPodSecurity: ResourcePolicy = {
  kind: "resource",
  name: "namespaces-pod-security",
  description: `Every namespace the program creates, platform or tenant, carries a Pod Security level (${enforceLabel}), so the API server refuses pods above it.`,
  fix: `label the namespace ${enforceLabel}: restricted (baseline where a chart needs it; privileged only for node agents), and declare namespaces as Namespace resources rather than createNamespace`,
  check(resource) {
    if (resource.type === "kubernetes:helm.sh/v3:Release" && resource.inputs.createNamespace === true) {
      return [
        {
          message: `createNamespace makes Helm create namespace ${String(knownString(resource.inputs.namespace))} without a Pod Security label`,
        },
      ];
    }
    if (resource.type !== "kubernetes:core/v1:Namespace") return [];
    const label = valueAt(resource.inputs, "metadata", "labels", enforceLabel);
    const level = knownString(label);
    const namespace = knownString(valueAt(resource.inputs, "metadata", "name")) ?? resource.name;
    if (label === undefined) return [{ message: `namespace ${namespace} has no ${enforceLabel} label` }];
    if (level !== undefined && !levels.includes(level))
      return [{ message: `namespace ${namespace} has ${enforceLabel}: ${level}, which is not one of ${levels.join(", ")}` }];
    return [];
  },
};
