import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildPlan } from "../plan/offline-plan";
import { parseStackConfig } from "../stacks/config";
import { TrafficLayer } from "../stacks/traffic";
import { RotationRun } from "../stacks/rotation-state";
import { expectedCorePoolPlacement } from "./core-pool-placement";
import {
  isSecret,
  projectDir,
  runComponents,
  runStack,
  secretValue,
  withOverrides,
  type RecordedResource,
  type Registered,
} from "./harness";

const lbType = "digitalocean:index/loadBalancer:LoadBalancer";
const proxyType = "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy";
const spec = (r: RecordedResource) => r.inputs.spec as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const envoyService = (registered: Registered) => spec(registered.one(proxyType)).provider.kubernetes.envoyService;
const trafficReleases = ["envoy-gateway", "cert-manager", "keda", "keda-add-ons-http", "metrics-server"];

/** Every block of Helm values that places pods (has tolerations), with its path. */
function placements(value: unknown, path = ""): { path: string; block: Record<string, unknown> }[] {
  if (!value || typeof value !== "object" || Array.isArray(value)) return [];
  const record = value as Record<string, unknown>;
  const here = "tolerations" in record ? [{ path: path || "(root)", block: record }] : [];
  return [...here, ...Object.entries(record).flatMap(([k, v]) => placements(v, path ? `${path}.${k}` : k))];
}

