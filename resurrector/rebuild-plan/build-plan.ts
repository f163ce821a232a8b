/**
 * The rebuild plan of one cluster: from a snapshot of loco's database to what a rebuild would create. Pure: the
 * snapshot, the options and `now` in, the plan out; the same input gives byte-identical JSON.
 *
 * Every row is either rendered or reported in `skipped` with its reason, never dropped and never a reason to fail
 * the whole plan: an unknown spec_version, a missing image, a bad port or quantity, a suspended resource, a failed
 * deployment, a hostname two apps claim, an environment that cannot be opened.
 */
import { SealError, type MasterKey } from "../crypto/envelope";
import type { ActiveDeploymentRecord, ClusterSnapshot, DomainRecord, PlatformDomainRecord } from "../db/records";
import { reservedHostnames, resolveDomain, type DomainContext, type RouteAttachment, type TenantRoute } from "../render/domains";
import { appObjectName, normalizeHostname, tenantNamespace } from "../render/names";
import { compareObjectRefs, compareStrings, objectRef, type ObjectRef } from "../render/objects";
import { parseServiceSpec, type ServiceSpec } from "../render/service-spec";
import { environmentProblems, renderTenantApp, serviceUrl, userDomainTlsSecretName, type SiblingApp } from "../render/tenant-app";
import { latestSchemaVersion } from "../schema/migrations";
import { openCertificate, type SealedCertificate } from "../store/certificates";
import { openEnvironment, type SealedEnvironment } from "../store/environments";
import { platformStack, type PlatformStack } from "./platform-stack";
import { publicCertificate, publicCertificateDnsNames } from "../../lib/public-certificate";

export const planFormat = "loco.resurrector.plan/v1";

export interface PlanOptions {
  /** The platform environment (dev, prod, local): the Pulumi stack to converge, LOCO_PROFILE, the environment label. */
  readonly environment: string;
  /** The base domain tenant apps live under; by default the one active platform domain that is not inside another. */
  readonly baseDomain?: string;
  /** With the master key, every stored environment and certificate is opened to prove a rebuild could restore it. */
  readonly masterKey?: MasterKey;
  /** The time certificates' validity is judged at. */
  readonly now: Date;
}

/** The plan cannot be made at all (as opposed to rows that are skipped). */
export class PlanError extends Error {
  override readonly name = "PlanError";
}

export interface SkippedRow {
  readonly table: string;
  readonly id: string;
  /** org/workspace/app, when the row belongs to an app. */
  readonly app?: string;
  readonly reason: string;
}

export interface CertificateRestore {
  readonly namespace: string;
  readonly secretName: string;
  readonly dnsNames: readonly string[];
  readonly notAfter: string;
  /**
   * valid: restored (through `loco:preservedCertificates`) and served; expired: cert-manager re-issues it;
   * undeclared: the platform declares no such certificate, so config validation would refuse it (see `reason`).
   */
  readonly state: "valid" | "expired" | "undeclared";
  /** Why an undeclared certificate cannot be restored. */
  readonly reason?: string;
}

export interface RoutePlan {
  readonly hostname: string;
  readonly attachment: RouteAttachment;
  readonly primary: boolean;
  /** wildcard: the Gateway's certificate; preserved: restored from the store; issued: cert-manager requests one. */
  readonly tls: "wildcard" | "preserved" | "issued";
}

export interface TenantPlan {
  readonly organization: { readonly id: string; readonly name: string };
  readonly workspace: { readonly id: string; readonly name: string };
  readonly app: { readonly id: string; readonly name: string };
  readonly deploymentId: string;
  readonly namespace: string;
  readonly image: string;
  readonly replicas: { readonly min: number; readonly max: number; readonly initial: number };
  readonly sleeps: boolean;
  readonly routes: readonly RoutePlan[];
  /** Hostnames of the app that other regions' clusters serve. */
  readonly servedElsewhere: readonly string[];
  /** none: nothing stored; sealed: stored, not opened (no key given); verified: opened with the key. */
  readonly environment: "none" | "sealed" | "verified";
  readonly objects: readonly ObjectRef[];
  readonly warnings: readonly string[];
}

