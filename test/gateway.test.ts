import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SharedGateway, validateSharedGatewayArgs, type SharedGatewayArgs } from "../components/gateway";
import { gatewayObject } from "../components/gateway-api-objects";
import { gatewayObjects } from "../components/gateway-object-names";
import { publicNames } from "../lib/public-names";
import { gatewayListeners, httpRoutesLabel, platformRoutesLabel, tenantNamespaceLabel } from "../lib/shared-gateway";
import { otelGateway, otelGatewayHost } from "../lib/telemetry-endpoints";
import { expectedCorePoolPlacement } from "./core-pool-placement";
import { runComponents, type RecordedResource, type Registered } from "./harness";

const names = publicNames("loco.example.com", "us-east-1", "apex");
const args = (patch: Partial<SharedGatewayArgs> = {}): SharedGatewayArgs => ({
  names,
  tlsSecretName: "loco-public-tls",
  gatewayApiCrds: "install",
  http3: false,
  proxy: { minReplicas: 2, maxReplicas: 6, cpu: "250m", memory: "512Mi" },
  service: { annotations: pulumi.output({ "example.com/lb": "adopt-me" }), proxyProtocol: true },
  timeouts: { requestSeconds: 60, idleSeconds: 300 },
  backendLimits: { maxParallelRequests: 1024, maxPendingRequests: 256 },
  apiRateLimit: { requestsPerSecond: 50 },
  ...patch,
});

const build = (patch: Partial<SharedGatewayArgs> = {}) =>
  runComponents(() => new SharedGateway("envoy-gateway", args(patch), { providers: [new k8s.Provider("k8s", { context: "test" })] }));

const kind = (registered: Registered, k: string): RecordedResource[] => registered.all.filter((r) => r.inputs.kind === k);
const spec = (r: RecordedResource) => r.inputs.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const release = (registered: Registered, helmName: string) => {
  const found = registered.ofType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.name === helmName);
  assert.equal(found.length, 1, `one release named ${helmName}`);
  return found[0];
};
const crdChart = (registered: Registered) => registered.one("kubernetes:helm.sh/v4:Chart");
const listener = (registered: Registered, name: string) =>
  (spec(registered.one("kubernetes:gateway.networking.k8s.io/v1:Gateway")).listeners as { name: string }[]).find(
    (l) => l.name === name,
  ) as Record<
    string,
    any // eslint-disable-line @typescript-eslint/no-explicit-any
  >;

