/**
 * A service: a long-running process serving HTTP on its port, reached through the shared Gateway on its hostnames.
 * Composed of the shared pieces: identity, secrets, a Deployment with its port and probes, a Service, routes,
 * scaling on CPU and memory (and, when it may sleep, the HTTP add-on's wake-up), a disruption budget and an
 * isolation policy admitting its workspace and the gateway.
 */
import type { AppKindDefinition, AppSummary, TenantAppInput, TenantAppRender } from "./app-input";
import { appIdentity, namespaceObject } from "./app-identity";
import { gatewayProxyPods, kedaInterceptor, networkPolicy, ownWorkspace } from "./app-isolation";
import { routeObjects, serviceObject, serviceUrl } from "./app-routing";
import { cpuTrigger, httpWakeTrigger, memoryTrigger, replicaRange, scaledObjects } from "./app-scaling";
import { appSecrets, secretObjects } from "./app-secrets";
import { deploymentObject, disruptionBudget, type ContainerServing } from "./app-workload";
import type { TenantRoute } from "./domains";
import { appObjectName, tenantNamespace } from "./names";
import { inApplyOrder } from "./objects";
import { parseServiceSpec, type ServiceSpec } from "./service-spec";

/** Only a request for one of its hosts wakes a sleeping app: without any, minReplicas 0 cannot sleep. */
export const serviceSleeps = (spec: ServiceSpec, routes: readonly TenantRoute[]) => spec.minReplicas === 0 && routes.length > 0;

/** The container's port, and probes from the health check (its TCP port when there is none). */
function serving(spec: ServiceSpec): ContainerServing {
  const check = spec.healthCheck;
  const action = check ? { httpGet: { path: check.path, port: "http" } } : { tcpSocket: { port: "http" } };
  const interval = check?.intervalSeconds ?? 10;
  const timeout = check?.timeoutSeconds ?? 5;
  const failures = check?.failureThreshold ?? 3;
  return {
    ports: [{ name: "http", containerPort: spec.port, protocol: "TCP" }],
    // Liveness only starts once the app has answered, so a slow start (up to 5 minutes) is not a crash loop.
    startupProbe: { ...action, periodSeconds: 5, timeoutSeconds: timeout, failureThreshold: 60, successThreshold: 1 },
    readinessProbe: {
      ...action,
      periodSeconds: interval,
      timeoutSeconds: timeout,
      failureThreshold: failures,
      successThreshold: check?.successThreshold ?? 1,
    },
    // Kubernetes requires successThreshold 1 for liveness.
    livenessProbe: { ...action, periodSeconds: interval, timeoutSeconds: timeout, failureThreshold: failures, successThreshold: 1 },
  };
}

/** Renders one service. Problems (data Kubernetes would reject) fail the app, never the run. */
export function renderServiceApp(input: TenantAppInput<ServiceSpec>): TenantAppRender {
  const warnings: string[] = [];
  const id = appIdentity(input);
  const { spec, routes } = input;
  const sleeps = serviceSleeps(spec, routes);
  if (spec.minReplicas === 0 && !sleeps)
    warnings.push("minReplicas is 0 but the app has no routed hostname to wake it on: kept at 1 replica");
  const replicas = replicaRange(Math.max(spec.minReplicas, sleeps ? 0 : 1), spec.maxReplicas, input.deployment.replicas, warnings);

  const { secrets, problems } = appSecrets(input, id);
  if (problems.length > 0) return { ok: false, problems };

  const http = [{ port: "http", protocol: "TCP" as const }];
  const objects = inApplyOrder([
    namespaceObject(id),
    ...secretObjects(secrets),
    deploymentObject(input, id, replicas.initial, serving(spec), warnings),
    serviceObject(id),
    ...routeObjects(id, routes, sleeps),
    ...scaledObjects(id, replicas, [cpuTrigger, memoryTrigger, ...(sleeps ? [httpWakeTrigger(id.name)] : [])], { sleeps }),
    ...disruptionBudget(id, replicas.min),
    networkPolicy(id, input.workspace.id, [
      { from: [ownWorkspace(input.workspace.id)] },
      { from: [gatewayProxyPods], ports: http },
      ...(sleeps ? [{ from: [kedaInterceptor], ports: http }] : []),
    ]),
  ]);
  return {
    ok: true,
    app: { kind: "service", namespace: id.namespace, name: id.name, image: spec.image, sleeps, replicas, objects, secrets, warnings },
  };
}

/** Siblings call it at its Service, or at its public hostname when it may sleep (a direct call cannot wake it). */
function siblingUrl(app: AppSummary<ServiceSpec>): string {
  if (!serviceSleeps(app.spec, app.routes)) return serviceUrl(tenantNamespace(app.workspaceId, app.appName), appObjectName(app.appName));
  const primary = app.routes.find((route) => route.primary) ?? app.routes[0];
  return `https://${primary.hostname}`;
}

export const serviceKind: AppKindDefinition<ServiceSpec> = { parse: parseServiceSpec, render: renderServiceApp, siblingUrl };
