/**
 * Phase 3 of a rebuild as a function: every tenant app of one cluster's active deployments, from a snapshot of
 * loco's database onto the cluster, by server-side apply. `replay` runs it alone; a rebuild runs it after the
 * platform converged. It returns a structured report and never throws for an app: one bad app is reported with its
 * reason and the others go on.
 *
 * 1. Desired state (desired-state.ts): loco's Applications (mode `application`, default) or the renderer's objects.
 * 2. Preflight, before any write, refusing with a {@link ReplayStartError}: the cluster answers and lets us in;
 *    for Applications, the CRD `applications.infra.loco.io` exists and serves v1alpha1 and loco's namespace exists;
 *    for objects, every kind to be written is served (the platform's CRDs are installed).
 * 3. What is there already: one LIST per kind, so each object is reported created, updated or unchanged.
 * 4. Apply with `concurrency` workers (each one app at a time, its objects in order, so at most `concurrency`
 *    requests are in flight), retries per object (apply-object.ts). When the API stops answering (2 x concurrency
 *    apps in a row failed without an answer), the rest are not attempted and the report says why.
 */
import { ApiextensionsV1Api, CoreV1Api, type KubernetesObject } from "@kubernetes/client-node";
import { locoApplication, locoNamespace as defaultLocoNamespace } from "../../lib/loco-system";
import { tenantLabels } from "../../lib/tenant-labels";
import type { MasterKey } from "../crypto/envelope";
import type { ClusterSnapshot } from "../db/records";
import { KubeClient } from "../kube/api-client";
import { kubeFailure } from "../kube/api-errors";
import type { KubeTarget } from "../kube/kubeconfig";
import { PlanError } from "../rebuild-plan/plan-options";
import { applyObject, fieldManager, objectKey, type ApplySettings } from "./apply-object";
import { desiredState, type DesiredApp } from "./desired-state";
import {
  replayFormat,
  sortApps,
  type AppOutcome,
  type AppResult,
  type ObjectResult,
  type ReplayMode,
  type ReplayReport,
} from "./replay-report";
import { defaultRetryPolicy, type RetryPolicy } from "./retry-policy";

export interface ReplayOptions {
  /** One consistent read of loco's database (resurrector/db/read-snapshot.ts). */
  readonly snapshot: ClusterSnapshot;
  /** The cluster to write to (resurrector/kube/kubeconfig.ts). */
  readonly target: KubeTarget;
  /**
   * `application`: loco's own Application objects, which loco's controller turns into the app; `objects`: the
   * renderer's objects, for a cluster without loco's controller.
   * @default "application"
   */
  readonly mode?: ReplayMode;
  /**
   * Apps applied at once; also the most requests in flight.
   * @default 16
   */
  readonly concurrency?: number;
  /**
   * Server-side dry run (dryRun=All): the API server validates every apply, nothing is stored.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Take over fields another field manager holds with other values (see apply-object.ts for why not by default).
   * @default false
   */
  readonly forceConflicts?: boolean;
  /** Opens the stored environments (LOCO_RESURRECTOR_KEY). */
  readonly masterKey?: MasterKey;
  /** The platform environment (dev, prod, local). */
  readonly environment: string;
  /** The base domain; by default the one active platform domain no other contains. */
  readonly baseDomain?: string;
  /**
   * loco's namespace, where its API writes Applications.
   * @default "loco-system"
   */
  readonly locoNamespace?: string;
  /** The registry pull secret's `.dockerconfigjson`, for mode objects. */
  readonly registryPullConfig?: string;
  /**
   * Deadline of each request, in milliseconds.
   * @default 30000
   */
  readonly requestTimeoutMs?: number;
  /** @default defaultRetryPolicy */
  readonly retry?: Partial<RetryPolicy>;
  /** Stops starting apps once aborted; those left are reported as not attempted. */
  readonly signal?: AbortSignal;
  /** Called as each app finishes (progress for a rebuild's log or webhook). */
  readonly onApp?: (result: AppResult) => void;
  /** The jitter's random source and the wait between attempts (tests replace them). */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The replay could not start: nothing was written. */
export class ReplayStartError extends Error {
  override readonly name = "ReplayStartError";
}

const describe = (error: unknown) => kubeFailure(error).message;

/** Refuses, before any write, a cluster the replay cannot work on. */
async function preflight(client: KubeClient, mode: ReplayMode, namespace: string, apps: readonly DesiredApp[]): Promise<void> {
  const unreachable = (error: unknown) =>
    new ReplayStartError(`cannot work with the cluster's API at ${client.target.server.origin}: ${describe(error)}`);
  if (mode === "application") {
    const extensions = new ApiextensionsV1Api(client.configuration);
    let crd;
    try {
      crd = await client.call(() => extensions.readCustomResourceDefinition({ name: locoApplication.crdName }));
    } catch (error) {
      if (kubeFailure(error).status !== 404) throw unreachable(error);
      throw new ReplayStartError(
        `the cluster has no CustomResourceDefinition ${locoApplication.crdName}: loco's controller (whose chart installs it) must run ` +
          "on the cluster before its Applications are written; or replay with --mode objects",
      );
    }
    if (!crd.spec.versions.some((v) => v.name === locoApplication.version && v.served)) {
      throw new ReplayStartError(`CustomResourceDefinition ${locoApplication.crdName} does not serve ${locoApplication.version}`);
    }
    try {
      await client.call(() => new CoreV1Api(client.configuration).readNamespace({ name: namespace }));
    } catch (error) {
      if (kubeFailure(error).status !== 404) throw unreachable(error);
      throw new ReplayStartError(
        `namespace ${namespace} does not exist: loco's API runs there and writes its Applications there; install loco first, or name its namespace with --loco-namespace`,
      );
    }
  }
  const kinds = new Map(apps.flatMap((app) => app.objects).map((o) => [`${o.apiVersion} ${o.kind}`, o]));
  const missing: string[] = [];
  for (const [name, object] of kinds) {
    try {
      if (!(await client.call(() => client.objects.serves(object.apiVersion as string, object.kind as string)))) missing.push(name);
    } catch (error) {
      throw unreachable(error);
    }
  }
  if (missing.length > 0) {
    throw new ReplayStartError(
      `the cluster does not serve ${missing.join(", ")}: converge the platform first (its layers install those CRDs)`,
    );
  }
}

/** What the cluster holds of the kinds to be written, by object key: one LIST per kind (tenant objects by their label). */
async function existingObjects(
  client: KubeClient,
  mode: ReplayMode,
  namespace: string,
  apps: readonly DesiredApp[],
): Promise<Map<string, KubernetesObject>> {
  const kinds = new Map(apps.flatMap((app) => app.objects).map((o) => [`${o.apiVersion} ${o.kind}`, o]));
  const existing = new Map<string, KubernetesObject>();
  for (const object of kinds.values()) {
    const apiVersion = object.apiVersion as string;
    const kind = object.kind as string;
    // One page: client-node loses the continue token of custom resource lists, and the API server sets no limit.
    const list = await client.call(() =>
      mode === "application"
        ? client.objects.list(apiVersion, kind, namespace)
        : client.objects.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, tenantLabels.appId),
    );
    for (const item of list.items) existing.set(objectKey({ ...item, apiVersion, kind }), item);
  }
  return existing;
}