describe("the traffic layer on dev", () => {
  test("every public name points at the load balancer that lives outside the cluster, with no manual address", async () => {
    const registered = await runStack("dev");
    const lb = registered.one(lbType);
    const records = registered.ofType("cloudflare:index/dnsRecord:DnsRecord");
    assert.equal(records.length, 8, "seven public names and the load balancer's own name");
    for (const record of records) {
      assert.match(String(record.inputs.content), /^203\.0\.113\.\d+$/);
      assert.ok(registered.waitsFor(record, lb), `${String(record.inputs.name)} must follow the load balancer's address`);
    }
    assert.equal(lb.inputs.vpcUuid, "offline-placeholder-loco-dev-cluster-vpc", "the CCM adopts only a load balancer in its cluster's VPC");
  });

  test("the gateway's Service adopts that load balancer, and the ClientTrafficPolicy accepts the PROXY protocol it sends", async () => {
    const registered = await runStack("dev");
    const lb = registered.one(lbType);
    const annotations = envoyService(registered).annotations as Record<string, string>;
    assert.equal(annotations["kubernetes.digitalocean.com/load-balancer-id"], "offline-placeholder-loco-dev-entry-lb");
    assert.ok(registered.waitsFor(registered.one(proxyType), lb));
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-name"], "loco-dev-gateway");
    assert.equal(lb.inputs.enableProxyProtocol, true);
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol"], "true");
    assert.deepEqual(spec(registered.one("kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy")).proxyProtocol, {
      optional: false,
    });
  });

  test("pods reach the public names through the load balancer: the Service reports the load balancer's DNS name, not its IP", async () => {
    const registered = await runStack("dev");
    const annotations = envoyService(registered).annotations as Record<string, string>;
    // Without it the cloud controller reports the IP, and kube-proxy short-circuits in-cluster traffic to that IP
    // straight to the proxies, without the PROXY header they require: nodes pulling from the registry and
    // cert-manager's HTTP-01 self-check would be reset.
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-hostname"], "lb.dev.loco.example.com");
    const record = registered.ofType("cloudflare:index/dnsRecord:DnsRecord").find((r) => r.inputs.name === "lb.dev.loco.example.com");
    assert.ok(record, "the load balancer's name must resolve");
    assert.equal(record.inputs.type, "A");
    assert.ok(registered.waitsFor(record, registered.one(lbType)), "the record points at the load balancer's address");
  });

  test("the load balancer and the cloud controller agree on the network stack: IPv4 on both sides", async () => {
    const registered = await runStack("dev");
    const annotations = envoyService(registered).annotations as Record<string, string>;
    assert.equal(registered.one(lbType).inputs.networkStack, "IPV4");
    assert.equal(annotations["service.beta.kubernetes.io/do-loadbalancer-network-stack"], "IPV4");
    assert.deepEqual(
      registered
        .ofType("cloudflare:index/dnsRecord:DnsRecord")
        .map((r) => r.inputs.type)
        .filter((type) => type !== "A"),
      [],
      "IPv4 only: no AAAA record points at an address the load balancer does not have",
    );
  });

  test("without PROXY protocol on the load balancer the listeners do not require it, and HTTP/3 can be served", async () => {
    const registered = await runStack("dev", {
      "loco:traffic": { http3: true, loadBalancer: { sizeUnit: 1, proxyProtocol: false, disown: false } },
    });
    assert.equal(registered.one(lbType).inputs.enableProxyProtocol, false);
    assert.equal(envoyService(registered).annotations["service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol"], "false");
    const clients = spec(registered.one("kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy"));
    assert.equal(clients.proxyProtocol, undefined);
    assert.deepEqual(clients.http3, {});
  });

  test("dev certificates come from Let's Encrypt staging", async () => {
    const registered = await runStack("dev");
    assert.equal(spec(registered.one("kubernetes:cert-manager.io/v1:Certificate")).issuerRef.name, "letsencrypt-staging");
  });

  test("every traffic add-on tolerates and targets the core pool", async () => {
    const registered = await runStack("dev");
    const placement = expectedCorePoolPlacement;
    for (const name of trafficReleases) {
      const release = registered.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === name);
      assert.ok(release, name);
      const blocks = placements(release.inputs.values);
      assert.ok(blocks.length > 0, `${name} places its pods`);
      for (const { path, block } of blocks) {
        assert.deepEqual(block.tolerations, placement.tolerations, `${name} ${path}`);
        assert.deepEqual(block.affinity, placement.affinity, `${name} ${path}`);
        assert.deepEqual(block.nodeSelector, placement.nodeSelector, `${name} ${path}`);
      }
    }
    assert.deepEqual(placements(registered.one("kubernetes:helm.sh/v4:Chart").inputs.values), [], "the CRD chart runs no pods");
    const proxyPod = spec(registered.one(proxyType)).provider.kubernetes.envoyDeployment.pod;
    assert.deepEqual(proxyPod.tolerations, placement.tolerations);
    assert.deepEqual(proxyPod.affinity, placement.affinity);
  });

  test("the plan counts every traffic add-on and the Envoy proxies in the platform's requests", async () => {
    const { summary } = await buildPlan(projectDir, "dev");
    const sources = summary.platformRequests.lines.map((l) => l.source);
    for (const name of trafficReleases) {
      const line = summary.platformRequests.lines.find((l) => l.source.startsWith(`helm ${name} `));
      assert.ok(line && line.cpuMillicores > 0 && line.memoryMiB > 0, `${name} must request CPU and memory: ${sources.join(", ")}`);
    }
    const proxies = summary.platformRequests.lines.find((l) => l.source.startsWith("EnvoyProxy loco-gateway/loco-proxy"));
    // One Envoy at 100m/256Mi plus its shutdown-manager sidecar at 10m/32Mi.
    assert.deepEqual([proxies?.cpuMillicores, proxies?.memoryMiB], [110, 288]);
    assert.deepEqual(summary.platformRequests.withoutRequests, []);
  });

  test("a preserved certificate from config is restored, secret, before its Certificate", async () => {
    const pem = (file: string) => readFileSync(join(__dirname, "fixtures", "preserved-certificate", file), "utf8");
    const preserved = JSON.stringify({ "loco-public-tls": { "tls.crt": pem("tls.crt"), "tls.key": pem("tls.key") } });
    const registered = await runStack("dev", { "loco:preservedCertificates": { secret: preserved } });
    const restored = registered.all.find((r) => r.name === "loco-dev-cert-manager-loco-public-restored");
    assert.ok(restored);
    assert.ok(isSecret(restored.inputs.stringData));
    assert.ok(registered.waitsFor(registered.one("kubernetes:cert-manager.io/v1:Certificate"), restored));
  });

  test("the stack exports what the resurrector and the tenant renderer need", async () => {
    const outputs = (await runStack("dev")).stackOutputs.traffic as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.match(outputs.publicAddress, /^203\.0\.113\.\d+$/);
    assert.deepEqual(outputs.certificates.secrets, [
      {
        name: "loco-public",
        namespace: "loco-gateway",
        secretName: "loco-public-tls",
        dnsNames: ["dev.loco.example.com", "*.dev.loco.example.com", "*.us-east-1.dev.loco.example.com"],
      },
    ]);
    assert.deepEqual(outputs.keda, {
      interceptor: { service: "keda-add-ons-http-interceptor-proxy", namespace: "keda", port: 8080 },
      externalScalerAddress: "keda-add-ons-http-external-scaler.keda:9090",
    });
    assert.equal(outputs.gateway.name, "loco");
    assert.equal(outputs.gateway.namespace, "loco-gateway");
  });
});