export interface RebuildPlan {
  readonly format: typeof planFormat;
  readonly cluster: {
    readonly name: string;
    readonly region: string;
    readonly provider: string;
    readonly isActive: boolean;
    readonly isDefault: boolean;
    readonly healthStatus: string;
    readonly lastHealthCheck: string | null;
  };
  readonly environment: string;
  readonly baseDomain: string;
  readonly platform: PlatformStack & { readonly preservedCertificates: readonly CertificateRestore[] };
  readonly store: {
    /** null: the resurrector schema does not exist in this database. */
    readonly schemaVersion: number | null;
    readonly expectedSchemaVersion: number;
    readonly environments: number;
    readonly certificates: number;
    readonly verifiedWithKey: string | null;
  };
  readonly counts: {
    readonly activeDeployments: number;
    readonly inactiveDeployments: number;
    readonly tenants: number;
    readonly workspaces: number;
    readonly organizations: number;
    readonly skipped: number;
  };
  readonly tenants: readonly TenantPlan[];
  readonly objectsByKind: Readonly<Record<string, number>>;
  readonly skipped: readonly SkippedRow[];
  readonly warnings: readonly string[];
}

const failedStatuses = new Set(["failed", "canceled"]);

/** Adds `value` to the list under `key`. */
function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
const appLabel = (d: ActiveDeploymentRecord) => `${d.organization.name}/${d.workspace.name}/${d.resource.name}`;
const byNumericId = (a: { id: string }, b: { id: string }) => a.id.length - b.id.length || compareStrings(a.id, b.id);

/** The base domain: given, or the one active platform domain that no other active platform domain contains. */
export function chooseBaseDomain(platformDomains: readonly PlatformDomainRecord[], given?: string): string {
  if (given) return normalizeHostname(given);
  const active = platformDomains.filter((d) => d.isActive).map((d) => normalizeHostname(d.domain));
  const roots = active.filter((domain) => !active.some((other) => other !== domain && domain.endsWith(`.${other}`)));
  if (roots.length === 1) return roots[0];
  throw new PlanError(
    roots.length === 0
      ? "no active platform domain in the database: give the base domain with --base-domain"
      : `several active platform domains (${roots.sort(compareStrings).join(", ")}): choose the base domain with --base-domain`,
  );
}

/** A deployment whose row checks passed. */
export interface Candidate {
  readonly record: ActiveDeploymentRecord;
  readonly spec: ServiceSpec;
}

/** Row checks that need no other row: type, status, region, spec. */
function checkDeployment(record: ActiveDeploymentRecord, clusterRegion: string): { spec: ServiceSpec } | { reasons: string[] } {
  if (record.resource.type !== "service") {
    return { reasons: [`resource type ${record.resource.type} is not rendered by this resurrector (services only)`] };
  }
  if (record.resource.status === "suspended")
    return { reasons: ["the resource is suspended: a rebuild leaves it down until loco resumes it"] };
  if (failedStatuses.has(record.status)) {
    return {
      reasons: [`the active deployment is ${record.status}${record.message ? ` (${record.message})` : ""}: nothing known-good to restore`],
    };
  }
  if (record.region !== clusterRegion)
    return { reasons: [`deployment region ${record.region} is not the cluster's region ${clusterRegion}`] };
  const parsed = parseServiceSpec(record.specVersion, record.spec);
  return parsed.ok ? { spec: parsed.spec } : { reasons: [...parsed.problems] };
}

/** One active deployment per resource: the newest wins, the others are reported. */
function newestPerResource(candidates: readonly Candidate[], skip: (row: SkippedRow) => void): Candidate[] {
  const byResource = new Map<string, Candidate[]>();
  for (const candidate of candidates) append(byResource, candidate.record.resource.id, candidate);
  const kept: Candidate[] = [];
  for (const group of byResource.values()) {
    const ordered = [...group].sort(
      (a, b) => b.record.createdAt.getTime() - a.record.createdAt.getTime() || byNumericId(b.record, a.record),
    );
    kept.push(ordered[0]);
    for (const older of ordered.slice(1)) {
      skip({
        table: "deployments",
        id: older.record.id,
        app: appLabel(older.record),
        reason: `resource ${older.record.resource.id} also has the newer active deployment ${ordered[0].record.id} on this cluster`,
      });
    }
  }
  return kept;
}

