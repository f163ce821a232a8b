/**
 * The core pool's placement written out, for tests that check an add-on lands there. Deliberately not built from
 * lib/core-pool.ts: a change to the contract (the label, the taint) must fail these tests, not pass them silently.
 */
export const expectedCorePoolPlacement = {
  nodeSelector: { "loco.dev/pool": "core" },
  tolerations: [{ key: "loco.dev/pool", operator: "Equal", value: "core", effect: "NoSchedule" }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: "loco.dev/pool", operator: "In", values: ["core"] }] }],
      },
    },
  },
} as const;
