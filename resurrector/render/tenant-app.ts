/**
 * The tenant app renderer: from one active deployment (with its resource, workspace, organization, routed
 * hostnames, stored environment and sibling apps) to the Kubernetes objects loco runs for it. Pure and
 * deterministic: the same input gives the same objects in the same order, with no clock, randomness or I/O.
 *
 * What an app is made of, in its own namespace (one per workspace and app):
 * - Namespace: tenant labels (lib/tenant-labels.ts, read by the telemetry pipeline), the label that lets the
 *   shared Gateway admit its routes, restricted Pod Security.
 * - Deployment and Service; Secrets for the registry pull credentials and the stored environment.
 * - One HTTPRoute per hostname; a ListenerSet and cert-manager Certificates for user-provided domains.
 * - A KEDA ScaledObject on CPU and memory between min and max replicas. An app with minReplicas 0 may sleep:
 *   its routes go to the HTTP add-on's interceptor (through a ReferenceGrant in the add-on's namespace), an
 *   InterceptorRoute says which hosts wake it, and its ScaledObject adds the add-on's external-push trigger.
 * - A PodDisruptionBudget when at least two replicas always run; a NetworkPolicy that admits only its own
 *   workspace, the gateway's proxies (and the interceptor when it sleeps).
 */
import { appPoolName, poolLabelKey } from "../../lib/core-pool";
import { kedaHttpExternalScalerAddress, kedaHttpInterceptor, kedaNamespace } from "../../lib/keda-http";
import { registryPullSecretName } from "../../lib/registry-pull-secret";
import { gatewayListeners, httpRoutesLabel, sharedGateway, tenantNamespaceLabel } from "../../lib/shared-gateway";
import { appTelemetryEnv, otelGateway } from "../../lib/telemetry-endpoints";
import { tenantLabels } from "../../lib/tenant-labels";
import { userDomainHttpsPort, userDomainIssuer } from "../../lib/tenant-domains";
import type { TenantRoute } from "./domains";
import { appObjectName, hostObjectName, labelValue, siblingUrlVariable, tenantNamespace } from "./names";
import { compareObjectRefs, compareStrings, objectRef, type IInterceptorRoute, type TenantObject } from "./objects";
import type { ServiceSpec } from "./service-spec";

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

export interface TenantAppInput {
  readonly deployment: { readonly id: string; readonly region: string; readonly replicas: number };
  readonly spec: ServiceSpec;
  readonly resource: { readonly id: string; readonly name: string };
  readonly workspace: { readonly id: string; readonly name: string };
  readonly organization: { readonly id: string; readonly name: string };
  /** The hostnames the app is served on, already resolved to their Gateway attachment. */
  readonly routes: readonly TenantRoute[];
  /** The other apps of the workspace on this cluster. */
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

export interface RenderedApp {
  readonly namespace: string;
  readonly name: string;
  readonly image: string;
  readonly sleeps: boolean;
  readonly replicas: { readonly min: number; readonly max: number; readonly initial: number };
  /** Every object with its full contents, in apply order. Secrets whose contents are not in hand are not here. */
  readonly objects: readonly TenantObject[];
  readonly secrets: readonly TenantSecret[];
  readonly warnings: readonly string[];
}

export type TenantAppRender =
  { readonly ok: true; readonly app: RenderedApp } | { readonly ok: false; readonly problems: readonly string[] };

/** The port the app's Service listens on; the container's own port is the Service's target. */
export const servicePort = 80;
/** Target utilization of the CPU and memory triggers, in percent of requests. */
export const cpuUtilizationTarget = 70;
export const memoryUtilizationTarget = 80;
/** In-flight requests per replica the interceptor scales a sleeping app on. */
export const concurrencyTarget = 100;
/** Seconds without load before KEDA scales down (to zero for a sleeping app). */
export const cooldownSeconds = 300;

const podSecurity = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

/** Private, shared and link-local ranges: other pods, nodes, the VPC and the cloud metadata service. */
const privateRanges = ["10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"];

/** Envoy Gateway labels the proxy pods of a Gateway with its name and namespace, wherever they are deployed. */
const gatewayProxyPods = {
  namespaceSelector: {},
  podSelector: {
    matchLabels: {
      "gateway.envoyproxy.io/owning-gateway-name": sharedGateway.name,
      "gateway.envoyproxy.io/owning-gateway-namespace": sharedGateway.namespace,
    },
  },
};

const namespaceNamed = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

const secretKey = /^[-._a-zA-Z0-9]+$/;

/** Why a stored environment cannot become a Secret (its keys must be valid Secret keys); empty when it can. */
export function environmentProblems(values: Readonly<Record<string, string>>): string[] {
  const badKeys = Object.keys(values)
    .filter((key) => !secretKey.test(key) || key.length > 253)
    .sort(compareStrings);
  return badKeys.length > 0
    ? [`the stored environment has keys a Secret cannot hold: ${badKeys.map((k) => JSON.stringify(k)).join(", ")}`]
    : [];
}

/** The name of the Secret holding a user-provided domain's certificate. */
export const userDomainTlsSecretName = (hostname: string) => hostObjectName("tls-", hostname);

/** The in-cluster URL of an app's Service. */
export const serviceUrl = (namespace: string, name: string) => `http://${name}.${namespace}.svc.cluster.local`;

const listenerSetName = "user-domains";
const networkPolicyName = "tenant-isolation";
const environmentSecretName = (name: string) => `${name}-env`;

interface Identity {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly tenant: Record<string, string>;
}

function identity(input: TenantAppInput): Identity {
  const name = appObjectName(input.resource.name);
  const tenant = {
    [tenantLabels.orgId]: input.organization.id,
    [tenantLabels.workspaceId]: input.workspace.id,
    [tenantLabels.appId]: input.resource.id,
    [tenantLabels.appName]: labelValue(input.resource.name),
    [tenantLabels.deploymentId]: input.deployment.id,
    [tenantLabels.environment]: labelValue(input.context.environment),
    [tenantLabels.region]: labelValue(input.deployment.region),
  };
  return {
    namespace: tenantNamespace(input.workspace.id, input.resource.name),
    name,
    tenant,
    selector: { "app.kubernetes.io/name": name, [tenantLabels.appId]: input.resource.id },
    labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/managed-by": "loco", ...tenant },
  };
}

function namespaceObject(id: Identity): TenantObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: id.namespace,
      labels: {
        ...id.labels,
        ...podSecurity,
        [tenantNamespaceLabel.key]: tenantNamespaceLabel.value,
        // cert-manager puts the HTTP-01 challenge routes of the app's own domains here; they attach on port 80.
        [httpRoutesLabel.key]: httpRoutesLabel.value,
      },
    },
  };
}

