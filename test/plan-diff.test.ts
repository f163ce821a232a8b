import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { planDiffCommand } from "../cli/plan-diff";
import { diffPlans, type StackDiff } from "../delivery/plan-diff";
import { formatCostChange, formatPlanDiffMarkdown, planDiffMarker } from "../delivery/plan-diff-markdown";
import { buildPlan } from "../plan/offline-plan";
import { writePlan } from "../plan/write-plan";
import { projectDir } from "./harness";

const temporaryDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "loco-plan-diff-"));
  temporaryDirs.push(dir);
  return dir;
};
after(() => temporaryDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface PlanRow {
  urn: string;
  type: string;
  name: string;
  protect: boolean;
  inputs: Record<string, unknown>;
}

/** Real plans of dev and prod, as the base branch's; each test copies them and changes the copy. */
let base = "";
before(async () => {
  base = tempDir();
  for (const stack of ["dev", "prod"]) writePlan(await buildPlan(projectDir, stack), join(base, stack));
});

function headFrom(change: (stack: string, rows: PlanRow[], summary: Record<string, unknown>) => void = () => {}): string {
  const head = tempDir();
  cpSync(base, head, { recursive: true });
  for (const stack of ["dev", "prod"]) {
    const rowsFile = join(head, stack, "resources.json");
    const summaryFile = join(head, stack, "summary.json");
    const rows = JSON.parse(readFileSync(rowsFile, "utf8")) as PlanRow[];
    const summary = JSON.parse(readFileSync(summaryFile, "utf8")) as Record<string, unknown>;
    change(stack, rows, summary);
    writeFileSync(rowsFile, JSON.stringify(rows));
    writeFileSync(summaryFile, JSON.stringify(summary));
  }
  return head;
}

const one = (rows: PlanRow[], type: string) => {
  const found = rows.filter((r) => r.type === type);
  assert.equal(found.length, 1, `expected one ${type}`);
  return found[0];
};
const stackDiff = (diff: { stacks: readonly StackDiff[] }, stack: string) => {
  const found = diff.stacks.find((s) => s.stack === stack);
  assert.ok(found, `no diff for ${stack}`);
  return found;
};

describe("comparing the plans of a pull request with the base branch's", () => {
  test("the same plans: nothing added, changed or removed, the cost unchanged", () => {
    const diff = diffPlans(base, headFrom());
    for (const s of diff.stacks) {
      assert.equal(s.status, "compared");
      assert.deepEqual([s.added, s.changed, s.removed, s.byType, s.newSecretInputs, s.protectionRemoved], [[], [], [], [], [], []]);
      assert.deepEqual(s.costBase, s.costHead);
    }
  });

  test("a change to prod: added, changed and removed by type, protection removed, cost, new secrets", () => {
    const head = headFrom((stack, rows, summary) => {
      if (stack !== "prod") return;
      one(rows, "digitalocean:index/vpc:Vpc").protect = false;
      one(rows, "digitalocean:index/loadBalancer:LoadBalancer").inputs.sizeUnit = 3;
      rows.splice(rows.indexOf(one(rows, "kubernetes:gateway.networking.k8s.io/v1:Gateway")), 1);
      const secret = rows.find((r) => r.type === "kubernetes:core/v1:Secret");
      assert.ok(secret);
      rows.push({ ...secret, urn: `${secret.urn}-copy`, name: `${secret.name}-copy` });
      const pool = one(rows, "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool");
      pool.inputs.password = "[secret]";
      const cost = summary.cost as { monthlyMin: number; monthlyMax: number };
      cost.monthlyMin += 12;
      cost.monthlyMax += 24;
      summary.placeholderConfigKeys = [...(summary.placeholderConfigKeys as string[]), "loco:alertWebhookUrl"];
    });
    const prod = stackDiff(diffPlans(base, head), "prod");
    assert.deepEqual(prod.byType, [
      { type: "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool", added: 0, changed: 1, removed: 0 },
      { type: "digitalocean:index/loadBalancer:LoadBalancer", added: 0, changed: 1, removed: 0 },
      { type: "digitalocean:index/vpc:Vpc", added: 0, changed: 1, removed: 0 },
      { type: "kubernetes:core/v1:Secret", added: 1, changed: 0, removed: 0 },
      { type: "kubernetes:gateway.networking.k8s.io/v1:Gateway", added: 0, changed: 0, removed: 1 },
    ]);
    assert.deepEqual(prod.protectionRemoved, ["digitalocean:index/vpc:Vpc loco-prod-cluster-vpc"]);
    assert.ok(
      prod.changed.some(
        (c) => c.resource === "digitalocean:index/loadBalancer:LoadBalancer loco-prod-entry-lb" && c.fields.join() === "inputs.sizeUnit",
      ),
    );
    assert.ok(
      prod.newSecretInputs.includes(
        "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool loco-prod-database-api-pool: password",
      ),
      prod.newSecretInputs.join("\n"),
    );
    assert.ok(prod.newSecretInputs.some((s) => s.endsWith("-copy: stringData")));
    assert.deepEqual(prod.newSecretConfigKeys, ["loco:alertWebhookUrl"]);
    assert.ok(prod.costBase && prod.costHead);
    assert.equal(prod.costHead.min - prod.costBase.min, 12);
    assert.equal(prod.costHead.max - prod.costBase.max, 24);
    assert.equal(stackDiff(diffPlans(base, head), "dev").byType.length, 0);
  });

  test("a stack the pull request adds is new; one it removes is gone; one whose plan failed is unavailable", () => {
    const head = headFrom();
    cpSync(join(base, "dev"), join(head, "staging"), { recursive: true });
    rmSync(join(head, "dev"), { recursive: true });
    rmSync(join(head, "prod", "resources.json"));
    const diff = diffPlans(base, head);
    const staging = stackDiff(diff, "staging");
    assert.equal(staging.status, "new");
    assert.ok(staging.added.length > 50);
    const dev = stackDiff(diff, "dev");
    assert.equal(dev.status, "gone");
    assert.equal(dev.removed.length, staging.added.length);
    const prod = stackDiff(diff, "prod");
    assert.equal(prod.status, "unavailable");
    assert.match(prod.note ?? "", /prod\/resources\.json is missing/);
  });
});

describe("the pull-request comment", () => {
  test("starts with the marker a later run finds it by, then one row per stack", () => {
    const head = headFrom((stack, rows, summary) => {
      if (stack !== "prod") return;
      one(rows, "digitalocean:index/vpc:Vpc").protect = false;
      (summary.cost as { monthlyMin: number }).monthlyMin += 12;
    });
    const markdown = formatPlanDiffMarkdown(diffPlans(base, head), "main");
    const lines = markdown.split("\n");
    assert.equal(lines[0], planDiffMarker);
    assert.equal(lines[1], "## Offline plan against main");
    assert.match(markdown, /^\| dev \| 0 \| 0 \| 0 \| \$\d+\.\d\d–\$\d+\.\d\d \(no change\) \| 0 \|$/m);
    assert.match(
      markdown,
      /^\| prod \| 0 \| 1 \| 0 \| \$\d+\.\d\d–\$\d+\.\d\d → \$\d+\.\d\d–\$\d+\.\d\d \(\+\$12\.00 \/ \+\$0\.00\) \| 0 \|$/m,
    );
    assert.match(markdown, /\*\*Protection removed\*\*[^\n]*\n- `digitalocean:index\/vpc:Vpc loco-prod-cluster-vpc`/);
  });

  test("long lists are cut so the comment stays far below GitHub's 65,536 characters", () => {
    const head = headFrom((stack, rows) => {
      if (stack !== "prod") return;
      const template = rows.find((r) => r.type === "kubernetes:core/v1:ConfigMap");
      assert.ok(template);
      for (let i = 0; i < 2000; i++) rows.push({ ...template, urn: `${template.urn}-${i}`, name: `${template.name}-${i}` });
    });
    const markdown = formatPlanDiffMarkdown(diffPlans(base, head), "main");
    assert.ok(markdown.length < 20_000, `${markdown.length} characters`);
    assert.match(markdown, /- … and 1960 more \(see the offline-plan artifact\)/);
  });

  test("cost changes read as ranges and signed differences", () => {
    assert.equal(formatCostChange({ min: 10, max: 10 }, { min: 10, max: 10 }), "$10.00 (no change)");
    assert.equal(formatCostChange({ min: 10, max: 20 }, { min: 22, max: 32 }), "$10.00–$20.00 → $22.00–$32.00 (+$12.00)");
    assert.equal(formatCostChange({ min: 30, max: 30 }, { min: 25, max: 25 }), "$30.00 → $25.00 (−$5.00)");
    assert.equal(formatCostChange(undefined, { min: 5, max: 5 }), "$5.00 (new)");
    assert.equal(formatCostChange({ min: 5, max: 5 }, undefined), "$5.00 → none");
  });
});

describe("npm run plan:diff: its command line", () => {
  test("JSON by default, the comment with --markdown", async () => {
    const head = headFrom();
    const json = await planDiffCommand(["--base", base, "--head", head]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(
      (JSON.parse(json.stdout) as { stacks: { stack: string }[] }).stacks.map((s) => s.stack),
      ["dev", "prod"],
    );
    const markdown = await planDiffCommand(["--base", base, "--head", head, "--markdown", "--base-name", "main"]);
    assert.equal(markdown.code, 0);
    assert.ok(markdown.stdout.startsWith(`${planDiffMarker}\n## Offline plan against main`));
  });

  test("a directory that is not there: exit 2, naming it", async () => {
    const missing = join(tempDir(), "nope");
    const result = await planDiffCommand(["--base", missing, "--head", base]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `${missing} is not a directory of stack plans`);
  });

  test("an empty base (the base branch had no stacks): every stack is new", async () => {
    const emptyBase = tempDir();
    mkdirSync(emptyBase, { recursive: true });
    const result = await planDiffCommand(["--base", emptyBase, "--head", base]);
    assert.deepEqual(
      (JSON.parse(result.stdout) as { stacks: { status: string }[] }).stacks.map((s) => s.status),
      ["new", "new"],
    );
  });

  test("--head is required (64); --help exits 0", async () => {
    const usage = await planDiffCommand(["--base", base]);
    assert.equal(usage.code, 64);
    assert.match(usage.stderr, /required option '--head <dir>' not specified/);
    assert.equal((await planDiffCommand(["--help"])).code, 0);
  });
});
