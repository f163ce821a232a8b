import { knownString, type StackPolicy } from "../resource";

const clusterType = "digitalocean:index/kubernetesCluster:KubernetesCluster";
const loadBalancerType = "digitalocean:index/loadBalancer:LoadBalancer";

export const loadBalancerClusterSameRegion: StackPolicy = {
  kind: "stack",
  name: "load-balancer-cluster-same-region",
  description:
    "The regional load balancer is in the cluster's region: DigitalOcean can only send its traffic to nodes in its own region and VPC.",
  fix: "create the load balancer in the cluster's region (both come from loco:region)",
  check(resources) {
    const clusters = resources.filter((r) => r.type === clusterType && knownString(r.inputs.region) !== undefined);
    return resources
      .filter((r) => r.type === loadBalancerType)
      .flatMap((lb) => {
        const region = knownString(lb.inputs.region);
        // A global load balancer has no region to compare.
        if (region === undefined) return [];
        return clusters
          .filter((cluster) => knownString(cluster.inputs.region) !== region)
          .map((cluster) => ({
            urn: lb.urn,
            message: `load balancer ${lb.name} is in ${region} but cluster ${cluster.name} is in ${String(knownString(cluster.inputs.region))}`,
          }));
      });
  },
};
