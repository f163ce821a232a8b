/**
 * Where each of an app's hostnames attaches on the shared Gateway, decided from the domain row alone:
 * - a platform-provided `{label}.{baseDomain}` goes to the tenant wildcard listener;
 * - a platform-provided `{label}.{region}.{baseDomain}` (this cluster's region) goes to the region wildcard listener;
 * - a user-provided domain gets its own listener in the app's ListenerSet (lib/tenant-domains.ts).
 * Anything else cannot be served by this cluster's Gateway and is reported with the reason.
 */
import { platformHosts, publicNames } from "../../lib/public-names";
import type { DomainRecord, PlatformDomainRecord } from "../db/records";
import { isHostname, normalizeHostname } from "./names";

export type RouteAttachment = "tenant-wildcard" | "region-wildcard" | "user-domain";

export interface TenantRoute {
  readonly hostname: string;
  readonly attachment: RouteAttachment;
  readonly primary: boolean;
  /** The resource_domains row it came from. */
  readonly domainId: string;
}

export interface DomainContext {
  /** The environment's base domain: tenant apps live at `{label}.{baseDomain}`. */
  readonly baseDomain: string;
  /** loco's name for the cluster's region, as in `{label}.{region}.{baseDomain}`. */
  readonly regionName: string;
  readonly platformDomains: ReadonlyMap<string, PlatformDomainRecord>;
  /** Regions of loco's other clusters: their region hostnames are served there, not errors here. */
  readonly otherRegions: ReadonlySet<string>;
}

export type DomainResult =
  | { readonly ok: true; readonly route: TenantRoute }
  /** `elsewhere`: the hostname belongs to another region's cluster; not a problem with the row. */
  | { readonly ok: false; readonly reason: string; readonly elsewhere?: boolean };

/** The platform's own hostnames under the base domain; a tenant can never take one. */
export function reservedHostnames(baseDomain: string, regionName: string): ReadonlySet<string> {
  const hosts = [
    ...platformHosts(publicNames(baseDomain, regionName, "apex")),
    ...platformHosts(publicNames(baseDomain, regionName, "app")),
  ].map((h) => h.hostname);
  return new Set(hosts);
}

const isSingleLabel = (value: string) => value.length > 0 && !value.includes(".");

export function resolveDomain(record: DomainRecord, context: DomainContext, reserved: ReadonlySet<string>): DomainResult {
  const hostname = normalizeHostname(record.domain);
  if (!isHostname(hostname)) return { ok: false, reason: `"${record.domain}" is not a valid DNS hostname` };
  if (reserved.has(hostname)) return { ok: false, reason: `${hostname} is reserved for the platform itself` };
  const base = { hostname, primary: record.isPrimary, domainId: record.id };

  if (record.source === "user_provided") {
    if (hostname === context.baseDomain || hostname.endsWith(`.${context.baseDomain}`)) {
      return { ok: false, reason: `user-provided domain ${hostname} is inside the platform's base domain ${context.baseDomain}` };
    }
    return { ok: true, route: { ...base, attachment: "user-domain" } };
  }
  if (record.source !== "platform_provided") return { ok: false, reason: `unknown domain_source "${record.source}"` };

  const platformDomain = record.platformDomainId ? context.platformDomains.get(record.platformDomainId) : undefined;
  if (!platformDomain) return { ok: false, reason: `platform domain ${record.platformDomainId ?? "(none)"} does not exist` };
  if (!platformDomain.isActive) return { ok: false, reason: `platform domain ${platformDomain.domain} is not active` };
  const parent = normalizeHostname(platformDomain.domain);
  const regionDomain = `${context.regionName}.${context.baseDomain}`;
  const otherRegion = [...context.otherRegions].find((region) => {
    const suffix = `.${region}.${context.baseDomain}`;
    return region !== context.regionName && hostname.endsWith(suffix) && isSingleLabel(hostname.slice(0, -suffix.length));
  });
  if (otherRegion !== undefined)
    return { ok: false, reason: `${hostname} is served by the cluster of region ${otherRegion}`, elsewhere: true };
  if (parent !== context.baseDomain && parent !== regionDomain) {
    return { ok: false, reason: `platform domain ${parent} is not served by this environment (base domain ${context.baseDomain})` };
  }
  const regionLabel = hostname.endsWith(`.${regionDomain}`) ? hostname.slice(0, -(regionDomain.length + 1)) : undefined;
  if (regionLabel !== undefined && isSingleLabel(regionLabel)) return { ok: true, route: { ...base, attachment: "region-wildcard" } };
  const label = hostname.endsWith(`.${context.baseDomain}`) ? hostname.slice(0, -(context.baseDomain.length + 1)) : undefined;
  if (label !== undefined && isSingleLabel(label) && parent === context.baseDomain) {
    return { ok: true, route: { ...base, attachment: "tenant-wildcard" } };
  }
  return {
    ok: false,
    reason: `${hostname} is not covered by the Gateway's wildcard listeners (*.${context.baseDomain}, *.${regionDomain}): one label only`,
  };
}
