import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { summarizeProviderCode } from "../plan/dynamic-providers";
import { buildPlan } from "../plan/offline-plan";
import { writePlan } from "../plan/write-plan";
import { projectDir } from "./harness";

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));

describe("the offline plan shows the registry", () => {
  test("Harbor's release is sized in platform requests, every workload with requests", async () => {
    const { summary } = await buildPlan(projectDir, "dev");
    const harbor = summary.platformRequests.lines.find((l) => l.source === "helm harbor (harbor)");
    assert.ok(harbor && harbor.cpuMillicores > 0 && harbor.memoryMiB > 0);
    assert.deepEqual(
      summary.platformRequests.withoutRequests.filter((w) => w.startsWith("harbor/")),
      [],
    );
  });

  test("Harbor's configuration is listed as typed resources under its component", async () => {
    const { summary } = await buildPlan(projectDir, "prod");
    const types = Object.keys(
      summary.resources.byComponent["loco:layer:Registry loco-prod > loco:registry:TenantRegistry loco-prod-tenants"] ?? {},
    );
    for (const type of [
      "AdminPassword",
      "Project",
      "RetentionPolicy",
      "ImmutableTagRule",
      "RobotAccount",
      "GarbageCollection",
      "VulnerabilityScanning",
    ]) {
      assert.ok(types.includes(`pulumi-nodejs:dynamic/harbor:${type}`), type);
    }
  });

  test("resources.json carries a short marker for each provider's code, and no robot secret or admin password", async () => {
    const out = mkdtempSync(join(tmpdir(), "loco-registry-plan-"));
    writePlan(await buildPlan(projectDir, "dev"), out);
    const text = filesUnder(out)
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    assert.ok(!text.includes("exports.handler"), "serialized provider code leaked into the plan");
    assert.ok(!text.includes("offline-placeholder-robot-secret"), "a robot secret leaked into the plan");
    const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as { type: string; inputs: Record<string, unknown> }[];
    const dynamic = resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/harbor:"));
    assert.equal(dynamic.length, 8);
    for (const resource of dynamic) {
      assert.match(String(resource.inputs.__provider), /^\[dynamic provider code: \d+ bytes, sha256 [0-9a-f]{12}\]$/);
      assert.equal(resource.inputs.connection, "[secret]");
    }
  });

  test("the marker is the code's size and digest, and leaves other inputs alone", () => {
    const inputs = { __provider: "exports.handler = () => ({});", name: "tenants" };
    // 29 bytes; `printf %s 'exports.handler = () => ({});' | sha256sum` starts 0088a4b38e73.
    assert.deepEqual(summarizeProviderCode(inputs), {
      __provider: "[dynamic provider code: 29 bytes, sha256 0088a4b38e73]",
      name: "tenants",
    });
    assert.deepEqual(summarizeProviderCode({ name: "x" }), { name: "x" });
  });
});
