/** A namespace for a platform add-on, labelled for Pod Security admission and ownership. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PlatformNamespaceArgs {
  /** Pod Security Standard enforced on every pod in the namespace. Use the strictest the add-on runs under. */
  readonly podSecurity: PodSecurityLevel;
  /**
   * More labels, e.g. the label that lets the shared Gateway admit this namespace's routes.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

export function platformNamespace(name: string, args: PlatformNamespaceArgs, opts?: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    name,
    {
      metadata: {
        name,
        labels: {
          "app.kubernetes.io/part-of": "loco-platform",
          "pod-security.kubernetes.io/enforce": args.podSecurity,
          "pod-security.kubernetes.io/warn": "restricted",
          ...args.labels,
        },
      },
    },
    opts,
  );
}
