/**
 * The one Kubernetes provider every in-cluster resource uses. Dev and prod reach DOKS through an exec-credential
 * kubeconfig (see components/cluster.ts); the local stack names an existing kubeconfig context explicitly. The
 * project disables the default Kubernetes provider, so nothing ever lands on whatever context is current.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export type KubernetesAccess =
  | {
      /** A DOKS cluster this stack built (dev, prod). */
      readonly kind: "doks";
      /** Exec-credential kubeconfig (secret). */
      readonly kubeconfig: pulumi.Input<string>;
      /** The DOKS cluster id: the provider is replaced, and every object recreated, only when this changes. */
      readonly clusterId: pulumi.Input<string>;
    }
  | {
      /** An existing cluster in a kubeconfig (local). */
      readonly kind: "context";
      /** kubeconfig context of an existing cluster (kind, k3d, minikube). */
      readonly context: string;
      /**
       * kubeconfig file holding `context`.
       * @default the provider's own lookup: KUBECONFIG, then ~/.kube/config
       */
      readonly kubeconfigPath?: string;
    };

export function kubernetesProvider(name: string, access: KubernetesAccess, opts?: pulumi.CustomResourceOptions): k8s.Provider {
  return new k8s.Provider(name, kubernetesProviderArgs(access), opts);
}

/** Pure: the provider's inputs for either kind of access. */
export function kubernetesProviderArgs(access: KubernetesAccess): k8s.ProviderArgs {
  if (access.kind === "context") {
    return {
      context: access.context,
      kubeconfig: access.kubeconfigPath,
      clusterIdentifier: `context/${access.context}`,
      enableServerSideApply: true,
    };
  }
  return {
    kubeconfig: access.kubeconfig,
    // Identity is the cluster id, so a changed kubeconfig (a rotated DigitalOcean token) is an in-place provider
    // update, while a rebuilt cluster (new id) replaces the provider and recreates every object on the new cluster.
    clusterIdentifier: access.clusterId,
    // After a cluster is lost its objects cannot be deleted from it; drop them from state instead of failing the
    // rebuild that replaces them.
    deleteUnreachable: true,
    enableServerSideApply: true,
  };
}
