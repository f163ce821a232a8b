import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import { Keda, validateKedaArgs, type KedaArgs } from "../components/keda";
import { interceptorReferenceGrant, kedaHttpExternalScalerAddress, kedaHttpInterceptor } from "../lib/keda-http";
import { expectedCorePoolPlacement } from "./core-pool-placement";
import { runComponents, type Registered } from "./harness";
import { validateKubernetesObject } from "./kubernetes-schema";

const args = (patch: Partial<KedaArgs["interceptor"]> = {}, replicas = 2, metricsServer = true): KedaArgs => ({
  replicas,
  metricsServer,
  interceptor: {
    minReplicas: 2,
    maxReplicas: 6,
    coldStartTimeoutSeconds: 30,
    requestTimeoutSeconds: 60,
    cpu: "200m",
    memory: "256Mi",
    ...patch,
  },
});
const build = (a: KedaArgs = args()) =>
  runComponents(() => new Keda("keda", a, { providers: [new k8s.Provider("k8s", { context: "test" })] }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const values = (registered: Registered, helmName: string): Record<string, any> => {
  const found = registered.ofType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.name === helmName);
  assert.equal(found.length, 1, `one release named ${helmName}`);
  return found[0].inputs.values as Record<string, unknown>;
};

describe("Keda", () => {
  test("the HTTP add-on is release keda-add-ons-http in namespace keda, where lib/keda-http.ts says its Services are", async () => {
    const registered = await build();
    const addOn = registered.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "keda-add-ons-http");
    assert.ok(addOn);
    assert.equal(addOn.inputs.namespace, "keda");
    assert.equal(addOn.inputs.version, "0.15.0");
    assert.equal(kedaHttpInterceptor.namespace, "keda");
  });

  test("the add-on waits for KEDA: its interceptor is scaled by a KEDA ScaledObject", async () => {
    const registered = await build();
    const [keda, addOn] = ["keda", "keda-add-ons-http"].map((n) =>
      registered.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === n),
    );
    assert.ok(keda && addOn);
    assert.ok(registered.waitsFor(addOn, keda));
    assert.equal(values(registered, "keda").crds.install, true);
  });

  test("the interceptor queue is bounded: requests wait for a cold start at most coldStartTimeoutSeconds, and finish within the request timeout", async () => {
    const interceptor = values(await build(), "keda-add-ons-http").interceptor;
    assert.equal(interceptor.readinessTimeout, "30s");
    assert.equal(interceptor.requestTimeout, "60s");
    assert.equal(interceptor.responseHeaderTimeout, "60s");
    // Memory is limited, not just requested: held requests cannot grow the interceptor past what it was sized for.
    assert.deepEqual(interceptor.resources, { requests: { cpu: "200m", memory: "256Mi" }, limits: { memory: "256Mi" } });
  });

  test("prod runs 2+ interceptors, spread over nodes, with a PDB, and two scalers", async () => {
    const v = values(await build(), "keda-add-ons-http");
    assert.deepEqual(v.interceptor.replicas, { min: 2, max: 6 });
    assert.equal(v.interceptor.pdb.enabled, true);
    assert.equal(v.interceptor.topologySpreadConstraints[0].topologyKey, "kubernetes.io/hostname");
    assert.equal(v.scaler.replicas, 2);
    const keda = values(await build(), "keda");
    assert.equal(keda.operator.replicaCount, 2);
    assert.deepEqual(keda.podDisruptionBudget.operator, { minAvailable: 1 });
  });

  test("every KEDA and add-on component tolerates and targets the core pool", async () => {
    const registered = await build();
    const placement = expectedCorePoolPlacement;
    const keda = values(registered, "keda");
    const addOn = values(registered, "keda-add-ons-http");
    for (const part of [keda, addOn.operator, addOn.scaler, addOn.interceptor]) {
      assert.deepEqual(part.tolerations, placement.tolerations);
      assert.deepEqual(part.nodeSelector, placement.nodeSelector);
      assert.deepEqual(part.affinity, placement.affinity);
    }
  });

  test("metrics-server serves the metrics API the HPAs read, from kube-system, on the core pool, with a PDB when doubled", async () => {
    const registered = await build();
    const release = registered.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "metrics-server");
    assert.ok(release);
    assert.equal(release.inputs.namespace, "kube-system");
    const v = values(registered, "metrics-server");
    assert.equal(v.replicas, 2);
    assert.deepEqual(v.podDisruptionBudget, { enabled: true, minAvailable: 1 });
    assert.deepEqual(v.tolerations, expectedCorePoolPlacement.tolerations);
    assert.deepEqual(v.affinity, expectedCorePoolPlacement.affinity);
  });

  test("a cluster that already serves the metrics API gets no second metrics-server", async () => {
    const registered = await build(args({}, 1, false));
    assert.equal(registered.ofType("kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.name === "metrics-server").length, 0);
  });

  test("the tenant renderer gets the interceptor Service and the external scaler address", async () => {
    const { result } = await build();
    assert.deepEqual(result.tenantContract, {
      interceptor: { service: "keda-add-ons-http-interceptor-proxy", namespace: "keda", port: 8080 },
      externalScalerAddress: kedaHttpExternalScalerAddress,
    });
    assert.equal(kedaHttpExternalScalerAddress, "keda-add-ons-http-external-scaler.keda:9090");
  });

  test("a tenant namespace's ReferenceGrant lets only its HTTPRoutes reach only the interceptor, and validates", async () => {
    const grant = interceptorReferenceGrant("ws-acme-shop");
    assert.equal(grant.metadata.namespace, "keda");
    assert.deepEqual(grant.spec.from, [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute", namespace: "ws-acme-shop" }]);
    assert.deepEqual(grant.spec.to, [{ group: "", kind: "Service", name: "keda-add-ons-http-interceptor-proxy" }]);
    assert.deepEqual((await validateKubernetesObject(grant)).problems, []);
  });

  test("bad args fail with the field named", () => {
    assert.throws(() => validateKedaArgs("k", args({ maxReplicas: 1 })), /interceptor\.maxReplicas/);
    assert.throws(() => validateKedaArgs("k", args({ coldStartTimeoutSeconds: 60 })), /interceptor\.coldStartTimeoutSeconds/);
    assert.throws(() => validateKedaArgs("k", args({ memory: "a lot" })), /interceptor\.memory/);
  });
});
