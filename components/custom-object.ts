/**
 * Declares one object of a CRD-defined kind (Gateway API, Envoy Gateway, cert-manager, KEDA). The objects are built
 * by pure functions typed with the kubernetes-models interfaces; this only hands them to Pulumi.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** An object with an explicit name; leaves may be Pulumi Outputs (their resources become dependencies). */
export interface CustomObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: pulumi.Input<string> };
}

export function customObject<T extends CustomObject>(
  name: string,
  object: T,
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(name, { ...object } as unknown as k8s.apiextensions.CustomResourceArgs, opts);
}
