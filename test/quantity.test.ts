import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chartFootprint } from "../charts/chart";
import { certManagerChart } from "../charts/cert-manager";
import { openTelemetryCollectorChart } from "../charts/opentelemetry-collector";
import { cpuMillicores, isQuantity, memoryMiB, parseQuantity, storageGiB } from "../lib/quantity";

describe("Kubernetes quantities", () => {
  for (const [input, cores] of [
    ["100m", 0.1],
    ["1", 1],
    ["1.5", 1.5],
    [".5", 0.5],
    ["2k", 2000],
    ["1e3", 1000],
    ["5E-1", 0.5],
  ] as const) {
    test(`${input} is ${cores} in base units`, () => assert.equal(parseQuantity(input), cores));
  }

  test("binary and decimal suffixes differ", () => {
    assert.equal(memoryMiB("512Mi"), 512);
    assert.equal(memoryMiB("1Gi"), 1024);
    assert.ok(Math.abs(memoryMiB("1G") - 953.674) < 0.001);
    assert.equal(storageGiB("10Gi"), 10);
    assert.equal(cpuMillicores("250m"), 250);
  });

  test("every integer of millicores round-trips", () => {
    for (let m = 0; m <= 4000; m += 7) assert.equal(cpuMillicores(`${m}m`), m);
  });

  for (const bad of ["", "10 Mi", "1.2.3", "-1", "5MB", "1e", "m"]) {
    test(`rejects ${JSON.stringify(bad)} and names it`, () => {
      assert.equal(isQuantity(bad), false);
      assert.throws(() => parseQuantity(bad), new RegExp(`invalid quantity "${bad.replace(/[.]/g, "\\.")}"`));
    });
  }
});

describe("chart footprints", () => {
  test("replicas times requests, per workload, with disabled workloads skipped", () => {
    const footprint = chartFootprint(
      certManagerChart,
      {
        replicaCount: 2,
        resources: { requests: { cpu: "50m", memory: "64Mi" } },
        webhook: { replicaCount: 3, resources: { requests: { cpu: "10m", memory: "32Mi" } } },
        cainjector: { enabled: false },
      },
      5,
    );
    assert.deepEqual(footprint, { cpuMillicores: 130, memoryMiB: 224, storageGiB: 0, withoutRequests: [] });
  });

  test("a workload without requests is named, not silently counted as free", () => {
    assert.deepEqual(chartFootprint(certManagerChart, {}, 1).withoutRequests, [
      "cert-manager/controller",
      "cert-manager/webhook",
      "cert-manager/cainjector",
    ]);
  });

  test("a DaemonSet-mode collector runs once per node", () => {
    const values = { mode: "daemonset", resources: { requests: { cpu: "100m", memory: "128Mi" } } };
    assert.equal(chartFootprint(openTelemetryCollectorChart, values, 4).cpuMillicores, 400);
    assert.equal(chartFootprint(openTelemetryCollectorChart, { ...values, mode: "deployment", replicaCount: 2 }, 4).cpuMillicores, 200);
  });
});
