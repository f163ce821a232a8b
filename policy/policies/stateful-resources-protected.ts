import type { ResourcePolicy } from "../resource";
import { isProductionStack } from "../stack-environment";

/** Resource types that hold what a rebuild cannot recreate: data, addresses, the cluster itself. */
export const statefulTypes: Readonly<Record<string, string>> = {
  "digitalocean:index/kubernetesCluster:KubernetesCluster": "the cluster",
  "digitalocean:index/vpc:Vpc": "the VPC",
  "digitalocean:index/databaseCluster:DatabaseCluster": "the database of record",
  "digitalocean:index/databaseDb:DatabaseDb": "a database and its data",
  "digitalocean:index/spacesBucket:SpacesBucket": "a bucket and its objects",
  "digitalocean:index/loadBalancer:LoadBalancer": "the load balancer and its public address",
  "pulumi-nodejs:dynamic/harbor:Project": "the registry project and every tenant image in it",
};

export const statefulResourcesProtected: ResourcePolicy = {
  kind: "resource",
  name: "stateful-resources-protected-in-prod",
  description:
    "In a prod stack, the cluster, VPC, databases, buckets, load balancer and registry project are protected, so `pulumi destroy` or a replacement stops instead of deleting them.",
  fix: "set the resource option `protect: true` (prod's components take it from the stack config); unprotecting is a deliberate `pulumi state unprotect <urn>`",
  check(resource, context) {
    const what = statefulTypes[resource.type];
    if (!what || !isProductionStack(context.stack) || resource.protect) return [];
    return [{ message: `${what} is not protected in the prod stack ${context.stack}` }];
  },
};
