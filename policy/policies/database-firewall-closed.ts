import { formatPath, itemsOf, knownString, type ResourcePolicy } from "../resource";

const firewallType = "digitalocean:index/databaseFirewall:DatabaseFirewall";

/** An address range that admits every address: any CIDR with prefix length 0 (0.0.0.0/0, ::/0, 10.0.0.0/0). */
export function admitsEveryAddress(source: string): boolean {
  const [, prefix] = source.trim().split("/");
  return prefix !== undefined && /^0+$/.test(prefix);
}

export const databaseFirewallClosed: ResourcePolicy = {
  kind: "resource",
  name: "database-firewall-not-open-to-world",
  description: "The managed database's firewall never admits every address (0.0.0.0/0, ::/0): only the cluster and named sources.",
  fix: "admit the cluster (rule type k8s) or specific addresses (e.g. 198.51.100.7/32) through loco:database.trustedSources",
  check(resource) {
    if (resource.type !== firewallType) return [];
    return itemsOf(resource.inputs.rules).flatMap((rule, i) => {
      const type = knownString((rule as Record<string, unknown>)?.type);
      const value = knownString((rule as Record<string, unknown>)?.value);
      if (type !== "ip_addr" || value === undefined || !admitsEveryAddress(value)) return [];
      return [{ message: `${formatPath(["rules", String(i)])} admits ${value}, which is every address on the internet` }];
    });
  },
};
