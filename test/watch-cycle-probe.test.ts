/** How a watch cycle's `status` checks become the probe history's platform checks and the decision's input. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CheckResult } from "../resurrector/status/probes";
import { publishableTextProblem } from "../resurrector/status-page/publishable-text";
import { cycleProbe, probeRecords } from "../resurrector/watch/cycle-probe";

const at = new Date("2026-11-29T12:00:00Z");
const check = (name: string, health: CheckResult["health"], durationMs = 10): CheckResult => ({
  name,
  health,
  detail: `${name}: https://10.0.0.1:6443 said no`,
  durationMs,
});

describe("a cycle's probe records", () => {
  test("each status check counts under the platform check a user would notice it in", () => {
    const records = probeRecords(at, [
      check("api", "ok", 20),
      check("nodes", "degraded", 30),
      check("gateway", "ok"),
      check("gateway-proxy", "ok"),
      check("public-https", "down", 40),
      check("harbor", "ok", 5),
      check("keda", "ok"),
      check("certificates", "ok"),
    ]);
    assert.deepEqual(records, [
      { at, check: "Kubernetes control plane", state: "degraded", latencyMs: 30, detail: "nodes degraded" },
      { at, check: "Public endpoint", state: "down", latencyMs: null, detail: "public-https down" },
      { at, check: "Registry", state: "healthy", latencyMs: 5, detail: "" },
    ]);
    assert.deepEqual(cycleProbe(records), { at, health: "down", publicEndpoint: "down" });
  });

  test("details name checks, never what they said (hosts and addresses stay off the public page)", () => {
    const records = probeRecords(at, [check("api", "down"), check("public-https", "degraded")]);
    for (const record of records) assert.equal(publishableTextProblem(record.detail ?? ""), undefined, record.detail);
  });

  test("a cluster that could not be reached: the control plane is down, the rest not probed", () => {
    const records = probeRecords(at, []);
    assert.deepEqual(records, [
      { at, check: "Kubernetes control plane", state: "down", latencyMs: null, detail: "not probed: the cluster did not answer" },
    ]);
    assert.deepEqual(cycleProbe(records), { at, health: "down", publicEndpoint: "unknown" });
  });

  test("the public endpoint probed on its own still counts", () => {
    const records = probeRecords(at, [check("api", "down"), check("public-https", "ok", 80)]);
    assert.deepEqual(cycleProbe(records), { at, health: "down", publicEndpoint: "healthy" });
  });
});
