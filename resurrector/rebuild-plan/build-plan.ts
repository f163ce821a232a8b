/**
 * The rebuild plan of one cluster: from a snapshot of loco's database to what a rebuild would create. Pure: the
 * snapshot, the options and `now` in, the plan out; the same input gives byte-identical JSON.
 *
 * Every row is either rendered or reported in `skipped` with its reason, never dropped and never a reason to fail
 * the whole plan: an unknown spec_version, a missing image, a bad port or quantity, a suspended resource, a failed
 * deployment, a hostname two apps claim, an environment that cannot be opened. The steps, each in its own module:
 * select the apps (select-apps.ts), resolve their routes (resolve-routes.ts), render them (tenant-plans.ts), and
 * say which preserved certificates come back (certificates.ts).
 */
import type { ClusterSnapshot } from "../db/records";
import type { DomainContext } from "../render/domains";
import { compareStrings } from "../render/objects";
import { latestSchemaVersion } from "../schema/migrations";
import { certificateRestore, certificatesBySecret, unopenableCertificates, type CertificateRestore } from "./certificates";
import { chooseBaseDomain, environmentProblem, PlanError, type PlanOptions } from "./plan-options";
import { platformStack, type PlatformStack } from "./platform-stack";
import { resolveRoutes, siblingsByWorkspace } from "./resolve-routes";
import { byNumericId, type SkippedRow } from "./rows";
import { selectApps } from "./select-apps";
import { planTenants, type TenantPlan } from "./tenant-plans";

export const planFormat = "loco.resurrector.plan/v1";

export interface RebuildPlan {
  readonly format: typeof planFormat;
  /** The loco schema version the snapshot was read at (db/loco-schema.ts). */
  readonly locoSchema: string;
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

/** What the plan cannot know or trust about the database as a whole. */
function databaseWarnings(snapshot: ClusterSnapshot): string[] {
  const warnings: string[] = [];
  if (!snapshot.cluster.isActive) warnings.push(`cluster ${snapshot.cluster.name} is marked inactive in loco's database`);
  const store = snapshot.resurrector;
  if (!store) {
    warnings.push(
      "the resurrector schema is not in this database (run `npm run resurrector -- migrate`): stored environments and certificates unknown",
    );
  } else if (store.schemaVersion !== latestSchemaVersion) {
    warnings.push(`the resurrector schema is at version ${store.schemaVersion}; this resurrector expects ${latestSchemaVersion}`);
  }
  return warnings;
}

export function buildRebuildPlan(snapshot: ClusterSnapshot, options: PlanOptions): RebuildPlan {
  const environment = environmentProblem(options.environment);
  if (environment) throw new PlanError(environment);
  const skipped: SkippedRow[] = [];
  const skip = (row: SkippedRow) => skipped.push(row);
  const baseDomain = chooseBaseDomain(snapshot.platformDomains, options.baseDomain);
  const { cluster } = snapshot;
  const warnings = databaseWarnings(snapshot);

  const apps = selectApps(snapshot, options.masterKey, skip);
  const domains: DomainContext = {
    baseDomain,
    regionName: cluster.region,
    platformDomains: new Map(snapshot.platformDomains.map((d) => [d.id, d])),
    otherRegions: new Set(snapshot.clusters.map((c) => c.region).filter((region) => region !== cluster.region)),
  };
  const { routes, elsewhere } = resolveRoutes(apps, snapshot.domains, domains, skip);
  const certificates = snapshot.resurrector?.certificates ?? [];
  const { tenants, objectsByKind, namespaces } = planTenants(
    apps,
    {
      render: { environment: options.environment },
      routes,
      elsewhere,
      siblings: siblingsByWorkspace(apps, routes),
      preservedCertificates: certificatesBySecret(certificates),
      now: options.now,
    },
    skip,
  );
  if (options.masterKey) warnings.push(...unopenableCertificates(certificates, options.masterKey));

  skipped.sort((a, b) => compareStrings(a.table, b.table) || byNumericId(a, b));
  return {
    format: planFormat,
    locoSchema: snapshot.locoSchema,
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
        .filter((c) => !namespaces.has(c.namespace))
        .map((c) => certificateRestore(c, { baseDomain, regionName: cluster.region, now: options.now })),
    },
    store: {
      schemaVersion: snapshot.resurrector ? snapshot.resurrector.schemaVersion : null,
      expectedSchemaVersion: latestSchemaVersion,
      environments: snapshot.resurrector?.environments.length ?? 0,
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
