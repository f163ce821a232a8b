/**
 * What a replay writes, app by app, from one snapshot of loco's database: the rebuild plan decides which apps run
 * on the cluster and where their hostnames attach (the same rules as `plan`), then each app becomes either loco's
 * `Application` (mode `application`) or the renderer's objects with their Secrets filled (mode `objects`).
 *
 * Rows the plan does not render are reported, never dropped: those it leaves out on purpose (a suspended resource,
 * a failed or canceled deployment, another region's, one superseded by a newer active deployment, a type this
 * resurrector does not run) as skipped; rows that should run but cannot (a bad spec, an environment that does not
 * open) as failed, with the plan's reason.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { locoNamespace as defaultLocoNamespace } from "../../lib/loco-system";
import type { MasterKey } from "../crypto/envelope";
import type { ActiveDeploymentRecord, ClusterSnapshot } from "../db/records";
import { buildRebuildPlan, siblingsByWorkspace, type Candidate, type TenantPlan } from "../plan/build-plan";
import type { TenantRoute } from "../render/domains";
import { normalizeHostname } from "../render/names";
import type { TenantObject } from "../render/objects";
import { parseServiceSpec } from "../render/service-spec";
import { renderTenantApp } from "../render/tenant-app";
import { openEnvironment } from "../store/environments";
import { buildApplication } from "./loco-application";
import type { ReplayMode } from "./replay-report";
import { parseResourceSpec } from "./resource-spec";

export interface DesiredStateOptions {
  readonly mode: ReplayMode;
  /** The platform environment (dev, prod, local): LOCO_PROFILE and the environment label of rendered objects. */
  readonly environment: string;
  readonly baseDomain?: string;
  /** Opens the stored environments; without it an app with a stored environment cannot be replayed. */
  readonly masterKey?: MasterKey;
  readonly now: Date;
  /** loco's namespace, for Applications. */
  readonly locoNamespace?: string;
  /** `resources.spec` per resource id (loco's per-resource defaults), for Applications. */
  readonly resourceSpecs: ReadonlyMap<string, unknown>;
  /** The registry pull secret's `.dockerconfigjson` (mode objects); without it that Secret is not written. */
  readonly registryPullConfig?: string;
}

export interface DesiredApp {
  readonly resourceId: string;
  readonly app: string;
  readonly deploymentId: string;
  /** In apply order (a namespace before what lives in it). */
  readonly objects: readonly KubernetesObject[];
  readonly warnings: readonly string[];
}

export interface UnappliedApp {
  readonly resourceId: string;
  readonly app: string;
  readonly deploymentId: string;
  readonly outcome: "skipped" | "failed";
  readonly reason: string;
}

export interface DesiredState {
  readonly apps: readonly DesiredApp[];
  readonly unapplied: readonly UnappliedApp[];
  readonly warnings: readonly string[];
}

const appLabel = (record: ActiveDeploymentRecord) => `${record.organization.name}/${record.workspace.name}/${record.resource.name}`;

/** Rows the plan leaves out on purpose; any other row it leaves out is an app that should run and cannot. */
function leftOutOnPurpose(record: ActiveDeploymentRecord, clusterRegion: string, rendered: ReadonlyMap<string, TenantPlan>): boolean {
  const replayedDeployment = rendered.get(record.resource.id)?.deploymentId;
  return (
    record.resource.type !== "service" ||
    record.resource.status === "suspended" ||
    record.status === "failed" ||
    record.status === "canceled" ||
    record.region !== clusterRegion ||
    (replayedDeployment !== undefined && replayedDeployment !== record.id)
  );
}

/** A Secret written with `data`: a server-side apply of `stringData` is never seen as unchanged (the server moves it to data). */
function secretAsData(object: TenantObject): KubernetesObject {
  // kubernetes-models' metadata says strings where client-node's says Dates; on the wire both are JSON.
  if (object.kind !== "Secret" || !object.stringData) return object as KubernetesObject;
  const { stringData, ...rest } = object;
  return {
    ...rest,
    data: Object.fromEntries(Object.entries(stringData).map(([key, value]) => [key, Buffer.from(value).toString("base64")])),
  } as KubernetesObject;
}