function appOutcome(objects: readonly ObjectResult[]): AppOutcome {
  if (objects.some((o) => o.outcome === "failed" || o.outcome === "not attempted")) return "failed";
  if (objects.some((o) => o.outcome === "created")) return "created";
  if (objects.some((o) => o.outcome === "updated")) return "updated";
  return "unchanged";
}

const objectIdentity = (object: KubernetesObject) => ({
  apiVersion: object.apiVersion as string,
  kind: object.kind as string,
  ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
  name: object.metadata?.name ?? "",
});

const namespaceNotFound = /namespaces "([^"]+)" not found/;

/** One app's objects in order; after a failure the rest are not attempted (they depend on what came before). */
async function replayApp(
  client: KubeClient,
  app: DesiredApp,
  existing: ReadonlyMap<string, KubernetesObject>,
  settings: ApplySettings,
): Promise<{ result: AppResult; unreachable: boolean }> {
  const objects: ObjectResult[] = [];
  // In a dry run nothing is created, so objects inside a namespace the same app would create cannot be validated.
  const wouldCreateNamespaces = new Set<string>();
  let failure: { reason: string; unreachable: boolean } | undefined;
  for (const object of app.objects) {
    if (failure) {
      objects.push({ ...objectIdentity(object), outcome: "not attempted", attempts: 0 });
      continue;
    }
    const applied = await applyObject(client, object, existing.get(objectKey(object)), settings);
    const pendingNamespace = namespaceNotFound.exec(applied.reason ?? "")?.[1];
    if (settings.dryRun && applied.outcome === "failed" && pendingNamespace && wouldCreateNamespaces.has(pendingNamespace)) {
      objects.push({
        ...objectIdentity(object),
        outcome: "created",
        attempts: applied.attempts,
        reason: `not validated: its namespace ${pendingNamespace} does not exist yet (the replay creates it first)`,
      });
      continue;
    }
    if (object.kind === "Namespace" && applied.outcome === "created") wouldCreateNamespaces.add(object.metadata?.name ?? "");
    objects.push({
      ...objectIdentity(object),
      outcome: applied.outcome,
      attempts: applied.attempts,
      ...(applied.reason ? { reason: applied.reason } : {}),
    });
    if (applied.outcome === "failed")
      failure = {
        reason: `${object.kind} ${objectIdentity(object).namespace ?? ""}/${objectIdentity(object).name}: ${applied.reason ?? "failed"}`,
        unreachable: applied.unreachable,
      };
  }
  const outcome = appOutcome(objects);
  return {
    result: {
      resourceId: app.resourceId,
      app: app.app,
      deploymentId: app.deploymentId,
      outcome,
      ...(failure ? { reason: failure.reason } : {}),
      objects,
      warnings: app.warnings,
    },
    unreachable: failure?.unreachable === true,
  };
}

