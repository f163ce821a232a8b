/**
 * The scheduling contract between the cluster and every platform add-on.
 *
 * The cluster's built-in node pool is the small, stable "core" pool: it is labelled and tainted so that only
 * workloads that opt in (platform add-ons) run there, and tenant apps land on the autoscaled app pools. The
 * cluster component applies the label and taint; every add-on uses {@link corePoolPlacement} in its values.
 */

/** Label (and taint) key that names the pool a node belongs to. */
export const poolLabelKey = "loco.dev/pool";

/** Label value on core-pool nodes; also the taint value. */
export const corePoolName = "core";

/** Label value on app-pool nodes; tenant apps schedule here because they carry no core toleration. */
export const appPoolName = "apps";

/** Taint on the core pool: NoSchedule keeps tenant pods off without evicting DaemonSets that tolerate everything. */
export const corePoolTaint = { key: poolLabelKey, value: corePoolName, effect: "NoSchedule" } as const;

export interface Toleration {
  readonly key: string;
  readonly operator: "Equal" | "Exists";
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** Pod placement that puts an add-on on the core pool: tolerate its taint and require its label. */
export interface CorePoolPlacement {
  readonly nodeSelector: Record<string, string>;
  readonly tolerations: Toleration[];
  readonly affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: { matchExpressions: { key: string; operator: "In"; values: string[] }[] }[];
      };
    };
  };
}

/**
 * Tolerations, nodeSelector and node affinity for a platform add-on. Returns fresh objects each call so a
 * chart's values builder can extend them without mutating the contract.
 */
export function corePoolPlacement(): CorePoolPlacement {
  return {
    nodeSelector: { [poolLabelKey]: corePoolName },
    tolerations: [{ key: corePoolTaint.key, operator: "Equal", value: corePoolTaint.value, effect: corePoolTaint.effect }],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: poolLabelKey, operator: "In", values: [corePoolName] }] }],
        },
      },
    },
  };
}
