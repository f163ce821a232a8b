import { entriesOf, itemsOf, reveal, UnknownInput, type Finding, type ResourcePolicy } from "../resource";

const zonePrefix = "com.cloudflare.api.account.zone.";

/**
 * The resource keys of one token policy. Provider v6 takes `resources` as a JSON string (older versions took a
 * map); both are read. Returns undefined when the value is not known yet, or an error when it is not JSON.
 */
function resourceKeys(resources: unknown): { keys?: string[]; error?: string } {
  const plain = reveal(resources);
  if (plain === undefined || plain instanceof UnknownInput) return {};
  if (typeof plain === "string") {
    try {
      const parsed: unknown = JSON.parse(plain);
      return parsed && typeof parsed === "object" && !Array.isArray(parsed)
        ? { keys: Object.keys(parsed) }
        : { error: "is not a JSON object of resources" };
    } catch {
      return { error: "is not valid JSON" };
    }
  }
  return { keys: entriesOf(plain).map(([key]) => key) };
}

export const cloudflareTokenOneZone: ResourcePolicy = {
  kind: "resource",
  name: "cloudflare-token-one-zone",
  description:
    "Every Cloudflare API token the program creates is scoped to exactly one zone (com.cloudflare.api.account.zone.<id>): never an account, every zone, or several.",
  fix: 'scope each token policy\'s resources to the one zone: JSON.stringify({ [`com.cloudflare.api.account.zone.${zoneId}`]: "*" })',
  check(resource) {
    if (resource.type !== "cloudflare:index/apiToken:ApiToken") return [];
    const findings: Finding[] = [];
    const zones = new Set<string>();
    itemsOf(resource.inputs.policies).forEach((policy, i) => {
      const { keys, error } = resourceKeys(entriesOf(policy).find(([k]) => k === "resources")?.[1]);
      if (error) findings.push({ message: `policies[${i}].resources ${error}` });
      for (const key of keys ?? []) {
        const zone = key.startsWith(zonePrefix) ? key.slice(zonePrefix.length) : undefined;
        if (!zone || zone.includes("*") || zone.includes("."))
          findings.push({ message: `policies[${i}] grants ${key}, which is not a single zone` });
        else zones.add(zone);
      }
      if (keys?.length === 0) findings.push({ message: `policies[${i}] lists no resources` });
    });
    if (zones.size > 1) findings.push({ message: `the token reaches ${zones.size} zones; it should reach one` });
    return findings;
  },
};