describe("SharedGateway", () => {
  test("the HTTP listener redirects everything; it admits only the redirect and ACME challenge routes of labelled namespaces", async () => {
    const registered = await build();
    const http = listener(registered, gatewayListeners.http);
    assert.equal(http.port, 80);
    assert.deepEqual(http.allowedRoutes.namespaces, {
      from: "Selector",
      selector: { matchLabels: { [httpRoutesLabel.key]: httpRoutesLabel.value } },
    });
    const gatewayNamespace = registered
      .ofType("kubernetes:core/v1:Namespace")
      .find((n) => (n.inputs.metadata as { name: string }).name === "loco-gateway");
    assert.equal(
      (gatewayNamespace?.inputs.metadata as { labels: Record<string, string> }).labels[httpRoutesLabel.key],
      httpRoutesLabel.value,
    );
    const routes = registered.ofType("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");
    assert.equal(routes.length, 1);
    const redirect = spec(routes[0]);
    assert.deepEqual(redirect.parentRefs, [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "loco", namespace: "loco-gateway", sectionName: "http" },
    ]);
    assert.equal(redirect.hostnames, undefined, "every host is redirected");
    // Strictly equal: no backendRefs, so nothing on port 80 reaches a backend.
    assert.deepEqual(redirect.rules, [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }]);
    assert.equal((routes[0].inputs.metadata as { namespace: string }).namespace, "loco-gateway");
  });

  test("tenants' own domains attach as ListenerSets, from tenant namespaces only", async () => {
    const gateway = spec((await build()).one("kubernetes:gateway.networking.k8s.io/v1:Gateway"));
    assert.deepEqual(gateway.allowedListeners, {
      namespaces: { from: "Selector", selector: { matchLabels: { [tenantNamespaceLabel.key]: tenantNamespaceLabel.value } } },
    });
  });

  test("platform listeners admit routes only from platform namespaces, tenant listeners only from tenant namespaces", async () => {
    const registered = await build();
    const selector = (name: string) => listener(registered, name).allowedRoutes.namespaces;
    for (const name of [
      gatewayListeners.webApp,
      gatewayListeners.api,
      gatewayListeners.dashboards,
      gatewayListeners.registry,
      gatewayListeners.status,
    ]) {
      assert.deepEqual(
        selector(name),
        { from: "Selector", selector: { matchLabels: { [platformRoutesLabel.key]: platformRoutesLabel.value } } },
        name,
      );
    }
    for (const name of [gatewayListeners.tenants, gatewayListeners.regionTenants]) {
      assert.deepEqual(
        selector(name),
        { from: "Selector", selector: { matchLabels: { [tenantNamespaceLabel.key]: tenantNamespaceLabel.value } } },
        name,
      );
    }
  });

  test("each public name has its HTTPS listener terminating TLS with the certificate's Secret", () => {
    const listeners = gatewayObject(names, "loco-public-tls").spec.listeners.filter((l) => l.protocol === "HTTPS");
    assert.deepEqual(
      listeners.map((l) => [l.name, l.hostname]),
      [
        ["https-web-app", "loco.example.com"],
        ["https-api", "api.loco.example.com"],
        ["https-dashboards", "dashboards.loco.example.com"],
        ["https-registry", "registry.loco.example.com"],
        ["https-status", "status.loco.example.com"],
        ["https-tenants", "*.loco.example.com"],
        ["https-region-tenants", "*.us-east-1.loco.example.com"],
      ],
    );
    for (const l of listeners) {
      assert.equal(l.port, 443);
      assert.deepEqual(l.tls, { mode: "Terminate", certificateRefs: [{ group: "", kind: "Secret", name: "loco-public-tls" }] });
    }
  });

  test("custom resources wait for the chart that installs their CRDs; the controller waits for it too", async () => {
    const registered = await build();
    const crds = crdChart(registered);
    const custom = registered.all.filter(
      (r) => r.custom && /^kubernetes:(gateway\.networking\.k8s\.io|gateway\.envoyproxy\.io)\//.test(r.type),
    );
    assert.equal(custom.length, 7);
    for (const object of custom) assert.ok(registered.waitsFor(object, crds), `${object.type} must wait for the CRDs`);
    assert.ok(registered.waitsFor(release(registered, "envoy-gateway"), crds));
  });

  test("the Gateway waits for its EnvoyProxy and the controller, so no proxy Service is ever made without the adoption annotations", async () => {
    const registered = await build();
    const gateway = registered.one("kubernetes:gateway.networking.k8s.io/v1:Gateway");
    assert.ok(registered.waitsFor(gateway, registered.one("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")));
    assert.ok(registered.waitsFor(gateway, release(registered, "envoy-gateway")));
    assert.deepEqual(spec(gateway).infrastructure.parametersRef, {
      group: "gateway.envoyproxy.io",
      kind: "EnvoyProxy",
      name: gatewayObjects.proxyConfig,
    });
  });

  test("routesReady is the CRD chart and the Gateway", async () => {
    const { result } = await build();
    const types = await Promise.all(
      result.routesReady.map((r) => new Promise<string>((resolve) => (r as pulumi.CustomResource).urn.apply(resolve))),
    );
    assert.equal(types.length, 2);
    assert.match(types[0], /helm\.sh\/v4:Chart::envoy-gateway-crds$/);
    assert.match(types[1], /gateway\.networking\.k8s\.io\/v1:Gateway::envoy-gateway-gateway$/);
  });

  test("Envoy Gateway installs standard-channel Gateway API CRDs from its CRD chart, not the experimental copy in gateway-helm", async () => {
    const registered = await build();
    const chart = crdChart(registered);
    // Rendered by Pulumi, not a Helm release: a release record of these CRDs exceeds Helm's 1 MiB Secret.
    assert.equal(chart.inputs.chart, "oci://docker.io/envoyproxy/gateway-crds-helm");
    assert.equal(chart.inputs.version, "v1.9.0");
    const crds = chart.inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(crds.crds, { gatewayAPI: { enabled: true, channel: "standard" }, envoyGateway: { enabled: true } });
    const controller = release(registered, "envoy-gateway");
    assert.deepEqual((controller.inputs.values as { crds: unknown }).crds, { enabled: false });
    assert.equal(controller.inputs.skipCrds, true);
  });

  test("a cluster that provides the Gateway API CRDs gets only Envoy Gateway's", async () => {
    const registered = await build({ gatewayApiCrds: "provided" });
    const values = crdChart(registered).inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(values.crds.gatewayAPI.enabled, false);
    assert.equal(values.crds.envoyGateway.enabled, true);
  });

  test("prod proxies: an HPA between min and max, a PDB, spread across core nodes", async () => {
    const k = spec((await build()).one("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")).provider.kubernetes;
    assert.equal(k.envoyHpa.minReplicas, 2);
    assert.equal(k.envoyHpa.maxReplicas, 6);
    assert.equal(k.envoyDeployment.replicas, undefined, "the HPA owns the replica count");
    assert.deepEqual(k.envoyPDB, { maxUnavailable: 1 });
    const pod = k.envoyDeployment.pod;
    const { topologySpreadConstraints, ...placement } = pod;
    assert.deepEqual(placement, expectedCorePoolPlacement);
    assert.equal(topologySpreadConstraints[0].topologyKey, "kubernetes.io/hostname");
    assert.equal(topologySpreadConstraints[0].maxSkew, 1);
    assert.deepEqual(k.envoyDeployment.container.resources, { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "512Mi" } });
  });

  test("a single dev proxy has a fixed replica count and no HPA or PDB (a PDB would block every drain)", async () => {
    const k = spec(
      (await build({ proxy: { minReplicas: 1, maxReplicas: 1, cpu: "100m", memory: "256Mi" } })).one(
        "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy",
      ),
    ).provider.kubernetes;
    assert.equal(k.envoyDeployment.replicas, 1);
    assert.equal(k.envoyHpa, undefined);
    assert.equal(k.envoyPDB, undefined);
  });

  test("the proxies' Service carries the load balancer annotations and keeps the client address", async () => {
    const service = spec((await build()).one("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")).provider.kubernetes.envoyService;
    assert.deepEqual(service.annotations, { "example.com/lb": "adopt-me" });
    assert.equal(service.type, "LoadBalancer");
    assert.equal(service.externalTrafficPolicy, "Local");
  });

  test("proxy metrics and access logs go to the OpenTelemetry gateway", async () => {
    const telemetry = spec((await build()).one("kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")).telemetry;
    const otlp = { host: otelGatewayHost, port: otelGateway.grpcPort };
    assert.deepEqual(telemetry.metrics.sinks, [{ type: "OpenTelemetry", openTelemetry: otlp }]);
    const sink = telemetry.accessLog.settings[0].sinks[0];
    assert.equal(sink.type, "OpenTelemetry");
    assert.equal(sink.openTelemetry.host, otlp.host);
    assert.equal(sink.openTelemetry.port, otlp.port);
  });

  test("PROXY protocol is required exactly when the load balancer sends it; HTTP/3 is served when asked for", async () => {
    const policy = (patch: Partial<SharedGatewayArgs>) =>
      build(patch).then((r) => spec(r.one("kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy")));
    const behindProxyProtocol = await policy({});
    assert.deepEqual(behindProxyProtocol.targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "loco" }]);
    assert.deepEqual(behindProxyProtocol.proxyProtocol, { optional: false });
    assert.equal(behindProxyProtocol.http3, undefined);
    const http3 = await policy({ service: { proxyProtocol: false }, http3: true });
    assert.deepEqual(http3.http3, {});
    assert.equal(http3.proxyProtocol, undefined);
  });

  test("HTTP/3 together with PROXY protocol is refused: Envoy rejects the QUIC listener Envoy Gateway builds for it", () => {
    assert.throws(() => validateSharedGatewayArgs("g", args({ http3: true })), /http3 cannot be combined with service\.proxyProtocol/);
  });

  test("backend defaults from config apply to the whole Gateway, with per-app request limits", async () => {
    const registered = await build();
    const defaults = kind(registered, "BackendTrafficPolicy").find(
      (r) => (r.inputs.metadata as { name: string }).name === gatewayObjects.backendDefaults,
    );
    assert.ok(defaults);
    assert.deepEqual(spec(defaults).targetRefs, [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: "loco" }]);
    assert.deepEqual(spec(defaults).timeout, { http: { requestTimeout: "60s", connectionIdleTimeout: "300s" } });
    assert.deepEqual(spec(defaults).circuitBreaker, { maxParallelRequests: 1024, maxPendingRequests: 256 });
  });

  test("the API host is rate limited per client IP, and keeps the backend defaults", async () => {
    const registered = await build();
    const api = kind(registered, "BackendTrafficPolicy").find(
      (r) => (r.inputs.metadata as { name: string }).name === gatewayObjects.apiPolicy,
    );
    assert.ok(api);
    assert.deepEqual(spec(api).targetRefs, [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "loco", sectionName: "https-api" },
    ]);
    assert.deepEqual(spec(api).rateLimit.local.rules, [
      { clientSelectors: [{ sourceCIDR: { type: "Distinct", value: "0.0.0.0/0" } }], limit: { requests: 50, unit: "Second" } },
    ]);
    assert.deepEqual(spec(api).timeout, { http: { requestTimeout: "60s", connectionIdleTimeout: "300s" } });
    assert.ok(spec(api).circuitBreaker);
  });

  test("the controller and its certgen job run on the core pool; two controllers when the proxies are redundant", async () => {
    const values = release(await build(), "envoy-gateway").inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(values.deployment.pod, expectedCorePoolPlacement);
    for (const [key, value] of Object.entries(expectedCorePoolPlacement)) assert.deepEqual(values.certgen.job[key], value);
    assert.equal(values.deployment.replicas, 2);
    assert.deepEqual(values.podDisruptionBudget, { minAvailable: 1 });
  });

  test("bad args fail with the field named", () => {
    assert.throws(
      () => validateSharedGatewayArgs("g", args({ proxy: { minReplicas: 3, maxReplicas: 2, cpu: "1", memory: "1Gi" } })),
      /proxy\.maxReplicas/,
    );
    assert.throws(
      () => validateSharedGatewayArgs("g", args({ proxy: { minReplicas: 1, maxReplicas: 2, cpu: "lots", memory: "1Gi" } })),
      /proxy\.cpu/,
    );
  });
});
