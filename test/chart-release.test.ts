import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { certManagerChart } from "../charts/cert-manager";
import { envoyGatewayChart } from "../charts/envoy-gateway";
import { chartRelease } from "../components/chart-release";
import { platformNamespace } from "../components/namespace";
import { deepMerge } from "../lib/deep-merge";
import { runComponents, secretValue } from "./harness";

const provider = () => new k8s.Provider("k8s", { context: "test" });

describe("chartRelease", () => {
  test("installs the pinned version from the chart's repository, atomically, into an existing namespace", async () => {
    const release = (
      await runComponents(() =>
        chartRelease(
          "traffic-cert-manager-release",
          certManagerChart,
          { releaseName: "cert-manager", namespace: "cert-manager", values: {} },
          { provider: provider() },
        ),
      )
    ).one("kubernetes:helm.sh/v3:Release");
    assert.equal(release.name, "traffic-cert-manager-release");
    assert.equal(release.inputs.name, "cert-manager", "the Helm release is named by releaseName, never by the Pulumi name");
    assert.equal(release.inputs.chart, "cert-manager");
    assert.equal(release.inputs.version, "v1.21.1");
    assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://charts.jetstack.io" });
    assert.equal(release.inputs.atomic, true);
    assert.equal(release.inputs.createNamespace, false);
  });

  test("an OCI chart is referenced by its oci:// URL with no repository", async () => {
    const release = (
      await runComponents(() =>
        chartRelease("eg", envoyGatewayChart, { releaseName: "eg", namespace: "eg", values: {} }, { provider: provider() }),
      )
    ).one("kubernetes:helm.sh/v3:Release");
    assert.equal(release.inputs.chart, "oci://docker.io/envoyproxy/gateway-helm");
    assert.equal(release.inputs.repositoryOpts, undefined);
  });

  test("the builder's values are sent as they are and secret leaves stay secret", async () => {
    const values = { replicaCount: 1, webhook: { replicaCount: 3, timeoutSeconds: 10 }, token: pulumi.secret("s3cret") };
    const release = (
      await runComponents(() =>
        chartRelease("cm", certManagerChart, { releaseName: "cm", namespace: "cm", values }, { provider: provider() }),
      )
    ).one("kubernetes:helm.sh/v3:Release");
    const rendered = release.inputs.values as Record<string, unknown>;
    assert.deepEqual(rendered.webhook, { replicaCount: 3, timeoutSeconds: 10 });
    assert.equal(secretValue(rendered.token), "s3cret");
  });
});

describe("platformNamespace", () => {
  test("enforces the requested Pod Security level and carries extra labels", async () => {
    const namespace = (
      await runComponents(() =>
        platformNamespace(
          "registry-harbor-namespace",
          { name: "loco-registry", podSecurity: "baseline", labels: { "loco.dev/platform-routes": "true" } },
          { provider: provider() },
        ),
      )
    ).one("kubernetes:core/v1:Namespace");
    assert.equal(namespace.name, "registry-harbor-namespace");
    assert.equal(
      (namespace.inputs.metadata as { name: string }).name,
      "loco-registry",
      "the Kubernetes name is its own, not the Pulumi name",
    );
    const labels = (namespace.inputs.metadata as { labels: Record<string, string> }).labels;
    assert.equal(labels["pod-security.kubernetes.io/enforce"], "baseline");
    assert.equal(labels["loco.dev/platform-routes"], "true");
  });
});

describe("deepMerge", () => {
  test("objects merge, arrays and Outputs are replaced whole, inputs are not mutated", () => {
    const output = pulumi.output("x");
    const base = { a: { b: 1, c: [1, 2] }, d: output };
    const merged = deepMerge(base, { a: { c: [3] }, e: 2 });
    assert.deepEqual(merged, { a: { b: 1, c: [3] }, d: output, e: 2 });
    assert.deepEqual(base.a.c, [1, 2]);
    assert.equal(deepMerge({ d: "plain" }, { d: output }).d, output);
  });
});
