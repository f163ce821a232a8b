import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { kedaHttpExternalScalerAddress, kedaHttpInterceptor, kedaNamespace } from "../lib/keda-http";
import { registryPullSecretName } from "../lib/registry-pull-secret";
import { gatewayListeners, sharedGateway, tenantNamespaceLabel } from "../lib/shared-gateway";
import { tenantLabels } from "../lib/tenant-labels";
import { userDomainIssuer } from "../lib/tenant-domains";
import type { TenantRoute } from "../resurrector/render/domains";
import { dnsLabel, labelValue, siblingUrlVariable, tenantNamespace } from "../resurrector/render/names";
import type { TenantObject } from "../resurrector/render/objects";
import type { RenderedApp, TenantAppInput } from "../resurrector/render/app-input";
import { parseServiceSpec, type ServiceSpec } from "../resurrector/render/service-spec";
import { specLimits } from "../resurrector/render/spec-limits";
import { parseAppSpec, renderTenantApp } from "../resurrector/render/tenant-app";
import { parseWorkerSpec, type WorkerSpec } from "../resurrector/render/worker-spec";
import { validateKubernetesObject, type KubernetesObject } from "./kubernetes-schema";
import { skipUnlessUpstream } from "./upstream";

const spec: ServiceSpec = {
  kind: "service",
  image: "registry.loco.dev/acme/web:9a8b7c",
  port: 8000,
  cpu: "250m",
  memory: "256Mi",
  minReplicas: 2,
  maxReplicas: 6,
  healthCheck: { path: "/api/health", intervalSeconds: 30, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 2 },
};

const routes: TenantRoute[] = [
  { hostname: "web.loco.dev", attachment: "tenant-wildcard", primary: true, domainId: "1" },
  { hostname: "web.us-east-1.loco.dev", attachment: "region-wildcard", primary: false, domainId: "2" },
  { hostname: "www.acme-shop.com", attachment: "user-domain", primary: false, domainId: "3" },
];

function input(
  overrides: Partial<TenantAppInput<ServiceSpec>> = {},
  specOverrides: Partial<ServiceSpec> = {},
): TenantAppInput<ServiceSpec> {
  return {
    deployment: { id: "3", region: "us-east-1", replicas: 3 },
    spec: { ...spec, ...specOverrides },
    resource: { id: "101", name: "web" },
    workspace: { id: "11", name: "storefront" },
    organization: { id: "1", name: "acme" },
    routes,
    siblings: [
      { appName: "web", url: "http://web.w11-web.svc.cluster.local" },
      { appName: "api", url: "http://api.w11-api.svc.cluster.local" },
      { appName: "dash-board", url: "https://dashboard-acme.loco.dev" },
    ],
    environment: { sealed: true },
    context: { environment: "prod" },
    ...overrides,
  };
}

function rendered(overrides: Partial<TenantAppInput<ServiceSpec>> = {}, specOverrides: Partial<ServiceSpec> = {}): RenderedApp {
  const result = renderTenantApp(input(overrides, specOverrides));
  assert.ok(result.ok, result.ok ? "" : result.problems.join("; "));
  return result.app;
}