export function desiredState(snapshot: ClusterSnapshot, options: DesiredStateOptions): DesiredState {
  const plan = buildRebuildPlan(snapshot, {
    environment: options.environment,
    baseDomain: options.baseDomain,
    masterKey: options.masterKey,
    now: options.now,
  });
  const records = new Map(snapshot.deployments.map((record) => [record.id, record]));
  const rendered = new Map(plan.tenants.map((tenant) => [tenant.app.id, tenant]));
  const warnings = [...plan.warnings];
  const unapplied: UnappliedApp[] = [];

  for (const row of plan.skipped) {
    const record = row.table === "deployments" ? records.get(row.id) : undefined;
    if (!record) {
      warnings.push(`${row.app ? `${row.app}: ` : ""}${row.table} ${row.id} not used: ${row.reason}`);
      continue;
    }
    unapplied.push({
      resourceId: record.resource.id,
      app: appLabel(record),
      deploymentId: record.id,
      outcome: leftOutOnPurpose(record, snapshot.cluster.region, rendered) ? "skipped" : "failed",
      reason: row.reason,
    });
  }

  const candidates: Candidate[] = plan.tenants.map((tenant) => {
    const record = records.get(tenant.deploymentId) as ActiveDeploymentRecord;
    const parsed = parseServiceSpec(record.specVersion, record.spec);
    if (!parsed.ok) throw new Error(`deployment ${record.id} was planned but its spec does not parse: ${parsed.problems.join("; ")}`);
    return { record, spec: parsed.spec };
  });
  const domainIds = new Map(snapshot.domains.map((domain) => [`${domain.resourceId}/${normalizeHostname(domain.domain)}`, domain.id]));
  const routes = new Map<string, TenantRoute[]>(
    plan.tenants.map((tenant) => [
      tenant.app.id,
      tenant.routes.map((route) => ({
        hostname: route.hostname,
        attachment: route.attachment,
        primary: route.primary,
        domainId: domainIds.get(`${tenant.app.id}/${route.hostname}`) ?? "",
      })),
    ]),
  );
  const siblings = options.mode === "objects" ? siblingsByWorkspace(candidates, routes) : new Map();
  const stored = new Map((snapshot.resurrector?.environments ?? []).map((sealed) => [sealed.resourceId, sealed]));
  if (options.mode === "objects" && options.registryPullConfig === undefined) {
    warnings.push("no registry pull configuration given: the loco-registry-pull Secret is not written (the registry layer provides it)");
  }

  const apps: DesiredApp[] = [];
  for (const { record, spec } of candidates) {
    const tenant = rendered.get(record.resource.id) as TenantPlan;
    const identity = { resourceId: record.resource.id, app: appLabel(record), deploymentId: record.id };
    const fail = (reason: string) => unapplied.push({ ...identity, outcome: "failed", reason });
    const sealed = stored.get(record.resource.id);
    if (sealed && !options.masterKey) {
      fail("its environment is sealed in the store and no master key was given (LOCO_RESURRECTOR_KEY): it would run without it");
      continue;
    }
    const environment = sealed && options.masterKey ? openEnvironment(options.masterKey, sealed) : undefined;
    const appRoutes = routes.get(record.resource.id) ?? [];

    if (options.mode === "application") {
      const resourceSpec = parseResourceSpec(options.resourceSpecs.get(record.resource.id));
      if (!resourceSpec.ok) {
        fail(resourceSpec.problems.join("; "));
        continue;
      }
      const hostname = (appRoutes.find((route) => route.primary) ?? appRoutes[0])?.hostname;
      const built = buildApplication({
        namespace: options.locoNamespace ?? defaultLocoNamespace,
        resourceId: record.resource.id,
        workspaceId: record.workspace.id,
        region: record.region,
        spec,
        rawSpec: record.spec,
        resourceSpec: resourceSpec.spec,
        hostname,
        environment,
      });
      if (!built.ok) fail(built.problems.join("; "));
      else
        apps.push({
          ...identity,
          objects: [built.application],
          warnings: hostname ? [] : ["no hostname routed on this cluster: the Application has no routing"],
        });
      continue;
    }

    const render = renderTenantApp({
      deployment: { id: record.id, region: record.region, replicas: record.replicas },
      spec,
      resource: { id: record.resource.id, name: record.resource.name },
      workspace: record.workspace,
      organization: record.organization,
      routes: appRoutes,
      siblings: siblings.get(record.workspace.id) ?? [],
      environment: environment ? { values: environment } : undefined,
      registryPullConfig: options.registryPullConfig,
      context: { environment: options.environment },
    });
    if (!render.ok) fail(render.problems.join("; "));
    else apps.push({ ...identity, objects: render.app.objects.map(secretAsData), warnings: [...tenant.warnings] });
  }
  return { apps, unapplied, warnings };
}
