/**
 * What a replay writes, app by app, from one snapshot of loco's database. The apps and their routes are chosen by
 * the rebuild plan's own steps (rebuild-plan/select-apps.ts, resolve-routes.ts: the same rules as `plan`), then
 * each app becomes either loco's `Application` (mode `application`) or the renderer's objects with their Secrets
 * filled (mode `objects`).
 *
 * Rows that are not written are reported, never dropped: those left out on purpose (a suspended resource, a failed
 * or canceled deployment, another region's, one superseded by a newer active deployment, a type this resurrector
 * does not run, and in mode application a worker, which loco's Application cannot carry) as skipped; rows that
 * should run but cannot (a bad spec, an environment that does not open, what loco itself would refuse) as failed.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { locoNamespace as defaultLocoNamespace } from "../../lib/loco-system";
import type { MasterKey } from "../crypto/envelope";
import type { ActiveDeploymentRecord, ClusterSnapshot } from "../db/records";
import { chooseBaseDomain, environmentProblem, PlanError } from "../rebuild-plan/plan-options";
import { resolveRoutes, siblingsByWorkspace } from "../rebuild-plan/resolve-routes";
import { appLabel, type SkippedRow } from "../rebuild-plan/rows";
import { selectApps, type Candidate } from "../rebuild-plan/select-apps";
import type { DomainContext } from "../render/domains";
import type { TenantObject } from "../render/objects";
import { parseAppSpec, renderTenantApp } from "../render/tenant-app";
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
  /** loco's namespace, for Applications. */
  readonly locoNamespace?: string;
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

/** Rows the plan leaves out on purpose; any other row it leaves out is an app that should run and cannot. */
function leftOutOnPurpose(record: ActiveDeploymentRecord, clusterRegion: string, replayed: ReadonlyMap<string, Candidate>): boolean {
  const replayedDeployment = replayed.get(record.resource.id)?.record.id;
  return (
    parseAppSpec(record.resource.type, record.specVersion, record.spec) === undefined ||
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

/** The run cannot be planned (options, base domain) or would replay apps without their environments. */
function startProblem(snapshot: ClusterSnapshot, options: DesiredStateOptions): string | undefined {
  const environment = environmentProblem(options.environment);
  if (environment) return environment;
  if (!snapshot.resurrector) {
    return "the resurrector schema is not in this database (run `npm run resurrector -- migrate`): the apps' stored environments are unknown, and apps replayed without them would run broken";
  }
  return undefined;
}

export function desiredState(snapshot: ClusterSnapshot, options: DesiredStateOptions): DesiredState {
  const problem = startProblem(snapshot, options);
  if (problem) throw new PlanError(problem);
  const { cluster } = snapshot;
  const skipped: SkippedRow[] = [];
  const skip = (row: SkippedRow) => skipped.push(row);
  const domains: DomainContext = {
    baseDomain: chooseBaseDomain(snapshot.platformDomains, options.baseDomain),
    regionName: cluster.region,
    platformDomains: new Map(snapshot.platformDomains.map((d) => [d.id, d])),
    otherRegions: new Set(snapshot.clusters.map((c) => c.region).filter((region) => region !== cluster.region)),
  };
  const candidates = selectApps(snapshot, options.masterKey, skip);
  const { routes } = resolveRoutes(candidates, snapshot.domains, domains, skip);
  const replayed = new Map(candidates.map((app) => [app.record.resource.id, app]));

  const warnings: string[] = [];
  if (!cluster.isActive) warnings.push(`cluster ${cluster.name} is marked inactive in loco's database`);
  const records = new Map(snapshot.deployments.map((record) => [record.id, record]));
  const unapplied: UnappliedApp[] = [];
  for (const row of skipped) {
    const record = row.table === "deployments" ? records.get(row.id) : undefined;
    if (!record) {
      warnings.push(`${row.app ? `${row.app}: ` : ""}${row.table} ${row.id} not used: ${row.reason}`);
      continue;
    }
    const outcome = leftOutOnPurpose(record, cluster.region, replayed) ? "skipped" : "failed";
    unapplied.push({ resourceId: record.resource.id, app: appLabel(record), deploymentId: record.id, outcome, reason: row.reason });
  }
  if (options.mode === "objects" && options.registryPullConfig === undefined) {
    warnings.push("no registry pull configuration given: the loco-registry-pull Secret is not written (the registry layer provides it)");
  }

  const siblings = options.mode === "objects" ? siblingsByWorkspace(candidates, routes) : new Map();
  const apps: DesiredApp[] = [];
  for (const { record, spec, environment } of candidates) {
    const identity = { resourceId: record.resource.id, app: appLabel(record), deploymentId: record.id };
    const leave = (outcome: UnappliedApp["outcome"], reason: string) => unapplied.push({ ...identity, outcome, reason });
    if (environment && !("values" in environment)) {
      leave("failed", "its environment is sealed in the store and no master key was given (LOCO_RESURRECTOR_KEY): it would run without it");
      continue;
    }
    const values = environment?.values;
    const appRoutes = routes.get(record.resource.id) ?? [];

    if (options.mode === "application") {
      if (spec.kind !== "service") {
        leave("skipped", `a ${spec.kind} cannot be an Application (loco's API deploys services only): replay it with --mode objects`);
        continue;
      }
      const resourceSpec = parseResourceSpec(record.resource.spec);
      if (!resourceSpec.ok) {
        leave("failed", resourceSpec.problems.join("; "));
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
        environment: values,
      });
      if (!built.ok) leave("failed", built.problems.join("; "));
      else {
        const routingWarning = hostname ? [] : ["no hostname routed on this cluster: the Application has no routing"];
        apps.push({ ...identity, objects: [built.application], warnings: routingWarning });
      }
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
      environment: values ? { values } : undefined,
      registryPullConfig: options.registryPullConfig,
      context: { environment: options.environment },
    });
    if (!render.ok) leave("failed", render.problems.join("; "));
    else apps.push({ ...identity, objects: render.app.objects.map(secretAsData), warnings: render.app.warnings });
  }
  return { apps, unapplied, warnings };
}