/** Rendered objects are checked field by field against literal expectations; the schemas are checked above. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
type AnyObject = TenantObject & {
  spec?: Record<string, unknown>;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
};
const find = (app: RenderedApp, kind: string, name?: string) =>
  app.objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name)) as AnyObject | undefined;
const all = (app: RenderedApp, kind: string) => app.objects.filter((o) => o.kind === kind) as AnyObject[];
const podSpec = (app: RenderedApp) => (find(app, "Deployment")?.spec as Json).template.spec;
const container = (app: RenderedApp) => podSpec(app).containers[0] as Json;

describe("every rendered object validates against its schema", () => {
  const variants: [string, Partial<TenantAppInput<ServiceSpec>>, Partial<ServiceSpec>][] = [
    ["an always-on app with every kind of domain", {}, {}],
    ["a sleeping app (minReplicas 0)", {}, { minReplicas: 0, maxReplicas: 3 }],
    [
      "a fixed single replica without a health check",
      { routes: routes.slice(0, 1) },
      { minReplicas: 1, maxReplicas: 1, healthCheck: undefined },
    ],
    [
      "an app with values for its Secrets (as the rebuild applies it)",
      { environment: { values: { A: "1" } }, registryPullConfig: '{"auths":{}}' },
      {},
    ],
  ];
  for (const [name, overrides, specOverrides] of variants) {
    test(name, async () => {
      const app = rendered(overrides, specOverrides);
      const problems: string[] = [];
      for (const object of app.objects) problems.push(...(await validateKubernetesObject(object as KubernetesObject)).problems);
      assert.deepEqual(problems, []);
    });
  }

  test("the InterceptorRoute is checked against the add-on's CRD", { skip: skipUnlessUpstream("crds") }, async () => {
    const app = rendered({}, { minReplicas: 0 });
    const result = await validateKubernetesObject(find(app, "InterceptorRoute") as KubernetesObject);
    assert.deepEqual(result.checkedBy, ["crd"]);
    assert.deepEqual(result.problems, []);
    const typo = { ...(find(app, "InterceptorRoute") as object), spec: { target: { service: "web", port: 80 }, scalingMetrics: {} } };
    assert.ok((await validateKubernetesObject(typo as unknown as KubernetesObject)).problems.length > 0);
  });
});

describe("output is deterministic", () => {
  test("the same input renders the same objects, in apply order, whatever the order of its keys", () => {
    const reversedKeys = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversedKeys)
        : value && typeof value === "object"
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reversedKeys(v)]),
            )
          : value;
    const reordered = renderTenantApp(reversedKeys(input()) as TenantAppInput);
    assert.ok(reordered.ok);
    assert.equal(JSON.stringify(reordered.app), JSON.stringify(rendered()));
    const kinds = rendered().objects.map((o) => o.kind);
    assert.equal(kinds[0], "Namespace");
    assert.ok(kinds.indexOf("Service") < kinds.indexOf("HTTPRoute"));
    assert.ok(kinds.indexOf("Deployment") < kinds.indexOf("ScaledObject"));
  });

  test("sibling order in the input does not change the output", () => {
    const base = input();
    assert.deepEqual(renderTenantApp({ ...base, siblings: [...base.siblings].reverse() }), renderTenantApp(base));
  });
});

describe("the namespace", () => {
  test("one per workspace and app, carrying the tenant labels the telemetry pipeline reads", () => {
    const app = rendered();
    const namespace = find(app, "Namespace") as AnyObject;
    assert.equal(namespace.metadata?.name, "w11-web");
    assert.deepEqual(Object.fromEntries(Object.values(tenantLabels).map((key) => [key, namespace.metadata?.labels?.[key]])), {
      [tenantLabels.orgId]: "1",
      [tenantLabels.workspaceId]: "11",
      [tenantLabels.appId]: "101",
      [tenantLabels.appName]: "web",
      [tenantLabels.deploymentId]: "3",
      [tenantLabels.environment]: "prod",
      [tenantLabels.region]: "us-east-1",
    });
  });

  test("enforces restricted Pod Security and is admitted by the shared Gateway's tenant listeners", () => {
    const labels = find(rendered(), "Namespace")?.metadata?.labels ?? {};
    assert.equal(labels["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(labels[tenantNamespaceLabel.key], tenantNamespaceLabel.value);
  });

  test("every object of the app lives in it, except the ReferenceGrant the interceptor's namespace needs", () => {
    const app = rendered({}, { minReplicas: 0 });
    for (const object of app.objects.filter((o) => o.kind !== "Namespace")) {
      assert.equal(object.metadata?.namespace, object.kind === "ReferenceGrant" ? kedaNamespace : "w11-web", `${object.kind}`);
    }
  });
});

describe("the Deployment", () => {
  test("runs the image on the spec's port with its requests and a memory limit", () => {
    const app = rendered();
    const c = container(app);
    assert.equal(c.image, spec.image);
    assert.deepEqual(c.ports, [{ name: "http", containerPort: 8000, protocol: "TCP" }]);
    assert.deepEqual(c.resources, { requests: { cpu: "250m", memory: "256Mi" }, limits: { memory: "256Mi" } });
  });

  test("probes follow the health check; liveness keeps successThreshold 1 as Kubernetes requires", () => {
    const c = container(rendered());
    assert.deepEqual(c.readinessProbe, {
      httpGet: { path: "/api/health", port: "http" },
      periodSeconds: 30,
      timeoutSeconds: 5,
      failureThreshold: 3,
      successThreshold: 2,
    });
    assert.equal(c.livenessProbe.successThreshold, 1);
    assert.equal(c.startupProbe.httpGet.path, "/api/health");
  });

  test("without a health check the app is probed on its TCP port", () => {
    const c = container(rendered({}, { healthCheck: undefined }));
    assert.deepEqual(c.readinessProbe.tcpSocket, { port: "http" });
  });

  test("the pod and container meet the restricted Pod Security profile and pull with the registry secret", () => {
    const pod = podSpec(rendered());
    assert.deepEqual(pod.securityContext, { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    assert.deepEqual(container(rendered()).securityContext, {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
    assert.deepEqual(pod.imagePullSecrets, [{ name: registryPullSecretName }]);
    assert.equal(pod.automountServiceAccountToken, false);
  });

  test("injects LOCO_APP_NAME, LOCO_DEPLOYMENT_ID, LOCO_PROFILE, the telemetry endpoints and a URL per sibling app, never itself", () => {
    assert.deepEqual(container(rendered()).env, [
      { name: "LOCO_APP_NAME", value: "web" },
      { name: "LOCO_DEPLOYMENT_ID", value: "3" },
      { name: "LOCO_PROFILE", value: "prod" },
      { name: "LOCO_TRACING_ENDPOINT", value: "http://otel-gateway.loco-observability.svc.cluster.local:4317" },
      { name: "LOCO_METRICS_ENDPOINT", value: "http://otel-gateway.loco-observability.svc.cluster.local:4317" },
      { name: "LOCO_API_URL", value: "http://api.w11-api.svc.cluster.local" },
      { name: "LOCO_DASH_BOARD_URL", value: "https://dashboard-acme.loco.dev" },
    ]);
  });

  test("two siblings that map to one variable get neither, and a warning says so", () => {
    const app = rendered({
      siblings: [
        { appName: "my-app", url: "http://a" },
        { appName: "my_app", url: "http://b" },
      ],
    });
    assert.ok(!container(app).env.some((e: { name: string }) => e.name === "LOCO_MY_APP_URL"));
    assert.match(app.warnings.join("\n"), /LOCO_MY_APP_URL not set: sibling apps my-app, my_app/);
  });

  test("the stored environment is loaded from its Secret, and the injected variables win over it", () => {
    const c = container(rendered());
    assert.deepEqual(c.envFrom, [{ secretRef: { name: "web-env" } }]);
    assert.equal(container(rendered({ environment: undefined })).envFrom, undefined);
  });

  test("the pod template's selector excludes the deployment id, so a new deployment rolls the same pods", () => {
    const selector = (find(rendered(), "Deployment")?.spec as Json).selector.matchLabels;
    assert.deepEqual(selector, { "app.kubernetes.io/name": "web", [tenantLabels.appId]: "101" });
  });

  test("starts with the row's replicas, clamped into min..max with a warning", () => {
    const replicas = (app: RenderedApp) => (find(app, "Deployment")?.spec as Json).replicas;
    assert.equal(replicas(rendered()), 3);
    const clamped = rendered({ deployment: { id: "3", region: "us-east-1", replicas: 40 } });
    assert.equal(replicas(clamped), 6);
    assert.match(clamped.warnings.join(), /outside 2\.\.6: starts with 6/);
  });
});

describe("Secrets", () => {
  test("when planning, the pull and environment Secrets are named, never filled", () => {
    const app = rendered();
    assert.deepEqual(
      app.secrets.map((s) => [s.name, s.source, s.object === undefined]),
      [
        [registryPullSecretName, "registry layer", true],
        ["web-env", "tenant environment store", true],
      ],
    );
    assert.equal(all(app, "Secret").length, 0);
  });

  test("when applying, they hold the values given, keys sorted", () => {
    const app = rendered({ environment: { values: { Z: "2", A: "1" } }, registryPullConfig: '{"auths":{}}' });
    const env = find(app, "Secret", "web-env") as AnyObject & { stringData: Record<string, string> };
    assert.deepEqual(Object.keys(env.stringData), ["A", "Z"]);
    assert.equal((find(app, "Secret", registryPullSecretName) as AnyObject & { type: string }).type, "kubernetes.io/dockerconfigjson");
  });

  test("an environment key a Secret cannot hold fails the app with the key named", () => {
    const result = renderTenantApp(input({ environment: { values: { "BAD KEY": "x", GOOD: "y" } } }));
    assert.equal(result.ok, false);
    assert.match(result.ok ? "" : result.problems.join(), /"BAD KEY"/);
  });
});

describe("routes on the shared Gateway", () => {
  test("one HTTPRoute per hostname, on the listener of its kind", () => {
    const app = rendered();
    const parents = Object.fromEntries(all(app, "HTTPRoute").map((r) => [r.metadata?.name, (r.spec as Json).parentRefs[0]]));
    assert.deepEqual(parents["web.loco.dev"], {
      group: "gateway.networking.k8s.io",
      kind: "Gateway",
      name: sharedGateway.name,
      namespace: sharedGateway.namespace,
      sectionName: gatewayListeners.tenants,
    });
    assert.equal(parents["web.us-east-1.loco.dev"].sectionName, gatewayListeners.regionTenants);
    assert.deepEqual(parents["www.acme-shop.com"], {
      group: "gateway.networking.k8s.io",
      kind: "ListenerSet",
      name: "user-domains",
      sectionName: "www.acme-shop.com",
    });
  });

  test("a user-provided domain gets its own HTTPS listener and a certificate from the HTTP-01 issuer", () => {
    const app = rendered();
    const listenerSet = find(app, "ListenerSet")?.spec as Json;
    assert.deepEqual(listenerSet.parentRef, {
      group: "gateway.networking.k8s.io",
      kind: "Gateway",
      name: sharedGateway.name,
      namespace: sharedGateway.namespace,
    });
    assert.deepEqual(
      listenerSet.listeners.map((l: Json) => [l.hostname, l.protocol, l.port, l.tls.certificateRefs[0].name]),
      [["www.acme-shop.com", "HTTPS", 443, "tls-www.acme-shop.com"]],
    );
    const certificate = find(app, "Certificate")?.spec as Json;
    assert.deepEqual(certificate.dnsNames, ["www.acme-shop.com"]);
    assert.equal(certificate.secretName, "tls-www.acme-shop.com");
    assert.deepEqual(certificate.issuerRef, { ...userDomainIssuer });
  });

  test("platform hostnames only: no ListenerSet and no Certificate (the Gateway's wildcards cover them)", () => {
    const app = rendered({ routes: routes.slice(0, 2) });
    assert.equal(find(app, "ListenerSet"), undefined);
    assert.equal(find(app, "Certificate"), undefined);
  });

  test("an always-on app is routed straight to its Service", () => {
    const backend = (find(rendered(), "HTTPRoute", "web.loco.dev")?.spec as Json).rules[0].backendRefs[0];
    assert.deepEqual(backend, { group: "", kind: "Service", name: "web", port: 80 });
  });
});

describe("autoscaling", () => {
  test("a ScaledObject scales the Deployment on CPU and memory between min and max", () => {
    const scaled = find(rendered(), "ScaledObject")?.spec as Json;
    assert.deepEqual(scaled.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "web" });
    assert.equal(scaled.minReplicaCount, 2);
    assert.equal(scaled.maxReplicaCount, 6);
    assert.deepEqual(
      scaled.triggers.map((t: Json) => t.type),
      ["cpu", "memory"],
    );
  });

  test("a fixed replica count needs no ScaledObject", () => {
    assert.equal(find(rendered({}, { minReplicas: 2, maxReplicas: 2 }), "ScaledObject"), undefined);
  });

  test("a sleeping app wakes through the HTTP add-on: interceptor backend, ReferenceGrant, InterceptorRoute, external-push", () => {
    const app = rendered({}, { minReplicas: 0, maxReplicas: 3 });
    assert.equal(app.sleeps, true);
    for (const route of all(app, "HTTPRoute")) {
      assert.deepEqual((route.spec as Json).rules[0].backendRefs[0], {
        group: "",
        kind: "Service",
        name: kedaHttpInterceptor.service,
        namespace: kedaHttpInterceptor.namespace,
        port: kedaHttpInterceptor.port,
      });
    }
    const grant = find(app, "ReferenceGrant")?.spec as Json;
    assert.deepEqual(grant.from, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "w11-web" }]);
    assert.deepEqual(grant.to, [{ group: "", kind: "Service", name: kedaHttpInterceptor.service }]);
    const interceptorRoute = find(app, "InterceptorRoute")?.spec as Json;
    assert.deepEqual(interceptorRoute.target, { service: "web", port: 80 });
    assert.deepEqual(interceptorRoute.rules, [{ hosts: ["web.loco.dev", "web.us-east-1.loco.dev", "www.acme-shop.com"] }]);
    const scaled = find(app, "ScaledObject")?.spec as Json;
    assert.equal(scaled.minReplicaCount, 0);
    assert.deepEqual(scaled.triggers[2], {
      type: "external-push",
      metadata: { scalerAddress: kedaHttpExternalScalerAddress, interceptorRoute: "web" },
    });
  });

  test("minReplicas 0 without any hostname cannot be woken: it keeps one replica and says why", () => {
    const app = rendered({ routes: [] }, { minReplicas: 0, maxReplicas: 3 });
    assert.equal(app.sleeps, false);
    assert.equal(app.replicas.min, 1);
    assert.equal(find(app, "InterceptorRoute"), undefined);
    assert.match(app.warnings.join(), /no routed hostname to wake it on/);
  });
});

describe("disruption budget and network isolation", () => {
  test("a PodDisruptionBudget only when at least two replicas always run", () => {
    assert.equal((find(rendered(), "PodDisruptionBudget")?.spec as Json).maxUnavailable, 1);
    assert.equal(find(rendered({}, { minReplicas: 1 }), "PodDisruptionBudget"), undefined);
    assert.equal(find(rendered({}, { minReplicas: 0 }), "PodDisruptionBudget"), undefined);
  });

  test("ingress only from its own workspace and the gateway's proxies (and the interceptor when it sleeps)", () => {
    const ingress = (app: RenderedApp) => (find(app, "NetworkPolicy")?.spec as Json).ingress.map((rule: Json) => rule.from[0]);
    const awake = ingress(rendered());
    assert.deepEqual(awake[0], { namespaceSelector: { matchLabels: { [tenantLabels.workspaceId]: "11" } } });
    assert.deepEqual(awake[1].podSelector.matchLabels, {
      "gateway.envoyproxy.io/owning-gateway-name": sharedGateway.name,
      "gateway.envoyproxy.io/owning-gateway-namespace": sharedGateway.namespace,
    });
    assert.equal(awake.length, 2);
    const asleep = ingress(rendered({}, { minReplicas: 0 }));
    assert.deepEqual(asleep[2], { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": kedaNamespace } } });
  });

  test("egress: DNS, its workspace, telemetry and the internet, but no private ranges (other pods, the VPC, metadata)", () => {
    const policy = find(rendered(), "NetworkPolicy")?.spec as Json;
    assert.deepEqual(policy.policyTypes, ["Ingress", "Egress"]);
    assert.deepEqual(policy.podSelector, {});
    assert.deepEqual(policy.egress[0].ports, [
      { port: 53, protocol: "UDP" },
      { port: 53, protocol: "TCP" },
    ]);
    const internet = policy.egress.find((rule: { to: { ipBlock?: unknown }[] }) => rule.to[0].ipBlock).to[0].ipBlock;
    assert.equal(internet.cidr, "0.0.0.0/0");
    for (const range of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16"])
      assert.ok(internet.except.includes(range), range);
  });
});

describe("names", () => {
  test("a name that is already a DNS label is kept; others are sanitized with a hash of the original", () => {
    assert.equal(dnsLabel("web"), "web");
    assert.match(dnsLabel("Web_App"), /^web-app-[0-9a-f]{8}$/);
    assert.notEqual(dnsLabel("Web_App"), dnsLabel("web-app"));
    assert.match(dnsLabel("1st"), /^app-1st-[0-9a-f]{8}$/);
  });

  test("names never exceed their limits, however long the input", () => {
    const long = "x".repeat(300);
    assert.ok(tenantNamespace("123456789", long).length <= 63);
    assert.ok(labelValue(long).length <= 63);
    assert.match(labelValue("Hello World!"), /^Hello-World-[0-9a-f]{8}$/);
  });

  test("sibling variables are upper-cased with anything else as underscores", () => {
    assert.equal(siblingUrlVariable("payments-api.v2"), "LOCO_PAYMENTS_API_V2_URL");
  });
});

describe("deployment specs", () => {
  const good = {
    service: {
      build: { type: "docker", image: "registry.loco.dev/acme/web:abc" },
      healthCheck: { path: "/api/health", intervalSeconds: 30, timeoutSeconds: 5, failureThreshold: 3, successThreshold: 1 },
      resources: { cpu: "100m", memory: "128Mi" },
      minReplicas: 1,
      maxReplicas: 1,
      port: 8000,
      region: "us-east-1",
    },
  };
  const withService = (service: Record<string, unknown>) => ({ service: { ...good.service, ...service } });
  const problems = (version: number, value: unknown) => {
    const result = parseServiceSpec(version, value);
    return result.ok ? [] : result.problems;
  };

  test("the documented v1 spec parses", () => {
    const result = parseServiceSpec(1, good);
    assert.ok(result.ok);
    assert.equal(result.ok && result.spec.port, 8000);
  });

  for (const [name, version, value, expected] of [
    ["an unknown spec_version", 2, good, /spec_version 2 is unknown/],
    ["a missing image", 1, withService({ build: { type: "docker" } }), /build\.image is missing/],
    ["an image with spaces", 1, withService({ build: { image: "not an image" } }), /not a container image reference/],
    ["a port out of range", 1, withService({ port: 70000 }), /port must be an integer from 1 to 65535 \(got 70000\)/],
    ["a port that is a string", 1, withService({ port: "8000" }), /port must be an integer/],
    [
      "a bad CPU quantity",
      1,
      withService({ resources: { cpu: "lots", memory: "128Mi" } }),
      /cpu must be a positive Kubernetes quantity .*"lots"/,
    ],
    ["a zero memory quantity", 1, withService({ resources: { cpu: "1", memory: "0" } }), /memory must be a positive/],
    ["max below min", 1, withService({ minReplicas: 3, maxReplicas: 2 }), /maxReplicas \(2\) is below minReplicas \(3\)/],
    ["a relative health check path", 1, withService({ healthCheck: { path: "health" } }), /healthCheck\.path must be an absolute/],
    ["no service at all", 1, { worker: {} }, /spec\.service must be an object/],
  ] as const) {
    test(`${name} is a problem with the field and value named`, () => assert.match(problems(version, value).join("\n"), expected));
  }

  test("every problem of a row is reported at once", () => {
    assert.equal(problems(1, withService({ port: 0, resources: { cpu: "x", memory: "y" } })).length, 3);
  });
});

describe("quantities and counts have upper bounds", () => {
  const service = (fields: Record<string, unknown>) => ({
    service: {
      build: { type: "docker", image: "registry.loco.dev/acme/web:abc" },
      resources: { cpu: "100m", memory: "128Mi" },
      minReplicas: 1,
      maxReplicas: 1,
      port: 8000,
      ...fields,
    },
  });
  const problems = (value: unknown) => {
    const result = parseServiceSpec(1, value);
    return result.ok ? [] : result.problems;
  };

  test("the limits are the largest droplet in data/digitalocean-catalog.json (16 vCPUs, 64 GiB) and 100 replicas", () => {
    assert.deepEqual(specLimits, {
      cpuCores: 16,
      memoryBytes: 64 * 2 ** 30,
      replicas: 100,
      probeSeconds: 3600,
      probeThreshold: 100,
      queueTargetLength: 100_000,
    });
  });

  test("requests up to the largest droplet are accepted", () => {
    assert.deepEqual(problems(service({ resources: { cpu: "16", memory: "64Gi" }, maxReplicas: 100 })), []);
    assert.deepEqual(problems(service({ resources: { cpu: "16000m", memory: "65536Mi" } })), []);
  });

  for (const [name, fields, expected] of [
    [
      "memory: 99999999999Ti",
      { resources: { cpu: "1", memory: "99999999999Ti" } },
      /^spec\.service\.resources\.memory must be at most 64Gi \(the most memory of any droplet in data\/digitalocean-catalog\.json\) \(got "99999999999Ti"\)$/,
    ],
    ["memory one byte over 64Gi", { resources: { cpu: "1", memory: "68719476737" } }, /memory must be at most 64Gi/],
    [
      "cpu: 17",
      { resources: { cpu: "17", memory: "1Gi" } },
      /^spec\.service\.resources\.cpu must be at most 16 \(the largest droplet in data\/digitalocean-catalog\.json has 16 vCPUs\) \(got "17"\)$/,
    ],
    ["cpu as an exponent beyond any number", { resources: { cpu: "1e999", memory: "1Gi" } }, /cpu must be at most 16/],
    ["maxReplicas: 101", { maxReplicas: 101 }, /^spec\.service\.maxReplicas must be an integer from 1 to 100 \(got 101\)$/],
    ["minReplicas: 100000", { minReplicas: 100000, maxReplicas: 100 }, /minReplicas must be an integer from 0 to 100 \(got 100000\)/],
    [
      "a probe period of a day",
      { healthCheck: { path: "/", intervalSeconds: 86400 } },
      /intervalSeconds must be an integer from 1 to 3600/,
    ],
  ] as const) {
    test(`${name} is refused, naming the limit`, () => {
      const found = problems(service(fields));
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(found[0], expected);
    });
  }

  test("a worker is held to the same bounds, and to a queue target", () => {
    const result = parseWorkerSpec(1, {
      worker: {
        build: { image: "registry.loco.dev/acme/mailer:1" },
        resources: { cpu: "32", memory: "1Pi" },
        minReplicas: 0,
        maxReplicas: 500,
        queue: { type: "redis", name: "q", connectionFromEnv: "REDIS_ADDRESS", targetLength: 1_000_000 },
      },
    });
    assert.equal(result.ok, false);
    const text = result.ok ? "" : result.problems.join("\n");
    assert.match(text, /spec\.worker\.resources\.cpu must be at most 16/);
    assert.match(text, /spec\.worker\.resources\.memory must be at most 64Gi/);
    assert.match(text, /spec\.worker\.maxReplicas must be an integer from 1 to 100 \(got 500\)/);
    assert.match(text, /spec\.worker\.queue\.targetLength must be an integer from 1 to 100000 \(got 1000000\)/);
  });
});

describe("workers", () => {
  const workerSpec: WorkerSpec = {
    kind: "worker",
    image: "registry.loco.dev/acme/mailer:aa11bb",
    cpu: "100m",
    memory: "128Mi",
    minReplicas: 0,
    maxReplicas: 4,
    queue: { type: "redis", name: "outgoing-mail", connectionFromEnv: "REDIS_ADDRESS", targetLength: 20 },
  };

  function workerInput(
    overrides: Partial<TenantAppInput<WorkerSpec>> = {},
    specOverrides: Partial<WorkerSpec> = {},
  ): TenantAppInput<WorkerSpec> {
    return {
      deployment: { id: "6", region: "us-east-1", replicas: 1 },
      spec: { ...workerSpec, ...specOverrides },
      resource: { id: "103", name: "mailer" },
      workspace: { id: "11", name: "storefront" },
      organization: { id: "1", name: "acme" },
      routes: [],
      siblings: [
        { appName: "web", url: "http://web.w11-web.svc.cluster.local" },
        { appName: "mailer", url: "never used: an app is not its own sibling" },
      ],
      environment: { sealed: true },
      context: { environment: "prod" },
      ...overrides,
    };
  }

  function worker(overrides: Partial<TenantAppInput<WorkerSpec>> = {}, specOverrides: Partial<WorkerSpec> = {}): RenderedApp {
    const result = renderTenantApp(workerInput(overrides, specOverrides));
    assert.ok(result.ok, result.ok ? "" : result.problems.join("; "));
    return result.app;
  }

  const variants: [string, Partial<TenantAppInput<WorkerSpec>>, Partial<WorkerSpec>][] = [
    ["a worker on a Redis list that may sleep", {}, {}],
    [
      "a worker on a RabbitMQ queue, with its values in hand",
      { environment: { values: { AMQP_URL: "amqp://mq.example:5672/mail" } }, registryPullConfig: '{"auths":{}}' },
      { minReplicas: 2, queue: { type: "rabbitmq", name: "uploads", connectionFromEnv: "AMQP_URL", targetLength: 5 } },
    ],
    ["a worker scaled on CPU", {}, { minReplicas: 1, maxReplicas: 3, queue: undefined }],
    [
      "a worker with one fixed replica and no stored environment",
      { environment: undefined },
      { minReplicas: 1, maxReplicas: 1, queue: undefined },
    ],
  ];
  for (const [name, overrides, specOverrides] of variants) {
    test(`${name}: every object validates against its schema`, async () => {
      const app = worker(overrides, specOverrides);
      const problems: string[] = [];
      for (const object of app.objects) problems.push(...(await validateKubernetesObject(object as KubernetesObject)).problems);
      assert.deepEqual(problems, []);
    });
  }

  test("no port and no route: no Service, HTTPRoute, ListenerSet or InterceptorRoute, and a container without ports or probes", () => {
    const app = worker({ routes });
    assert.equal(app.kind, "worker");
    assert.deepEqual(
      app.objects.map((o) => o.kind),
      ["Namespace", "NetworkPolicy", "Deployment", "ScaledObject"],
    );
    const c = container(app);
    for (const field of ["ports", "startupProbe", "readinessProbe", "livenessProbe"]) assert.equal(c[field], undefined, field);
    assert.equal(c.image, "registry.loco.dev/acme/mailer:aa11bb");
    assert.deepEqual(c.resources, { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "128Mi" } });
  });

  test("it is a tenant like any other: its namespace, tenant labels, restricted pods, the injected environment and its siblings' URLs", () => {
    const app = worker();
    const namespace = find(app, "Namespace") as AnyObject;
    assert.equal(namespace.metadata?.name, "w11-mailer");
    assert.equal(namespace.metadata?.labels?.[tenantLabels.appId], "103");
    assert.equal(namespace.metadata?.labels?.["pod-security.kubernetes.io/enforce"], "restricted");
    assert.equal(podSpec(app).automountServiceAccountToken, false);
    assert.deepEqual(
      container(app).env.map((e: { name: string }) => e.name),
      ["LOCO_APP_NAME", "LOCO_DEPLOYMENT_ID", "LOCO_PROFILE", "LOCO_TRACING_ENDPOINT", "LOCO_METRICS_ENDPOINT", "LOCO_WEB_URL"],
    );
    assert.deepEqual(container(app).envFrom, [{ secretRef: { name: "mailer-env" } }]);
  });

  test("a queue scales it with KEDA's redis scaler, from zero, reading the broker's address from its own environment", () => {
    const app = worker();
    assert.equal(app.sleeps, true);
    const scaled = find(app, "ScaledObject")?.spec as Json;
    assert.deepEqual(scaled.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: "mailer" });
    assert.equal(scaled.minReplicaCount, 0);
    assert.equal(scaled.maxReplicaCount, 4);
    assert.deepEqual(scaled.triggers, [
      { type: "redis", metadata: { addressFromEnv: "REDIS_ADDRESS", listName: "outgoing-mail", listLength: "20" } },
    ]);
    // While the queue cannot be read, one worker keeps consuming (more when more already run).
    assert.deepEqual(scaled.fallback, { failureThreshold: 3, replicas: 1, behavior: "currentReplicasIfHigher" });
  });

  test("a Redis password variable and a RabbitMQ queue become the scalers' own fields", () => {
    const redis = find(worker({}, { queue: { ...workerSpec.queue!, passwordFromEnv: "REDIS_PASSWORD" } }), "ScaledObject")?.spec as Json;
    assert.equal(redis.triggers[0].metadata.passwordFromEnv, "REDIS_PASSWORD");
    const rabbit = find(
      worker({}, { minReplicas: 2, queue: { type: "rabbitmq", name: "uploads", connectionFromEnv: "AMQP_URL", targetLength: 5 } }),
      "ScaledObject",
    )?.spec as Json;
    assert.deepEqual(rabbit.triggers, [
      { type: "rabbitmq", metadata: { hostFromEnv: "AMQP_URL", queueName: "uploads", mode: "QueueLength", value: "5" } },
    ]);
    assert.deepEqual(rabbit.fallback, { failureThreshold: 3, replicas: 2, behavior: "currentReplicasIfHigher" });
  });

  test("without a queue it scales on CPU only, and minReplicas 0 is kept at one replica with a warning (nothing could wake it)", () => {
    const app = worker({}, { queue: undefined, minReplicas: 0, maxReplicas: 3 });
    assert.equal(app.sleeps, false);
    assert.deepEqual(app.replicas, { min: 1, max: 3, initial: 1 });
    const scaled = find(app, "ScaledObject")?.spec as Json;
    assert.deepEqual(scaled.triggers, [{ type: "cpu", metricType: "Utilization", metadata: { value: "70" } }]);
    assert.equal(scaled.fallback, undefined);
    assert.match(app.warnings.join(), /minReplicas is 0 but the worker names no queue to wake it on: kept at 1 replica/);
  });

  test("a fixed count needs no ScaledObject; two or more always running get a disruption budget", () => {
    const fixed = worker({}, { queue: undefined, minReplicas: 2, maxReplicas: 2 });
    assert.equal(find(fixed, "ScaledObject"), undefined);
    assert.equal((find(fixed, "PodDisruptionBudget")?.spec as Json).maxUnavailable, 1);
  });

  test("nothing may connect to it: its NetworkPolicy admits no ingress, and keeps the egress every app has", () => {
    const policy = find(worker(), "NetworkPolicy")?.spec as Json;
    assert.deepEqual(policy.policyTypes, ["Ingress", "Egress"]);
    assert.deepEqual(policy.ingress, []);
    assert.deepEqual(policy.egress, (find(rendered(), "NetworkPolicy")?.spec as Json).egress);
  });

  test("the queue's variables must be in its stored environment: missing, or no environment at all, fails the app", () => {
    const missing = renderTenantApp(
      workerInput({ environment: { values: { OTHER: "x" } } }, { queue: { ...workerSpec.queue!, passwordFromEnv: "REDIS_PASSWORD" } }),
    );
    assert.deepEqual(missing.ok ? [] : missing.problems, [
      "spec.worker.queue.connectionFromEnv names REDIS_ADDRESS, which the app's stored environment does not hold",
      "spec.worker.queue.passwordFromEnv names REDIS_PASSWORD, which the app's stored environment does not hold",
    ]);
    const none = renderTenantApp(workerInput({ environment: undefined }));
    assert.deepEqual(none.ok ? [] : none.problems, [
      "spec.worker.queue.connectionFromEnv names REDIS_ADDRESS, but the app has no stored environment to hold it",
    ]);
    assert.equal(renderTenantApp(workerInput({ environment: { values: { REDIS_ADDRESS: "redis:6379" } } })).ok, true);
  });
});

describe("worker specs", () => {
  const good = {
    worker: {
      build: { type: "docker", image: "registry.loco.dev/acme/mailer:aa11bb" },
      resources: { cpu: "100m", memory: "128Mi" },
      minReplicas: 0,
      maxReplicas: 4,
      region: "us-east-1",
      queue: {
        type: "redis",
        name: "outgoing-mail",
        connectionFromEnv: "REDIS_ADDRESS",
        passwordFromEnv: "REDIS_PASSWORD",
        targetLength: 20,
      },
    },
  };
  const withWorker = (worker: Record<string, unknown>) => ({ worker: { ...good.worker, ...worker } });
  const withQueue = (queue: Record<string, unknown>) => withWorker({ queue: { ...good.worker.queue, ...queue } });
  const problems = (version: number, value: unknown) => {
    const result = parseWorkerSpec(version, value);
    return result.ok ? [] : result.problems;
  };

  test("the documented v1 spec parses, with and without a queue", () => {
    assert.deepEqual(parseWorkerSpec(1, good), {
      ok: true,
      spec: {
        kind: "worker",
        image: "registry.loco.dev/acme/mailer:aa11bb",
        cpu: "100m",
        memory: "128Mi",
        minReplicas: 0,
        maxReplicas: 4,
        region: "us-east-1",
        queue: {
          type: "redis",
          name: "outgoing-mail",
          connectionFromEnv: "REDIS_ADDRESS",
          passwordFromEnv: "REDIS_PASSWORD",
          targetLength: 20,
        },
      },
    });
    const cpuOnly = parseWorkerSpec(1, withWorker({ queue: undefined }));
    assert.equal(cpuOnly.ok && cpuOnly.spec.queue, undefined);
  });

  test("loco's resource type picks the parser; types nothing renders are undefined", () => {
    assert.equal(parseAppSpec("worker", 1, good)?.ok, true);
    assert.match(JSON.stringify(parseAppSpec("service", 1, good)), /spec\.service must be an object/);
    assert.equal(parseAppSpec("cache", 1, good), undefined);
    assert.equal(parseAppSpec("constructor", 1, good), undefined);
  });

  for (const [name, version, value, expected] of [
    ["an unknown spec_version", 2, good, /spec_version 2 is unknown/],
    ["no worker at all", 1, { service: {} }, /spec\.worker must be an object \(got missing\)/],
    ["a missing image", 1, withWorker({ build: {} }), /spec\.worker\.build\.image is missing/],
    ["a queue of an unknown broker", 1, withQueue({ type: "kafka" }), /queue\.type must be one of redis, rabbitmq \(got "kafka"\)/],
    ["a queue without a name", 1, withQueue({ name: "" }), /queue\.name must be the queue's name/],
    ["a queue name with a control character", 1, withQueue({ name: "mail\u001b[2J" }), /queue\.name must be .*\(got "mail\\u001b\[2J"\)/],
    [
      "an address that is not a variable name",
      1,
      withQueue({ connectionFromEnv: "redis://x:6379" }),
      /connectionFromEnv must name a variable/,
    ],
    ["a password variable for RabbitMQ", 1, withQueue({ type: "rabbitmq" }), /passwordFromEnv is for redis only/],
    ["a zero target length", 1, withQueue({ targetLength: 0 }), /targetLength must be an integer from 1 to 100000 \(got 0\)/],
    ["a queue that is a string", 1, withWorker({ queue: "emails" }), /spec\.worker\.queue must be an object \(got "emails"\)/],
  ] as const) {
    test(`${name} is a problem with the field and value named`, () => assert.match(problems(version, value).join("\n"), expected));
  }
});
