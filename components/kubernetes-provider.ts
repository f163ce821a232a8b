/**
 * The one Kubernetes provider every in-cluster resource uses. Dev and prod reach DOKS through an exec-credential
 * kubeconfig (see components/cluster.ts); the local stack names an existing kubeconfig context explicitly. The
 * project disables the default Kubernetes provider, so nothing ever lands on whatever context is current.
 *
 * On DOKS a real run first checks that the cluster is reachable with that kubeconfig (components/cluster-preflight.ts)
 * and stops with a clear message if not: an unreachable cluster must never look like a cluster without objects.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { probeClusterAccess, type ClusterPreflight } from "./cluster-preflight";

export type KubernetesAccess =
  | {
      /** A DOKS cluster this stack built (dev, prod). */
      readonly kind: "doks";
      /** Exec-credential kubeconfig (secret). */
      readonly kubeconfig: pulumi.Input<string>;
      /** The DOKS cluster id: the provider is replaced, and every object recreated, only when this changes. */
      readonly clusterId: pulumi.Input<string>;
      /**
       * Drop the objects of an unreachable cluster from state: only for a deliberate rebuild of a cluster that is
       * really gone (LOCO_DELETE_UNREACHABLE, read by stacks/config.ts). Then a failing preflight only warns.
       */
      readonly deleteUnreachable: boolean;
      /**
       * Checks the kubeconfig before the provider uses it.
       * @default the real probe when connected to a Pulumi engine; none under the offline plan's mocks
       */
      readonly preflight?: ClusterPreflight;
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
      /** As for DOKS: drop the objects of a cluster that is gone (a deleted kind cluster). */
      readonly deleteUnreachable: boolean;
    };

export function kubernetesProvider(name: string, access: KubernetesAccess, opts?: pulumi.CustomResourceOptions): k8s.Provider {
  if (access.kind === "context") return new k8s.Provider(name, kubernetesProviderArgs(access), opts);
  const preflight = access.preflight ?? (pulumi.runtime.hasEngine() ? (kubeconfig: string) => probeClusterAccess(kubeconfig) : undefined);
  const kubeconfig = preflight ? checkedKubeconfig(access.kubeconfig, access.deleteUnreachable, preflight) : access.kubeconfig;
  return new k8s.Provider(name, kubernetesProviderArgs({ ...access, kubeconfig }), opts);
}

/**
 * The kubeconfig, once `preflight` has passed: the provider (and so every Kubernetes object) waits for it. A failure
 * stops the run with the preflight's message, unless this is a deliberate rebuild of a lost cluster (a warning then).
 */
export function checkedKubeconfig(
  kubeconfig: pulumi.Input<string>,
  deleteUnreachable: boolean,
  preflight: ClusterPreflight,
): pulumi.Output<string> {
  return pulumi.output(kubeconfig).apply(async (config) => {
    try {
      await preflight(config);
    } catch (error) {
      const message = `cluster preflight: ${(error as Error).message}`;
      if (!deleteUnreachable) throw new pulumi.RunError(message);
      await pulumi.log.warn(`${message} (continuing: LOCO_DELETE_UNREACHABLE=true, a deliberate rebuild)`);
    }
    return config;
  });
}

/** Pure: the provider's inputs for either kind of access. */
export function kubernetesProviderArgs(access: KubernetesAccess): k8s.ProviderArgs {
  // Left out rather than false when off: a provider kept in state for a lost cluster (a rebuild replaces it) is
  // configured from its state, and only then follows PULUMI_K8S_DELETE_UNREACHABLE, which the rebuild sets.
  const unreachable = access.deleteUnreachable ? { deleteUnreachable: true } : {};
  if (access.kind === "context") {
    return {
      context: access.context,
      kubeconfig: access.kubeconfigPath,
      clusterIdentifier: `context/${access.context}`,
      enableServerSideApply: true,
      ...unreachable,
    };
  }
  return {
    kubeconfig: access.kubeconfig,
    // Identity is the cluster id, so a changed kubeconfig (a rotated DigitalOcean token) is an in-place provider
    // update, while a rebuilt cluster (new id) replaces the provider and recreates every object on the new cluster.
    clusterIdentifier: access.clusterId,
    enableServerSideApply: true,
    ...unreachable,
  };
}