describe("the traffic layer on prod", () => {
  test("the load balancer is protected; proxies autoscale with a PDB; add-ons run twice; certificates are production", async () => {
    const registered = await runStack("prod");
    assert.equal(registered.one(lbType).protect, true);
    assert.equal(registered.one(lbType).inputs.sizeUnit, 2);
    const kubernetes = spec(registered.one(proxyType)).provider.kubernetes;
    assert.deepEqual([kubernetes.envoyHpa.minReplicas, kubernetes.envoyHpa.maxReplicas], [2, 6]);
    assert.deepEqual(kubernetes.envoyPDB, { maxUnavailable: 1 });
    const values = (name: string) =>
      registered.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === name)?.inputs.values as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(values("cert-manager").replicaCount, 2);
    assert.equal(values("keda").operator.replicaCount, 2);
    assert.equal(values("keda-add-ons-http").interceptor.replicas.min, 2);
    assert.equal(values("envoy-gateway").deployment.replicas, 2);
    assert.equal(spec(registered.one("kubernetes:cert-manager.io/v1:Certificate")).issuerRef.name, "letsencrypt-production");
  });
});

describe("the traffic layer on the local stack", () => {
  test("no load balancer, no PROXY protocol, a self-signed CA: everything else is the same", async () => {
    const registered = await runStack("local");
    assert.equal(registered.ofType(lbType).length, 0);
    assert.deepEqual(envoyService(registered).annotations, {});
    // k3s ships metrics-server; kind users turn traffic.metricsServer on.
    assert.equal(registered.ofType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.name === "metrics-server").length, 0);
    const clients = spec(registered.one("kubernetes:gateway.envoyproxy.io/v1alpha1:ClientTrafficPolicy"));
    assert.equal(clients.proxyProtocol, undefined);
    assert.deepEqual(clients.http3, {});
    const certificates = registered.ofType("kubernetes:cert-manager.io/v1:Certificate");
    const publicCertificate = certificates.find((c) => (c.inputs.metadata as { name: string }).name === "loco-public");
    assert.equal(publicCertificate && spec(publicCertificate).issuerRef.name, "loco-local-ca");
    assert.equal(registered.one("kubernetes:gateway.networking.k8s.io/v1:Gateway").inputs.kind, "Gateway");
  });

  test("routesReady, what other layers wait for before their HTTPRoutes, is the CRDs, the Gateway and the public certificate", async () => {
    const config = withOverrides("local", {});
    const stackConfig = parseStackConfig({ stack: "local", values: config.values, secretKeys: new Set(config.secretKeys) });
    const { result } = await runComponents(() => {
      const kubernetes = new k8s.Provider("k8s", { context: "kind-loco" });
      const foundation = { providers: [kubernetes], database: pulumi.secret(pulumi.output({} as never)), outputs: {} };
      const rotations = new RotationRun({ ...stackConfig.rotation, now: "2026-01-01T00:00:00Z", previous: undefined });
      return new TrafficLayer("loco-local", { config: stackConfig, foundation, rotations }, { providers: [kubernetes] });
    });
    const urns = await Promise.all(
      result.routesReady.map((r) => new Promise<string>((resolve) => (r as pulumi.CustomResource).urn.apply(resolve))),
    );
    assert.equal(urns.length, 3);
    assert.match(urns[0], /kubernetes:helm\.sh\/v4:Chart::loco-local-gateway-crds$/);
    assert.match(urns[1], /kubernetes:gateway\.networking\.k8s\.io\/v1:Gateway::loco-local-gateway-gateway$/);
    assert.match(urns[2], /kubernetes:cert-manager\.io\/v1:Certificate::.*loco-public$/);
  });
});

describe("secrets of the traffic layer", () => {
  test("the Cloudflare token reaches cert-manager only as a secret", async () => {
    const registered = await runStack("dev");
    const token = registered.one("kubernetes:core/v1:Secret", "loco-dev-cert-manager-dns01-token");
    assert.ok(isSecret(token.inputs.stringData));
    assert.match(String((secretValue(token.inputs.stringData) as Record<string, string>)["api-token"]), /offline-placeholder-token/);
  });
});