function environmentVariables(input: TenantAppInput, warnings: string[]): { name: string; value: string }[] {
  const byVariable = new Map<string, SiblingApp[]>();
  for (const sibling of input.siblings) {
    if (sibling.appName === input.resource.name) continue;
    const variable = siblingUrlVariable(sibling.appName);
    const apps = byVariable.get(variable);
    if (apps) apps.push(sibling);
    else byVariable.set(variable, [sibling]);
  }
  const siblings: { name: string; value: string }[] = [];
  for (const [variable, apps] of [...byVariable].sort(([a], [b]) => compareStrings(a, b))) {
    if (apps.length > 1) {
      warnings.push(`${variable} not set: sibling apps ${apps.map((a) => a.appName).join(", ")} map to the same variable`);
    } else {
      siblings.push({ name: variable, value: apps[0].url });
    }
  }
  return [
    { name: "LOCO_APP_NAME", value: input.resource.name },
    { name: "LOCO_DEPLOYMENT_ID", value: input.deployment.id },
    { name: "LOCO_PROFILE", value: input.context.environment },
    ...Object.entries(appTelemetryEnv).map(([name, value]) => ({ name, value })),
    ...siblings,
  ];
}

function probes(spec: ServiceSpec) {
  const check = spec.healthCheck;
  const action = check ? { httpGet: { path: check.path, port: "http" } } : { tcpSocket: { port: "http" } };
  const interval = check?.intervalSeconds ?? 10;
  const timeout = check?.timeoutSeconds ?? 5;
  const failures = check?.failureThreshold ?? 3;
  return {
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

function deploymentObject(
  input: TenantAppInput,
  id: Identity,
  initialReplicas: number,
  hasEnvironment: boolean,
  warnings: string[],
): TenantObject {
  const { spec } = input;
  const restricted = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    runAsNonRoot: true,
    seccompProfile: { type: "RuntimeDefault" as const },
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
    spec: {
      // A rebuilt app starts where loco last had it; from then on KEDA's HPA owns the count (when it scales).
      replicas: initialReplicas,
      revisionHistoryLimit: 3,
      selector: { matchLabels: id.selector },
      // Never fewer ready pods than before while rolling out.
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: id.labels },
        spec: {
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          imagePullSecrets: [{ name: registryPullSecretName }],
          nodeSelector: { [poolLabelKey]: appPoolName },
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: "kubernetes.io/hostname",
              whenUnsatisfiable: "ScheduleAnyway",
              labelSelector: { matchLabels: id.selector },
            },
          ],
          containers: [
            {
              name: "app",
              image: spec.image,
              imagePullPolicy: "IfNotPresent",
              ports: [{ name: "http", containerPort: spec.port, protocol: "TCP" }],
              env: environmentVariables(input, warnings),
              ...(hasEnvironment ? { envFrom: [{ secretRef: { name: environmentSecretName(id.name) } }] } : {}),
              // No CPU limit: throttling hurts latency and requests already reserve the share; memory is capped at
              // the request so one app cannot push its node into OOM for others.
              resources: { requests: { cpu: spec.cpu, memory: spec.memory }, limits: { memory: spec.memory } },
              ...probes(spec),
              securityContext: restricted,
            },
          ],
        },
      },
    },
  };
}