function resolveRoutes(
  apps: readonly Candidate[],
  domains: readonly DomainRecord[],
  context: DomainContext,
  skip: (row: SkippedRow) => void,
): { routes: Map<string, TenantRoute[]>; elsewhere: Map<string, string[]> } {
  const reserved = reservedHostnames(context.baseDomain, context.regionName);
  const appByResource = new Map(apps.map((app) => [app.record.resource.id, app.record]));
  const resolved: { record: DomainRecord; route: TenantRoute }[] = [];
  const elsewhere = new Map<string, string[]>();
  for (const domain of domains) {
    const owner = appByResource.get(domain.resourceId);
    if (!owner) continue;
    const result = resolveDomain(domain, context, reserved);
    if (result.ok) resolved.push({ record: domain, route: result.route });
    else if (result.elsewhere) append(elsewhere, domain.resourceId, normalizeHostname(domain.domain));
    else skip({ table: "resource_domains", id: domain.id, app: appLabel(owner), reason: result.reason });
  }
  // resource_domains.domain is unique as stored, but not after normalization (case, trailing dot).
  const claims = new Map<string, { record: DomainRecord; route: TenantRoute }[]>();
  for (const entry of resolved) append(claims, entry.route.hostname, entry);
  const routes = new Map<string, TenantRoute[]>();
  for (const [hostname, entries] of claims) {
    const owners = [...new Set(entries.map((e) => e.record.resourceId))];
    if (owners.length > 1) {
      const names = owners.map((id) => `${appLabel(appByResource.get(id) as ActiveDeploymentRecord)} (resource ${id})`).join(", ");
      for (const entry of entries) {
        skip({
          table: "resource_domains",
          id: entry.record.id,
          app: appLabel(appByResource.get(entry.record.resourceId) as ActiveDeploymentRecord),
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
        app: appLabel(appByResource.get(repeat.record.resourceId) as ActiveDeploymentRecord),
        reason: `hostname ${hostname} is already routed for this app by resource_domains ${first.record.id}`,
      });
    }
  }
  for (const list of routes.values()) list.sort((a, b) => compareStrings(a.hostname, b.hostname));
  return { routes, elsewhere };
}

/** How a sibling reaches an app: its Service, or its public hostname when it may sleep (only a routed request wakes it). */
function siblingUrl(app: Candidate, routes: readonly TenantRoute[]): string {
  const sleeps = app.spec.minReplicas === 0 && routes.length > 0;
  if (!sleeps)
    return serviceUrl(tenantNamespace(app.record.workspace.id, app.record.resource.name), appObjectName(app.record.resource.name));
  const primary = routes.find((r) => r.primary) ?? routes[0];
  return `https://${primary.hostname}`;
}

/** The apps of each workspace on this cluster, with the URL their siblings get for them. */
export function siblingsByWorkspace(
  apps: readonly Candidate[],
  routes: ReadonlyMap<string, readonly TenantRoute[]>,
): Map<string, SiblingApp[]> {
  const result = new Map<string, SiblingApp[]>();
  for (const app of apps) {
    const list = result.get(app.record.workspace.id) ?? [];
    list.push({ appName: app.record.resource.name, url: siblingUrl(app, routes.get(app.record.resource.id) ?? []) });
    result.set(app.record.workspace.id, list);
  }
  return result;
}

/** Where a route's certificate comes from on the new cluster. An expired preserved one is re-issued anyway. */
function routeTls(route: TenantRoute, namespace: string, preserved: ReadonlyMap<string, SealedCertificate>, now: Date): RoutePlan["tls"] {
  if (route.attachment !== "user-domain") return "wildcard";
  const certificate = preserved.get(`${namespace}/${userDomainTlsSecretName(route.hostname)}`);
  return certificate && certificate.notAfter.getTime() > now.getTime() ? "preserved" : "issued";
}

/**
 * A platform certificate the rebuild can hand back. Only the certificate the traffic layer declares
 * (lib/public-certificate.ts) with exactly its names can be restored: config validation refuses anything else.
 */
function certificateRestore(
  certificate: SealedCertificate,
  context: { baseDomain: string; regionName: string; now: Date },
): CertificateRestore {
  const dnsNames = [...certificate.dnsNames].sort(compareStrings);
  const expected = [...publicCertificateDnsNames(context.baseDomain, context.regionName)].sort(compareStrings);
  const restore = {
    namespace: certificate.namespace,
    secretName: certificate.secretName,
    dnsNames,
    notAfter: certificate.notAfter.toISOString(),
  };
  if (certificate.namespace !== publicCertificate.namespace || certificate.secretName !== publicCertificate.secretName) {
    const declared = `${publicCertificate.namespace}/${publicCertificate.secretName}`;
    return { ...restore, state: "undeclared", reason: `the platform's only certificate is ${declared}` };
  }
  if (dnsNames.join(",") !== expected.join(",")) {
    return { ...restore, state: "undeclared", reason: `its names differ from the platform's (${expected.join(", ")})` };
  }
  return { ...restore, state: certificate.notAfter.getTime() > context.now.getTime() ? "valid" : "expired" };
}

/** Opens an environment to prove it can be restored; the reason it cannot, or undefined. */
function environmentProblem(sealed: SealedEnvironment, key: MasterKey): string | undefined {
  try {
    const problems = environmentProblems(openEnvironment(key, sealed));
    return problems.length > 0 ? problems.join("; ") : undefined;
  } catch (error) {
    if (error instanceof SealError || error instanceof SyntaxError) return `the stored environment cannot be opened: ${error.message}`;
    return `the stored environment is unusable: ${(error as Error).message}`;
  }
}

export function buildRebuildPlan(snapshot: ClusterSnapshot, options: PlanOptions): RebuildPlan {
  const skipped: SkippedRow[] = [];
  const skip = (row: SkippedRow) => skipped.push(row);
  const warnings: string[] = [];
  const baseDomain = chooseBaseDomain(snapshot.platformDomains, options.baseDomain);
  const cluster = snapshot.cluster;
  if (!cluster.isActive) warnings.push(`cluster ${cluster.name} is marked inactive in loco's database`);

  const store = snapshot.resurrector;
  if (!store) {
    warnings.push(
      "the resurrector schema is not in this database (run `npm run resurrector -- migrate`): stored environments and certificates unknown",
    );
  } else if (store.schemaVersion !== latestSchemaVersion) {
    warnings.push(`the resurrector schema is at version ${store.schemaVersion}; this resurrector expects ${latestSchemaVersion}`);
  }

  const candidates: Candidate[] = [];
  for (const record of [...snapshot.deployments].sort(byNumericId)) {
    const checked = checkDeployment(record, cluster.region);
    if ("reasons" in checked) skip({ table: "deployments", id: record.id, app: appLabel(record), reason: checked.reasons.join("; ") });
    else candidates.push({ record, spec: checked.spec });
  }
  let apps = newestPerResource(candidates, skip);

  const environments = new Map((store?.environments ?? []).map((e) => [e.resourceId, e]));
  if (options.masterKey) {
    const key = options.masterKey;
    apps = apps.filter((app) => {
      const sealed = environments.get(app.record.resource.id);
      const problem = sealed && environmentProblem(sealed, key);
      if (problem) skip({ table: "deployments", id: app.record.id, app: appLabel(app.record), reason: problem });
      return !problem;
    });
  }

  const context: DomainContext = {
    baseDomain,
    regionName: cluster.region,
    platformDomains: new Map(snapshot.platformDomains.map((d) => [d.id, d])),
    otherRegions: new Set(snapshot.clusters.map((c) => c.region).filter((region) => region !== cluster.region)),
  };
  const { routes, elsewhere } = resolveRoutes(apps, snapshot.domains, context, skip);

  const siblings = siblingsByWorkspace(apps, routes);

  const certificates = store?.certificates ?? [];
  const preserved = new Map(certificates.map((c) => [`${c.namespace}/${c.secretName}`, c]));
  const tenants: TenantPlan[] = [];
  const objectsByKind = new Map<string, number>();
  const tenantNamespaces = new Set<string>();
  for (const app of apps) {
    const { record, spec } = app;
    const appRoutes = routes.get(record.resource.id) ?? [];
    const sealed = environments.get(record.resource.id);
    const rendered = renderTenantApp({
      deployment: { id: record.id, region: record.region, replicas: record.replicas },
      spec,
      resource: { id: record.resource.id, name: record.resource.name },
      workspace: record.workspace,
      organization: record.organization,
      routes: appRoutes,
      siblings: siblings.get(record.workspace.id) ?? [],
      environment: sealed ? { sealed: true } : undefined,
      context: { environment: options.environment },
    });
    if (!rendered.ok) {
      skip({ table: "deployments", id: record.id, app: appLabel(record), reason: rendered.problems.join("; ") });
      continue;
    }
    const refs = [
      ...rendered.app.objects.map(objectRef),
      ...rendered.app.secrets.filter((s) => !s.object).map((s) => ({ kind: "Secret", name: s.name, namespace: s.namespace })),
    ].sort(compareObjectRefs);
    for (const ref of refs) objectsByKind.set(ref.kind, (objectsByKind.get(ref.kind) ?? 0) + 1);
    tenantNamespaces.add(rendered.app.namespace);
    // Keys in sorted order, as the JSON prints them (see stableJson): thousands of these are not copied.
    tenants.push({
      app: { id: record.resource.id, name: record.resource.name },
      deploymentId: record.id,
      environment: !sealed ? "none" : options.masterKey ? "verified" : "sealed",
      image: rendered.app.image,
      namespace: rendered.app.namespace,
      objects: refs,
      organization: { id: record.organization.id, name: record.organization.name },
      replicas: { initial: rendered.app.replicas.initial, max: rendered.app.replicas.max, min: rendered.app.replicas.min },
      routes: appRoutes.map((route) => ({
        attachment: route.attachment,
        hostname: route.hostname,
        primary: route.primary,
        tls: routeTls(route, rendered.app.namespace, preserved, options.now),
      })),
      servedElsewhere: (elsewhere.get(record.resource.id) ?? []).sort(compareStrings),
      sleeps: rendered.app.sleeps,
      warnings: rendered.app.warnings,
      workspace: { id: record.workspace.id, name: record.workspace.name },
    });
  }
  tenants.sort(
    (a, b) =>
      compareStrings(a.organization.name, b.organization.name) ||
      compareStrings(a.workspace.name, b.workspace.name) ||
      compareStrings(a.app.name, b.app.name),
  );

  if (options.masterKey) {
    for (const certificate of certificates) {
      try {
        openCertificate(options.masterKey, certificate);
      } catch (error) {
        warnings.push(
          `preserved certificate ${certificate.namespace}/${certificate.secretName} cannot be opened (${(error as Error).message}): cert-manager will issue a new one`,
        );
      }
    }
  }

  skipped.sort((a, b) => compareStrings(a.table, b.table) || byNumericId(a, b));
  return {
    format: planFormat,
    cluster: {
      name: cluster.name,
      region: cluster.region,
      provider: cluster.provider,
      isActive: cluster.isActive,
      isDefault: cluster.isDefault,
      healthStatus: cluster.healthStatus,
      lastHealthCheck: cluster.lastHealthCheck?.toISOString() ?? null,
    },
    environment: options.environment,
    baseDomain,
    platform: {
      ...platformStack(options.environment),
      // Platform certificates (the Gateway's wildcards) live outside tenant namespaces.
      preservedCertificates: certificates
        .filter((c) => !tenantNamespaces.has(c.namespace))
        .map((c) => certificateRestore(c, { baseDomain, regionName: cluster.region, now: options.now })),
    },
    store: {
      schemaVersion: store ? store.schemaVersion : null,
      expectedSchemaVersion: latestSchemaVersion,
      environments: store?.environments.length ?? 0,
      certificates: certificates.length,
      verifiedWithKey: options.masterKey?.id ?? null,
    },
    counts: {
      activeDeployments: snapshot.deployments.length,
      inactiveDeployments: snapshot.inactiveDeployments,
      tenants: tenants.length,
      workspaces: new Set(tenants.map((t) => t.workspace.id)).size,
      organizations: new Set(tenants.map((t) => t.organization.id)).size,
      skipped: skipped.length,
    },
    tenants,
    objectsByKind: Object.fromEntries([...objectsByKind].sort(([a], [b]) => compareStrings(a, b))),
    skipped,
    warnings,
  };
}
