/**
 * Test doubles for `status`: a local HTTPS server speaking the subset of the Kubernetes API the probes read
 * (readyz, nodes, apps/v1 workload lists with label selectors, the shared Gateway, cert-manager Certificates), a
 * local HTTPS "public endpoint", and the certificates they serve, generated per test run by a throwaway CA.
 * Everything listens on 127.0.0.1 only.
 */
import { writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";
import { generate } from "selfsigned";

export interface TestPki {
  readonly caCert: string;
  readonly apiCert: string;
  readonly apiKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** A certificate for `status.loco.test`, valid for `days`. */
  publicCert(days: number): Promise<{ cert: string; key: string }>;
}

const ecdsa = { keyType: "ec" as const, algorithm: "sha256" };

export async function testPki(): Promise<TestPki> {
  const ca = await generate([{ name: "commonName", value: "loco test CA" }], {
    ...ecdsa,
    extensions: [
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  type Extensions = NonNullable<NonNullable<Parameters<typeof generate>[1]>["extensions"]>;
  const signed = (commonName: string, extensions: Extensions, notAfterDate?: Date) =>
    generate([{ name: "commonName", value: commonName }], { ...ecdsa, ca: { key: ca.private, cert: ca.cert }, extensions, notAfterDate });
  const api = await signed("kube-apiserver", [
    { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
    { name: "extKeyUsage", serverAuth: true },
  ]);
  const client = await signed("resurrector", [{ name: "extKeyUsage", clientAuth: true }]);
  return {
    caCert: ca.cert,
    apiCert: api.cert,
    apiKey: api.private,
    clientCert: client.cert,
    clientKey: client.private,
    async publicCert(days: number) {
      const leaf = await signed(
        "status.loco.test",
        [
          { name: "subjectAltName", altNames: [{ type: 2, value: "status.loco.test" }] },
          { name: "extKeyUsage", serverAuth: true },
        ],
        new Date(Date.now() + days * 86_400_000),
      );
      return { cert: leaf.cert, key: leaf.private };
    },
  };
}

export interface FakeWorkload {
  readonly kind: "deployments" | "statefulsets" | "daemonsets";
  readonly namespace: string;
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly desired: number;
  readonly ready: number;
}

/** The guarded cluster as the fake API presents it; tests change it between probes. */
export interface FakeCluster {
  readyz: { status: number; body: string };
  nodes: { name: string; ready: boolean; unschedulable?: boolean }[];
  workloads: FakeWorkload[];
  gateway?: { programmed: boolean; statusHost?: string };
  certificates: { namespace: string; name: string; ready: boolean; notAfter: string }[];
  /** Milliseconds to wait before answering a path (a slow API). */
  delays: Record<string, number>;
}

export interface FakeApi {
  readonly url: string;
  readonly cluster: FakeCluster;
  /** Request paths seen, for asserting what the probes asked. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** `k=v` and bare `k` (exists) terms, comma-separated: the selector forms the probes send. */
function matches(selector: string | null, labels: Record<string, string>): boolean {
  if (!selector) return true;
  return selector.split(",").every((term) => {
    const [key, value] = term.split("=");
    return value === undefined ? key in labels : labels[key] === value;
  });
}

function workloadJson(w: FakeWorkload) {
  const metadata = { name: w.name, namespace: w.namespace, labels: w.labels };
  if (w.kind === "daemonsets") return { metadata, status: { desiredNumberScheduled: w.desired, numberAvailable: w.ready } };
  return {
    metadata,
    spec: { replicas: w.desired },
    status: w.kind === "deployments" ? { availableReplicas: w.ready } : { readyReplicas: w.ready },
  };
}

function respond(cluster: FakeCluster, path: string, search: URLSearchParams): { status: number; body: unknown } {
  if (path === "/readyz") return { status: cluster.readyz.status, body: cluster.readyz.body };
  if (path === "/api/v1/nodes") {
    return {
      status: 200,
      body: {
        items: cluster.nodes.map((n) => ({
          metadata: { name: n.name },
          spec: { unschedulable: n.unschedulable },
          status: { conditions: [{ type: "Ready", status: n.ready ? "True" : "False" }] },
        })),
      },
    };
  }
  const workloads = /^\/apis\/apps\/v1(?:\/namespaces\/([^/]+))?\/(deployments|statefulsets|daemonsets)$/.exec(path);
  if (workloads) {
    const [, namespace, kind] = workloads;
    const items = cluster.workloads
      .filter((w) => w.kind === kind && (!namespace || w.namespace === namespace) && matches(search.get("labelSelector"), w.labels))
      .map(workloadJson);
    return { status: 200, body: { items } };
  }
  if (path === "/apis/gateway.networking.k8s.io/v1/namespaces/loco-gateway/gateways/loco") {
    if (!cluster.gateway) return { status: 404, body: { kind: "Status", message: 'gateways.gateway.networking.k8s.io "loco" not found' } };
    return {
      status: 200,
      body: {
        spec: { listeners: cluster.gateway.statusHost ? [{ name: "https-status", hostname: cluster.gateway.statusHost }] : [] },
        status: {
          conditions: [{ type: "Programmed", status: cluster.gateway.programmed ? "True" : "False", message: "no address assigned" }],
        },
      },
    };
  }
  if (path === "/apis/cert-manager.io/v1/certificates") {
    return {
      status: 200,
      body: {
        items: cluster.certificates.map((c) => ({
          metadata: { name: c.name, namespace: c.namespace },
          status: { notAfter: c.notAfter, conditions: [{ type: "Ready", status: c.ready ? "True" : "False", message: "issuing" }] },
        })),
      },
    };
  }
  return { status: 404, body: { kind: "Status", message: `${path} not found` } };
}

/** A healthy cluster: every add-on of resurrector/status/platform-workloads.ts ready, a programmed Gateway. */
export function healthyCluster(): FakeCluster {
  const deployment = (namespace: string, name: string, labels: Record<string, string>, replicas = 1): FakeWorkload => ({
    kind: "deployments",
    namespace,
    name,
    labels,
    desired: replicas,
    ready: replicas,
  });
  return {
    readyz: { status: 200, body: "ok" },
    nodes: [
      { name: "core-1", ready: true },
      { name: "apps-1", ready: true },
    ],
    workloads: [
      deployment(
        "envoy-gateway-system",
        "envoy-loco-gateway-loco-1a2b",
        { "gateway.envoyproxy.io/owning-gateway-name": "loco", "gateway.envoyproxy.io/owning-gateway-namespace": "loco-gateway" },
        2,
      ),
      deployment("envoy-gateway-system", "envoy-gateway", { "app.kubernetes.io/name": "gateway-helm" }),
      deployment("cert-manager", "cert-manager", { "app.kubernetes.io/instance": "cert-manager" }),
      deployment("cert-manager", "cert-manager-webhook", { "app.kubernetes.io/instance": "cert-manager" }),
      deployment("keda", "keda-operator", { "app.kubernetes.io/instance": "keda" }),
      deployment("keda", "keda-add-ons-http-interceptor", { "app.kubernetes.io/instance": "keda-add-ons-http" }, 3),
      deployment("loco-registry", "harbor-core", { "app.kubernetes.io/instance": "harbor" }),
      {
        kind: "statefulsets",
        namespace: "loco-observability",
        name: "chi-telemetry-0-0",
        labels: { "clickhouse.altinity.com/chi": "telemetry" },
        desired: 1,
        ready: 1,
      },
      {
        kind: "daemonsets",
        namespace: "loco-observability-agent",
        name: "otel-agent",
        labels: { "app.kubernetes.io/name": "opentelemetry-collector" },
        desired: 2,
        ready: 2,
      },
      deployment("loco-observability", "otel-gateway", { "app.kubernetes.io/name": "opentelemetry-collector" }),
      deployment("loco-observability", "grafana", { "app.kubernetes.io/name": "grafana" }),
    ],
    gateway: { programmed: true, statusHost: "status.loco.test" },
    certificates: [
      { namespace: "loco-gateway", name: "loco-wildcard", ready: true, notAfter: new Date(Date.now() + 60 * 86_400_000).toISOString() },
    ],
    delays: {},
  };
}

export interface FakeApiOptions {
  readonly pki: TestPki;
  /** "token": a bearer token is required; "client-certificate": a client certificate from the test CA is. */
  readonly auth: { kind: "token"; token: string } | { kind: "client-certificate" };
  readonly cluster?: FakeCluster;
}

export async function startFakeApi(options: FakeApiOptions): Promise<FakeApi> {
  const cluster = options.cluster ?? healthyCluster();
  const requests: string[] = [];
  const clientCerts = options.auth.kind === "client-certificate";
  const server: Server = createServer(
    { key: options.pki.apiKey, cert: options.pki.apiCert, ca: options.pki.caCert, requestCert: clientCerts, rejectUnauthorized: false },
    (request, response) => {
      const url = new URL(request.url ?? "/", "https://127.0.0.1");
      requests.push(url.pathname);
      const authorized =
        options.auth.kind === "token"
          ? request.headers.authorization === `Bearer ${options.auth.token}`
          : (request.socket as TLSSocket).authorized === true;
      const answer = authorized
        ? respond(cluster, url.pathname, url.searchParams)
        : { status: 401, body: { kind: "Status", message: "Unauthorized" } };
      const send = () => {
        if (response.destroyed) return;
        response.writeHead(answer.status, { "content-type": typeof answer.body === "string" ? "text/plain" : "application/json" });
        response.end(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body));
      };
      const delay = cluster.delays[url.pathname];
      if (delay) setTimeout(send, delay).unref();
      else send();
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cluster,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The public endpoint behind the gateway: answers `status` to every request over HTTPS with the given certificate. */
export async function startPublicEndpoint(
  tls: { cert: string; key: string },
  status = 200,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(tls, (_request, response) => {
    response.writeHead(status, { "content-type": "text/plain" });
    response.end(status === 200 ? "ok" : "no healthy upstream");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes a kubeconfig for the fake API into `dir` and returns its path. */
export function writeKubeconfig(
  dir: string,
  server: string,
  pki: TestPki,
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
  file = "kubeconfig.yaml",
): string {
  const path = join(dir, file);
  const config = {
    apiVersion: "v1",
    kind: "Config",
    "current-context": "guarded",
    contexts: [{ name: "guarded", context: { cluster: "loco", user: "resurrector" } }],
    clusters: [{ name: "loco", cluster: { server, "certificate-authority-data": Buffer.from(pki.caCert).toString("base64"), ...cluster } }],
    users: [{ name: "resurrector", user }],
  };
  writeFileSync(path, JSON.stringify(config));
  return path;
}
