/**
 * Step 3 of a rebuild: every selected app rendered (render/tenant-app.ts) and summarized as the plan lists it:
 * what it runs, where, on which routes, and the objects a rebuild applies. An app whose rendering fails is
 * reported with its problems.
 */
import type { AppKind, RenderContext, SiblingApp } from "../render/app-input";
import type { RouteAttachment, TenantRoute } from "../render/domains";
import { compareObjectRefs, compareStrings, objectRef, type ObjectRef } from "../render/objects";
import { renderTenantApp } from "../render/tenant-app";
import type { SealedCertificate } from "../store/certificates";
import { routeTls, type RouteTls } from "./certificates";
import { appLabel, type Skip } from "./rows";
import type { Candidate } from "./select-apps";

export interface RoutePlan {
  readonly hostname: string;
  readonly attachment: RouteAttachment;
  readonly primary: boolean;
  readonly tls: RouteTls;
}

export interface TenantPlan {
  readonly organization: { readonly id: string; readonly name: string };
  readonly workspace: { readonly id: string; readonly name: string };
  readonly app: { readonly id: string; readonly name: string };
  /** loco's resource type: service or worker. */
  readonly kind: AppKind;
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

export interface TenantPlans {
  /** By organization, workspace and app name. */
  readonly tenants: readonly TenantPlan[];
  readonly objectsByKind: ReadonlyMap<string, number>;
  /** Every namespace a tenant app lives in. */
  readonly namespaces: ReadonlySet<string>;
}

export interface TenantPlanContext {
  readonly render: RenderContext;
  readonly routes: ReadonlyMap<string, readonly TenantRoute[]>;
  readonly elsewhere: ReadonlyMap<string, readonly string[]>;
  readonly siblings: ReadonlyMap<string, readonly SiblingApp[]>;
  readonly preservedCertificates: ReadonlyMap<string, SealedCertificate>;
  readonly now: Date;
}

const environmentState = (app: Candidate): TenantPlan["environment"] =>
  app.environment === undefined ? "none" : "values" in app.environment ? "verified" : "sealed";

export function planTenants(apps: readonly Candidate[], context: TenantPlanContext, skip: Skip): TenantPlans {
  const tenants: TenantPlan[] = [];
  const objectsByKind = new Map<string, number>();
  const namespaces = new Set<string>();
  for (const app of apps) {
    const { record, spec } = app;
    const appRoutes = context.routes.get(record.resource.id) ?? [];
    const rendered = renderTenantApp({
      deployment: { id: record.id, region: record.region, replicas: record.replicas },
      spec,
      resource: { id: record.resource.id, name: record.resource.name },
      workspace: record.workspace,
      organization: record.organization,
      routes: appRoutes,
      siblings: context.siblings.get(record.workspace.id) ?? [],
      environment: app.environment,
      context: context.render,
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
    namespaces.add(rendered.app.namespace);
    // Keys in sorted order, as the JSON prints them (see stableJson): thousands of these are not copied.
    tenants.push({
      app: { id: record.resource.id, name: record.resource.name },
      deploymentId: record.id,
      environment: environmentState(app),
      image: rendered.app.image,
      kind: rendered.app.kind,
      namespace: rendered.app.namespace,
      objects: refs,
      organization: { id: record.organization.id, name: record.organization.name },
      replicas: { initial: rendered.app.replicas.initial, max: rendered.app.replicas.max, min: rendered.app.replicas.min },
      routes: appRoutes.map((route) => ({
        attachment: route.attachment,
        hostname: route.hostname,
        primary: route.primary,
        tls: routeTls(route, rendered.app.namespace, context.preservedCertificates, context.now),
      })),
      servedElsewhere: context.elsewhere.get(record.resource.id) ?? [],
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
  return { tenants, objectsByKind, namespaces };
}