export async function replayTenants(options: ReplayOptions): Promise<ReplayReport> {
  const started = new Date();
  const clock = performance.now();
  const mode = options.mode ?? "application";
  const concurrency = options.concurrency ?? 16;
  const namespace = options.locoNamespace ?? defaultLocoNamespace;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new ReplayStartError(`concurrency must be a whole number from 1 (got ${concurrency})`);

  let desired;
  try {
    desired = desiredState(options.snapshot, {
      mode,
      environment: options.environment,
      baseDomain: options.baseDomain,
      masterKey: options.masterKey,
      locoNamespace: namespace,
      registryPullConfig: options.registryPullConfig,
    });
  } catch (error) {
    if (error instanceof PlanError) throw new ReplayStartError(error.message);
    throw error;
  }

  const desiredDone = performance.now();
  const client = await KubeClient.connect(options.target, { timeoutMs: options.requestTimeoutMs ?? 30_000, keepAliveSockets: concurrency });
  try {
    await preflight(client, mode, namespace, desired.apps);
    const preflightDone = performance.now();
    let existing: Map<string, KubernetesObject>;
    try {
      existing = await existingObjects(client, mode, namespace, desired.apps);
    } catch (error) {
      throw new ReplayStartError(`cannot list what the cluster holds: ${describe(error)}`);
    }
    const listDone = performance.now();
    const settings: ApplySettings = {
      dryRun: options.dryRun === true,
      forceConflicts: options.forceConflicts === true,
      retry: { ...defaultRetryPolicy, ...options.retry },
      random: options.random ?? Math.random,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };

    const results: AppResult[] = desired.unapplied.map((app) => ({ ...app, objects: [], warnings: [] }));
    for (const result of results) options.onApp?.(result);
    let next = 0;
    const take = () => (next < desired.apps.length ? desired.apps[next++] : undefined);
    let unreachableInARow = 0;
    let stopped: string | undefined;
    const breakerLimit = 2 * concurrency;
    const worker = async () => {
      for (let app = take(); app; app = take()) {
        if (options.signal?.aborted) stopped ??= "the replay was stopped before every app was attempted";
        if (stopped) {
          const objects = app.objects.map((o): ObjectResult => ({ ...objectIdentity(o), outcome: "not attempted", attempts: 0 }));
          results.push({
            resourceId: app.resourceId,
            app: app.app,
            deploymentId: app.deploymentId,
            outcome: "failed",
            reason: `not attempted: ${stopped}`,
            objects,
            warnings: app.warnings,
          });
          continue;
        }
        const { result, unreachable } = await replayApp(client, app, existing, settings).catch((error: unknown) => ({
          // A bug in one app's path must not stop the others (nor leave workers running behind a rejected run).
          result: {
            resourceId: app.resourceId,
            app: app.app,
            deploymentId: app.deploymentId,
            outcome: "failed" as const,
            reason: `unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
            objects: [],
            warnings: app.warnings,
          },
          unreachable: false,
        }));
        unreachableInARow = unreachable ? unreachableInARow + 1 : 0;
        if (unreachableInARow >= breakerLimit)
          stopped ??= `the API server stopped answering (${unreachableInARow} apps in a row got no answer)`;
        results.push(result);
        options.onApp?.(result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(desired.apps.length, 1)) }, worker));

    sortApps(results);
    const count = (outcome: AppOutcome) => results.filter((r) => r.outcome === outcome).length;
    const objects = results.flatMap((r) => r.objects);
    return {
      format: replayFormat,
      mode,
      dryRun: settings.dryRun,
      forceConflicts: settings.forceConflicts,
      fieldManager,
      concurrency,
      cluster: {
        name: options.snapshot.cluster.name,
        region: options.snapshot.cluster.region,
        context: options.target.context,
        server: options.target.server.origin,
      },
      locoNamespace: namespace,
      startedAt: started.toISOString(),
      durationMs: Math.round(performance.now() - clock),
      timings: {
        desiredMs: Math.round(desiredDone - clock),
        preflightMs: Math.round(preflightDone - desiredDone),
        listMs: Math.round(listDone - preflightDone),
        applyMs: Math.round(performance.now() - listDone),
      },
      counts: {
        apps: results.length,
        created: count("created"),
        updated: count("updated"),
        unchanged: count("unchanged"),
        failed: count("failed"),
        skipped: count("skipped"),
        objects: objects.length,
        requests: client.requests,
        retries: objects.reduce((sum, o) => sum + Math.max(0, o.attempts - 1), 0),
      },
      ...(stopped ? { stopped } : {}),
      apps: results,
      warnings: desired.warnings,
    };
  } finally {
    client.close();
  }
}