function serviceObject(id: Identity): TenantObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
    spec: {
      type: "ClusterIP",
      selector: id.selector,
      ports: [{ name: "http", port: servicePort, targetPort: "http", protocol: "TCP", appProtocol: "http" }],
    },
  };
}

function secrets(input: TenantAppInput, id: Identity, problems: string[]): TenantSecret[] {
  const result: TenantSecret[] = [
    {
      namespace: id.namespace,
      name: registryPullSecretName,
      source: "registry layer",
      object:
        input.registryPullConfig === undefined
          ? undefined
          : {
              apiVersion: "v1",
              kind: "Secret",
              metadata: { name: registryPullSecretName, namespace: id.namespace, labels: id.labels },
              type: "kubernetes.io/dockerconfigjson",
              stringData: { ".dockerconfigjson": input.registryPullConfig },
            },
    },
  ];
  if (input.environment) {
    const values = "values" in input.environment ? input.environment.values : undefined;
    if (values) problems.push(...environmentProblems(values));
    result.push({
      namespace: id.namespace,
      name: environmentSecretName(id.name),
      source: "tenant environment store",
      object: values && {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: environmentSecretName(id.name), namespace: id.namespace, labels: id.labels },
        type: "Opaque",
        stringData: Object.fromEntries(Object.entries(values).sort(([a], [b]) => compareStrings(a, b))),
      },
    });
  }
  return result;
}

function routeObjects(input: TenantAppInput, id: Identity, sleeps: boolean): TenantObject[] {
  const backend = sleeps
    ? {
        group: "",
        kind: "Service",
        name: kedaHttpInterceptor.service,
        namespace: kedaHttpInterceptor.namespace,
        port: kedaHttpInterceptor.port,
      }
    : { group: "", kind: "Service", name: id.name, port: servicePort };
  const gateway = { group: "gateway.networking.k8s.io", kind: "Gateway", name: sharedGateway.name, namespace: sharedGateway.namespace };
  const parentRef = (route: TenantRoute) =>
    route.attachment === "user-domain"
      ? { group: "gateway.networking.k8s.io", kind: "ListenerSet", name: listenerSetName, sectionName: route.hostname }
      : { ...gateway, sectionName: route.attachment === "tenant-wildcard" ? gatewayListeners.tenants : gatewayListeners.regionTenants };

  const objects: TenantObject[] = input.routes.map((route) => ({
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: route.hostname, namespace: id.namespace, labels: id.labels },
    spec: {
      parentRefs: [parentRef(route)],
      hostnames: [route.hostname],
      rules: [{ matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [backend] }],
    },
  }));

  const userDomains = input.routes.filter((route) => route.attachment === "user-domain");
  if (userDomains.length > 0) {
    objects.push({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "ListenerSet",
      metadata: { name: listenerSetName, namespace: id.namespace, labels: id.labels },
      spec: {
        parentRef: gateway,
        listeners: userDomains.map((route) => ({
          name: route.hostname,
          hostname: route.hostname,
          port: userDomainHttpsPort,
          protocol: "HTTPS",
          tls: { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: userDomainTlsSecretName(route.hostname) }] },
          allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }] },
        })),
      },
    });
    for (const route of userDomains) {
      objects.push({
        apiVersion: "cert-manager.io/v1",
        kind: "Certificate",
        metadata: { name: route.hostname, namespace: id.namespace, labels: id.labels },
        spec: {
          secretName: userDomainTlsSecretName(route.hostname),
          dnsNames: [route.hostname],
          issuerRef: { ...userDomainIssuer },
          privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
          secretTemplate: { labels: id.tenant },
        },
      });
    }
  }

  if (sleeps) {
    const interceptorRoute: IInterceptorRoute = {
      apiVersion: "http.keda.sh/v1beta1",
      kind: "InterceptorRoute",
      metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
      spec: {
        target: { service: id.name, port: servicePort },
        rules: [{ hosts: input.routes.map((route) => route.hostname) }],
        scalingMetric: { concurrency: { targetValue: concurrencyTarget } },
      },
    };
    objects.push(interceptorRoute, {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "ReferenceGrant",
      metadata: { name: hostObjectName("tenant-", id.namespace), namespace: kedaNamespace, labels: id.labels },
      spec: {
        from: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: id.namespace }],
        to: [{ group: "", kind: "Service", name: kedaHttpInterceptor.service }],
      },
    });
  }
  return objects;
}

