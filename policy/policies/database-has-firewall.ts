import type { StackPolicy } from "../resource";

const clusterType = "digitalocean:index/databaseCluster:DatabaseCluster";
const firewallType = "digitalocean:index/databaseFirewall:DatabaseFirewall";

export const databaseHasFirewall: StackPolicy = {
  kind: "stack",
  name: "database-behind-firewall",
  description: "Every managed database cluster has a firewall: without one, DigitalOcean accepts connections to it from any address.",
  fix: "give the cluster a DatabaseFirewall that admits the Kubernetes cluster (components/database.ts does)",
  check(resources) {
    const guarded = new Set(resources.filter((r) => r.type === firewallType).flatMap((r) => r.dependencies));
    return resources
      .filter((r) => r.type === clusterType && !guarded.has(r.urn))
      .map((r) => ({ urn: r.urn, message: `database cluster ${r.name} has no DatabaseFirewall` }));
  },
};
