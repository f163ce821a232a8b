/**
 * Installs a pinned upstream chart as a real Helm release (`helm.v3.Release`). A release, rather than
 * `helm.v4.Chart`'s rendered objects, because the charts loco uses rely on Helm hooks (cert-manager's
 * startupapicheck, Envoy Gateway's certgen, Harbor's migrations) that only a release runs in order, and because
 * on-call can see and roll back a release with the helm CLI. The cost is a coarser `pulumi preview`; the offline
 * plan's helm/<release>.values.yaml is where a reviewer reads what changes.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { chartSource, type ChartPin } from "../charts/chart";

export interface ChartReleaseArgs {
  /**
   * The Helm release name (what `helm list` shows), always given and never derived from the Pulumi name: charts
   * derive Service names from it, runbooks name it, and it must not change when a component is renamed.
   */
  readonly releaseName: string;
  /** Namespace to install into. The caller creates (and labels) it; Helm never does. */
  readonly namespace: pulumi.Input<string>;
  /** Values from the chart module's pure values builder. Leaves may be Outputs (secrets stay secret). */
  readonly values: Record<string, unknown>;
  /**
   * Seconds Helm waits for the release's workloads to become ready before rolling back.
   * @default 600
   */
  readonly timeoutSeconds?: number;
  /**
   * Skip the chart's crds/ directory (when CRDs are installed separately).
   * @default false
   */
  readonly skipCrds?: boolean;
}

export function chartRelease(
  name: string,
  pin: ChartPin,
  args: ChartReleaseArgs,
  opts?: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    name,
    {
      // A fixed release name: `helm list`, runbooks and Service names stay stable across stacks.
      name: args.releaseName,
      namespace: args.namespace,
      ...chartSource(pin),
      values: args.values,
      createNamespace: false,
      skipCrds: args.skipCrds ?? false,
      // A failed install or upgrade rolls back instead of leaving a half-applied release behind.
      atomic: true,
      cleanupOnFail: true,
      timeout: args.timeoutSeconds ?? 600,
      maxHistory: 10,
    },
    opts,
  );
}
