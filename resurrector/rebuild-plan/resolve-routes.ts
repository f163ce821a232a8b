/**
 * Which hostname is routed to which app: every resource_domains row of the apps being rebuilt, resolved to its
 * attachment on the shared Gateway (render/domains.ts), with conflicts settled (a hostname two apps claim goes to
 * neither), and the URL each app's siblings call it at.
 */
import type { DomainRecord } from "../db/records";
import type { SiblingApp } from "../render/app-input";
import { reservedHostnames, resolveDomain, type DomainContext, type TenantRoute } from "../render/domains";
import { normalizeHostname } from "../render/names";
import { compareStrings } from "../render/objects";
import { appKind, siblingUrlOf } from "../render/tenant-app";
import { append, appLabel, byNumericId, type Skip } from "./rows";
import type { Candidate } from "./select-apps";

export interface ResolvedRoutes {
  /** By resource id, in hostname order. */
  readonly routes: ReadonlyMap<string, readonly TenantRoute[]>;
  /** Hostnames, by resource id, that other regions' clusters serve. */
  readonly elsewhere: ReadonlyMap<string, readonly string[]>;
}

export function resolveRoutes(
  apps: readonly Candidate[],
  domains: readonly DomainRecord[],
  context: DomainContext,
  skip: Skip,
): ResolvedRoutes {
  const reserved = reservedHostnames(context.baseDomain, context.regionName);
  const appByResource = new Map(apps.map((app) => [app.record.resource.id, app]));
  const ownerLabel = (resourceId: string) => appLabel((appByResource.get(resourceId) as Candidate).record);
  const resolved: { record: DomainRecord; route: TenantRoute }[] = [];
  const elsewhere = new Map<string, string[]>();
  for (const domain of domains) {
    const owner = appByResource.get(domain.resourceId);
    if (!owner) continue;
    const unroutable = appKind(owner.spec).unroutable;
    if (unroutable) {
      skip({ table: "resource_domains", id: domain.id, app: appLabel(owner.record), reason: unroutable });
      continue;
    }
    const result = resolveDomain(domain, context, reserved);
    if (result.ok) resolved.push({ record: domain, route: result.route });
    else if (result.elsewhere) append(elsewhere, domain.resourceId, normalizeHostname(domain.domain));
    else skip({ table: "resource_domains", id: domain.id, app: appLabel(owner.record), reason: result.reason });
  }
  // resource_domains.domain is unique as stored, but not after normalization (case, trailing dot).
  const claims = new Map<string, { record: DomainRecord; route: TenantRoute }[]>();
  for (const entry of resolved) append(claims, entry.route.hostname, entry);
  const routes = new Map<string, TenantRoute[]>();
  for (const [hostname, entries] of claims) {
    const owners = [...new Set(entries.map((e) => e.record.resourceId))];
    if (owners.length > 1) {
      const names = owners.map((id) => `${ownerLabel(id)} (resource ${id})`).join(", ");
      for (const entry of entries) {
        skip({
          table: "resource_domains",
          id: entry.record.id,
          app: ownerLabel(entry.record.resourceId),
          reason: `hostname ${hostname} is claimed by ${owners.length} apps: ${names}; no route until loco resolves it`,
        });
      }
      continue;
    }
    const [first, ...repeats] = entries.sort((a, b) => byNumericId(a.record, b.record));
    append(routes, owners[0], first.route);
    for (const repeat of repeats) {
      skip({
        table: "resource_domains",
        id: repeat.record.id,
        app: ownerLabel(repeat.record.resourceId),
        reason: `hostname ${hostname} is already routed for this app by resource_domains ${first.record.id}`,
      });
    }
  }
  for (const list of routes.values()) list.sort((a, b) => compareStrings(a.hostname, b.hostname));
  for (const list of elsewhere.values()) list.sort(compareStrings);
  return { routes, elsewhere };
}

/** The apps of each workspace on this cluster that can be called, with the URL their siblings get for them. */
export function siblingsByWorkspace(
  apps: readonly Pick<Candidate, "record" | "spec">[],
  routes: ReadonlyMap<string, readonly TenantRoute[]>,
): Map<string, SiblingApp[]> {
  const result = new Map<string, SiblingApp[]>();
  for (const { record, spec } of apps) {
    const url = siblingUrlOf({
      workspaceId: record.workspace.id,
      appName: record.resource.name,
      spec,
      routes: routes.get(record.resource.id) ?? [],
    });
    if (url !== undefined) append(result, record.workspace.id, { appName: record.resource.name, url });
  }
  return result;
}
