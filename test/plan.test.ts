import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { planCommand } from "../cli/plan";
import { catalog } from "../lib/digitalocean-catalog";
import { buildPlan } from "../plan/offline-plan";
import { runUnderMocks } from "../plan/mock-runtime";
import { writePlan } from "../plan/write-plan";
import { projectDir } from "./harness";

const tempDir = () => mkdtempSync(join(tmpdir(), "loco-plan-"));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

/** A throwaway project: the real program and Pulumi.yaml, plus the given stack file. */
function projectWithStack(stack: string, stackYaml: string): string {
  const dir = tempDir();
  copyFileSync(join(projectDir, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  symlinkSync(join(projectDir, "index.ts"), join(dir, "index.ts"));
  writeFileSync(join(dir, `Pulumi.${stack}.yaml`), stackYaml);
  return dir;
}

describe("offline plan files", () => {
  test("two runs write byte-identical files", async () => {
    const [first, second] = [tempDir(), tempDir()];
    writePlan(await buildPlan(projectDir, "prod"), first);
    writePlan(await buildPlan(projectDir, "prod"), second);
    const files = filesUnder(first).map((f) => f.slice(first.length));
    assert.ok(files.includes("/resources.json") && files.includes("/summary.json") && files.includes("/helm/releases.json"));
    for (const file of files) assert.equal(readFileSync(join(second, file), "utf8"), readFileSync(join(first, file), "utf8"), file);
  });

  test("no secret value appears in any file, only [secret]", async () => {
    const out = tempDir();
    writePlan(await buildPlan(projectDir, "dev"), out);
    const text = filesUnder(out)
      .map((f) => readFileSync(f, "utf8"))
      .join("\n");
    for (const leaked of [
      "offline-placeholder-secret",
      "offline-placeholder-password",
      "offline-placeholder-token",
      "DIGITALOCEAN_ACCESS_TOKEN",
    ]) {
      assert.ok(!text.includes(leaked), `${leaked} leaked into the plan files`);
    }
    assert.ok(text.includes('"[secret]"'));
  });

  test("resources.json records parent, provider, protect and the dependencies the engine waits for", async () => {
    const out = tempDir();
    writePlan(await buildPlan(projectDir, "prod"), out);
    const resources = JSON.parse(readFileSync(join(out, "resources.json"), "utf8")) as Record<string, unknown>[];
    const find = (type: string) => resources.find((r) => r.type === type) as Record<string, unknown>;
    const cluster = find("digitalocean:index/kubernetesCluster:KubernetesCluster");
    const pool = find("digitalocean:index/kubernetesNodePool:KubernetesNodePool");
    assert.deepEqual(Object.keys(cluster).sort(), [
      "dependencies",
      "ignoreChanges",
      "inputs",
      "name",
      "parent",
      "protect",
      "provider",
      "type",
      "urn",
    ]);
    assert.equal(cluster.protect, true);
    // Implied by an input (clusterId), not by dependsOn: read from the register request, not MockResourceArgs.
    assert.ok((pool.dependencies as string[]).includes(cluster.urn as string));
    assert.match(String(cluster.parent), /loco:layer:CloudFoundation\$loco:cluster:Cluster::loco-prod-cluster$/);
  });

  test("cost is priced from the dated catalog: dev is its core pool, app pool range, database, load balancer, Spaces and volumes", async () => {
    const { summary } = await buildPlan(projectDir, "dev");
    const node = catalog.dropletSizes["s-2vcpu-4gb"].monthly;
    const database = catalog.databaseSizes["db-s-1vcpu-2gb"].monthlyPerNode;
    const loadBalancer = 1 * catalog.kubernetes.loadBalancerMonthlyPerNode;
    const spaces = catalog.kubernetes.spacesMonthlyBase;
    const volumes = summary.platformRequests.storageGiB * catalog.kubernetes.blockStorageMonthlyPerGiB;
    const round = (n: number) => Math.round(n * 100) / 100;
    assert.ok(summary.platformRequests.storageGiB > 0, "in-cluster volumes (ClickHouse, Grafana) are priced");
    assert.equal(summary.cost.monthlyMin, round(2 * node + 1 * node + database + loadBalancer + spaces + volumes));
    assert.equal(summary.cost.monthlyMax, round(2 * node + 3 * node + database + loadBalancer + spaces + volumes));
    assert.equal(summary.cost.pricesAsOf, catalog.asOf);
  });

  test("prod pays for the HA control plane and the standby database node", async () => {
    const { summary } = await buildPlan(projectDir, "prod");
    const items = summary.cost.lines.map((l) => l.item);
    assert.ok(items.includes("HA control plane"));
    assert.ok(items.includes("postgres: 2 x db-s-2vcpu-4gb"));
  });

  test("the summary holds the platform's requests against the core pool's raw capacity", async () => {
    const { summary } = await buildPlan(projectDir, "prod");
    const size = catalog.dropletSizes["s-4vcpu-8gb"];
    assert.deepEqual(summary.platformRequests.coreCapacity, {
      nodes: 3,
      size: "s-4vcpu-8gb",
      cpuMillicores: 3 * size.vcpus * 1000,
      memoryMiB: 3 * size.memoryMiB,
    });
    assert.equal((await buildPlan(projectDir, "local")).summary.platformRequests.coreCapacity, undefined);
  });

  test("the critical path runs through the slow cloud resources, then the add-ons the cluster's provider waits for", async () => {
    const { summary } = await buildPlan(projectDir, "dev");
    const types = summary.criticalPath.steps.map((s) => s.type.split(":").pop());
    assert.deepEqual(types.slice(0, 2), ["Vpc", "KubernetesCluster"]);
    // Objects on the cluster wait for the Kubernetes provider, which waits for the cluster: a Helm release is on it.
    assert.ok(types.includes("Release"), types.join(" -> "));
  });

  test("the summary counts secrets and names the placeholder config keys", async () => {
    const { summary } = await buildPlan(projectDir, "dev");
    assert.deepEqual(summary.placeholderConfigKeys, [
      "loco:cloudflareApiToken",
      "loco:digitaloceanToken",
      "loco:spacesAccessKeyId",
      "loco:spacesSecretKey",
    ]);
    assert.ok(summary.secrets.secretInputValues >= 3);
    assert.ok(summary.secrets.secretStackOutputs >= 3);
  });
});

describe("the recorder behind the plan", () => {
  test("explicit dependsOn is recorded next to input dependencies", async () => {
    const run = await runUnderMocks(() => {
      const a = new random.RandomPassword("a", { length: 16 });
      const b = new random.RandomPassword("b", { length: 16 });
      new random.RandomPassword("c", { length: 16, keepers: { from: a.result } }, { dependsOn: [b] });
    });
    const c = run.resources.find((r) => r.name === "c");
    assert.deepEqual(c?.dependencies.map((u) => u.split("::").pop()).sort(), ["a", "b"]);
  });

  test("a data source without a placeholder fails the run instead of returning nothing", async () => {
    await assert.rejects(
      runUnderMocks(async () => {
        await pulumi.runtime.invoke("digitalocean:index/getDroplet:getDroplet", { name: "x" });
      }),
      /no offline placeholder for the data source digitalocean:index\/getDroplet:getDroplet/,
    );
  });
});

describe("npm run plan", () => {
  test("prints the summary and writes the files", async () => {
    const out = tempDir();
    const result = await planCommand(["--stack", "dev", "--out", out], projectDir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Estimated monthly cost: \$\d+\.\d\d - \$\d+\.\d\d USD \(DigitalOcean list prices as of \d{4}-\d\d-\d\d/);
    assert.match(result.stdout, /secure config values replaced by placeholders/);
  });

  test("--json prints the summary as JSON", async () => {
    const result = await planCommand(["--stack", "local", "--out", tempDir(), "--json"], projectDir);
    assert.equal(JSON.parse(result.stdout).stack, "local");
  });

  test("invalid config exits 1 with the problems and no stack trace", async () => {
    const dir = projectWithStack("broken", "config:\n  loco:environment: prod\n  loco:baseDomain: not_a_domain\n");
    const result = await planCommand(["--stack", "broken", "--out", join(dir, "out")], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Pulumi\.broken\.yaml: loco:baseDomain = "not_a_domain": must be a domain name/);
    assert.match(result.stderr, /loco:digitaloceanToken: is required/);
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/);
  });

  test("a missing stack file and an unknown flag are told apart", async () => {
    const missing = await planCommand(["--stack", "nope", "--out", tempDir()], projectDir);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /Pulumi\.nope\.yaml/);
    const badFlag = await planCommand(["--stak", "dev"], projectDir);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /usage: npm run plan/);
  });
});