function scaledObject(id: Identity, replicas: RenderedApp["replicas"], sleeps: boolean): TenantObject {
  return {
    apiVersion: "keda.sh/v1alpha1",
    kind: "ScaledObject",
    metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: id.name },
      minReplicaCount: replicas.min,
      maxReplicaCount: replicas.max,
      cooldownPeriod: cooldownSeconds,
      triggers: [
        { type: "cpu", metricType: "Utilization", metadata: { value: String(cpuUtilizationTarget) } },
        { type: "memory", metricType: "Utilization", metadata: { value: String(memoryUtilizationTarget) } },
        // The add-on's scaler wakes the app from zero on the interceptor's queue; CPU and memory cannot.
        ...(sleeps
          ? [{ type: "external-push", metadata: { scalerAddress: kedaHttpExternalScalerAddress, interceptorRoute: id.name } }]
          : []),
      ],
    },
  };
}

function networkPolicy(id: Identity, workspaceId: string, sleeps: boolean): TenantObject {
  const ownWorkspace = { namespaceSelector: { matchLabels: { [tenantLabels.workspaceId]: workspaceId } } };
  const http = [{ port: "http", protocol: "TCP" as const }];
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: networkPolicyName, namespace: id.namespace, labels: id.labels },
    spec: {
      podSelector: {},
      policyTypes: ["Ingress", "Egress"],
      ingress: [
        { from: [ownWorkspace] },
        { from: [gatewayProxyPods], ports: http },
        ...(sleeps ? [{ from: [namespaceNamed(kedaNamespace)], ports: http }] : []),
      ],
      egress: [
        {
          to: [{ ...namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
          ],
        },
        { to: [ownWorkspace] },
        // A sibling's public URL can be short-circuited to the gateway's proxies inside the cluster.
        { to: [gatewayProxyPods] },
        {
          to: [namespaceNamed(otelGateway.namespace)],
          ports: [
            { port: otelGateway.grpcPort, protocol: "TCP" },
            { port: otelGateway.httpPort, protocol: "TCP" },
          ],
        },
        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: privateRanges } }] },
      ],
    },
  };
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** Renders one app. Problems (data Kubernetes would reject) fail the app, never the run. */
export function renderTenantApp(input: TenantAppInput): TenantAppRender {
  const warnings: string[] = [];
  const problems: string[] = [];
  const id = identity(input);
  const { spec } = input;

  let sleeps = spec.minReplicas === 0;
  let min = spec.minReplicas;
  if (sleeps && input.routes.length === 0) {
    // Only a request for one of its hosts wakes a sleeping app; without any it would never start.
    warnings.push("minReplicas is 0 but the app has no routed hostname to wake it on: kept at 1 replica");
    sleeps = false;
    min = 1;
  }
  const max = Math.max(spec.maxReplicas, min);
  const initial = clamp(input.deployment.replicas, min, max);
  if (initial !== input.deployment.replicas) {
    warnings.push(`deployments.replicas ${input.deployment.replicas} is outside ${min}..${max}: starts with ${initial}`);
  }
  const replicas = { min, max, initial };

  const appSecrets = secrets(input, id, problems);
  if (problems.length > 0) return { ok: false, problems };

  const objects: TenantObject[] = [
    namespaceObject(id),
    ...appSecrets.flatMap((secret) => (secret.object ? [secret.object] : [])),
    deploymentObject(input, id, initial, input.environment !== undefined, warnings),
    serviceObject(id),
    ...routeObjects(input, id, sleeps),
    // A range to scale in, or a wake-up trigger: otherwise the Deployment's fixed replicas say it all.
    ...(max > min || sleeps ? [scaledObject(id, replicas, sleeps)] : []),
    ...(min >= 2
      ? [
          {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: id.name, namespace: id.namespace, labels: id.labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: id.selector } },
          } satisfies TenantObject,
        ]
      : []),
    networkPolicy(id, input.workspace.id, sleeps),
  ];
  objects.sort((a, b) => compareObjectRefs(objectRef(a), objectRef(b)));
  return {
    ok: true,
    app: { namespace: id.namespace, name: id.name, image: spec.image, sleeps, replicas, objects, secrets: appSecrets, warnings },
  };
}
