/**
 * What the tenant app renderer takes and gives, whatever the kind of app. Each kind (service, worker) is a spec
 * parser plus a composition of the shared pieces (identity, secrets, workload, routing, scaling, isolation), bound
 * together by an {@link AppKindDefinition}; tenant-app.ts lists the kinds.
 */
import type { TenantRoute } from "./domains";
import type { TenantObject } from "./objects";
import type { ServiceSpec } from "./service-spec";
import type { SpecResult } from "./spec-fields";
import type { WorkerSpec } from "./worker-spec";

/** Every kind of app the renderer knows, by its spec. `kind` is loco's resources.type. */
export type AppSpec = ServiceSpec | WorkerSpec;
export type AppKind = AppSpec["kind"];

/** What differs per environment and cluster, not per app. */
export interface RenderContext {
  /** The platform environment (dev, prod, local): the `environment` tenant label and LOCO_PROFILE. */
  readonly environment: string;
}

/** Where an app's stored environment comes from: its values (when applying) or the sealed store (when planning). */
export type EnvironmentSource = { readonly values: Readonly<Record<string, string>> } | { readonly sealed: true };

export interface SiblingApp {
  /** The sibling's resource name (LOCO_<NAME>_URL). */
  readonly appName: string;
  readonly url: string;
}

export interface TenantAppInput<S extends AppSpec = AppSpec> {
  readonly deployment: { readonly id: string; readonly region: string; readonly replicas: number };
  readonly spec: S;
  readonly resource: { readonly id: string; readonly name: string };
  readonly workspace: { readonly id: string; readonly name: string };
  readonly organization: { readonly id: string; readonly name: string };
  /** The hostnames the app is served on, already resolved to their Gateway attachment (none for a worker). */
  readonly routes: readonly TenantRoute[];
  /** The other apps of the workspace on this cluster that can be called. */
  readonly siblings: readonly SiblingApp[];
  /** Undefined: the app has no stored environment. */
  readonly environment?: EnvironmentSource;
  /** The registry pull secret's `.dockerconfigjson`; undefined when planning (the registry layer holds it). */
  readonly registryPullConfig?: string;
  readonly context: RenderContext;
}

/** A Secret the app needs. `object` is absent when its contents are not in hand (planning): only named. */
export interface TenantSecret {
  readonly namespace: string;
  readonly name: string;
  readonly source: "registry layer" | "tenant environment store";
  readonly object?: TenantObject;
}

export interface ReplicaRange {
  readonly min: number;
  readonly max: number;
  /** Where a rebuilt app starts: loco's last count, within min..max. */
  readonly initial: number;
}

export interface RenderedApp {
  readonly kind: AppKind;
  readonly namespace: string;
  readonly name: string;
  readonly image: string;
  /** Scaled to zero until a request (service) or a message (worker) wakes it. */
  readonly sleeps: boolean;
  readonly replicas: ReplicaRange;
  /** Every object with its full contents, in apply order. Secrets whose contents are not in hand are not here. */
  readonly objects: readonly TenantObject[];
  readonly secrets: readonly TenantSecret[];
  readonly warnings: readonly string[];
}

export type TenantAppRender =
  { readonly ok: true; readonly app: RenderedApp } | { readonly ok: false; readonly problems: readonly string[] };

/** What siblings and the plan need to know about an app before it is rendered. */
export interface AppSummary<S extends AppSpec = AppSpec> {
  readonly workspaceId: string;
  readonly appName: string;
  readonly spec: S;
  readonly routes: readonly TenantRoute[];
}

/** One kind of app: how its spec is read and how its objects are composed. */
export interface AppKindDefinition<S extends AppSpec> {
  /** deployments.spec of this kind, by spec_version. */
  parse(specVersion: number, spec: unknown): SpecResult<S>;
  render(input: TenantAppInput<S>): TenantAppRender;
  /** The URL the other apps of its workspace get for it (LOCO_<APP>_URL); undefined when nothing can call it. */
  siblingUrl(app: AppSummary<S>): string | undefined;
  /** Why its hostnames cannot be routed; undefined when they are. */
  readonly unroutable?: string;
}
