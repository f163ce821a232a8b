/**
 * The tenant app renderer: from one active deployment (with its resource, workspace, organization, routed
 * hostnames, stored environment and sibling apps) to the Kubernetes objects loco runs for it. Pure and
 * deterministic: the same input gives the same objects in the same order, with no clock, randomness or I/O.
 *
 * Every app lives in its own namespace (one per workspace and app) and is composed of the same pieces, each in its
 * own module: identity (app-identity.ts), secrets (app-secrets.ts), workload (app-workload.ts), routing
 * (app-routing.ts), scaling (app-scaling.ts) and isolation (app-isolation.ts). A kind of app (loco's
 * resources.type) is a spec parser and a composition of those pieces, listed here; a new kind is a new entry.
 * - service (service-app.ts): serves HTTP on its hostnames, may sleep until a request wakes it.
 * - worker (worker-app.ts): no port and no route, scaled on its queue or CPU.
 */
import type { AppKind, AppKindDefinition, AppSpec, AppSummary, TenantAppInput, TenantAppRender } from "./app-input";
import { serviceKind } from "./service-app";
import type { SpecResult } from "./spec-fields";
import { workerKind } from "./worker-app";

/** Every kind of app the renderer knows, by loco's resources.type. */
export const appKinds: { readonly [K in AppKind]: AppKindDefinition<Extract<AppSpec, { kind: K }>> } = {
  service: serviceKind,
  worker: workerKind,
};

/** loco's resource types this renderer renders. */
export const renderedKinds = Object.keys(appKinds) as AppKind[];

const isAppKind = (resourceType: string): resourceType is AppKind => Object.hasOwn(appKinds, resourceType);

/** The definition of a spec's kind. */
export function appKind<S extends AppSpec>(spec: S): AppKindDefinition<S> {
  // TypeScript cannot correlate the key with the entry's type: `appKinds` is typed entry by entry above.
  return appKinds[spec.kind] as unknown as AppKindDefinition<S>;
}

/** The spec of a deployment row of a resource of type `resourceType`; undefined when that type is not rendered. */
export function parseAppSpec(resourceType: string, specVersion: number, spec: unknown): SpecResult<AppSpec> | undefined {
  return isAppKind(resourceType) ? appKinds[resourceType].parse(specVersion, spec) : undefined;
}

/** Renders one app of any kind. Problems (data Kubernetes would reject) fail the app, never the run. */
export function renderTenantApp<S extends AppSpec>(input: TenantAppInput<S>): TenantAppRender {
  return appKind(input.spec).render(input);
}

/** The URL the other apps of its workspace get for it; undefined when nothing can call it. */
export function siblingUrlOf<S extends AppSpec>(app: AppSummary<S>): string | undefined {
  return appKind(app.spec).siblingUrl(app);
}
