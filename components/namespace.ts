/** A namespace for a platform add-on, labelled for Pod Security admission and ownership. */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

export interface PlatformNamespaceArgs {
  /**
   * The Kubernetes name, independent of the Pulumi name: other layers and the resurrector find the namespace by it
   * (lib/platform-namespaces.ts).
   */
  readonly name: string;
  /** Pod Security Standard enforced on every pod in the namespace. Use the strictest the add-on runs under. */
  readonly podSecurity: PodSecurityLevel;
  /**
   * More labels, e.g. the label that lets the shared Gateway admit this namespace's routes.
   * @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Declares the namespace as `resourceName` (a `${parent}-<role>` Pulumi name); `args.name` is what the cluster sees. */
export function platformNamespace(
  resourceName: string,
  args: PlatformNamespaceArgs,
  opts?: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    resourceName,
    {
      metadata: {
        name: args.name,
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
