/**
 * The platform's public host names, derived from the base domain. DNS records, Gateway listeners and
 * certificates all come from this one list so they cannot drift apart.
 */

/** Where loco's web app is served: the bare base domain, or `app.{baseDomain}`. */
export type WebAppHost = "apex" | "app";

export interface PublicNames {
  /** Host of loco's web app (the apex or `app.{baseDomain}`). */
  readonly webApp: string;
  /** loco's API. */
  readonly api: string;
  /** Grafana. */
  readonly dashboards: string;
  /** The Harbor registry. */
  readonly registry: string;
  /** The public status page. */
  readonly status: string;
  /** Wildcard for tenant apps: `{app}.{baseDomain}`. */
  readonly tenantWildcard: string;
  /** Wildcard for region-pinned tenant hosts: `{app}.{region}.{baseDomain}`. */
  readonly regionWildcard: string;
}

export function publicNames(baseDomain: string, regionName: string, webAppHost: WebAppHost): PublicNames {
  return {
    webApp: webAppHost === "apex" ? baseDomain : `app.${baseDomain}`,
    api: `api.${baseDomain}`,
    dashboards: `dashboards.${baseDomain}`,
    registry: `registry.${baseDomain}`,
    status: `status.${baseDomain}`,
    tenantWildcard: `*.${baseDomain}`,
    regionWildcard: `*.${regionName}.${baseDomain}`,
  };
}

/** The platform's own (non-wildcard) names by role, in a stable order. */
export function platformHosts(names: PublicNames): { role: string; hostname: string }[] {
  return [
    { role: "web-app", hostname: names.webApp },
    { role: "api", hostname: names.api },
    { role: "dashboards", hostname: names.dashboards },
    { role: "registry", hostname: names.registry },
    { role: "status", hostname: names.status },
  ];
}
