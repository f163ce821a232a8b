import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { CommandResult } from "../lib/command-result";
import { policyCommand } from "../cli/policy";
import { listStacks } from "../delivery/stacks";
import { policies } from "../policy/policies";
import { admitsEveryAddress } from "../policy/policies/database-firewall-closed";
import { parseImageReference, whyImageFloats, whyTagFloats } from "../policy/policies/images-pinned";
import { isSecretLookingKey } from "../policy/policies/no-plaintext-secrets";
import { projectDir } from "./harness";

const temporaryDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "loco-policy-"));
  temporaryDirs.push(dir);
  return dir;
};
after(() => temporaryDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/**
 * `npm run policy -- --stack <name>` for every stack file, each writing its plan to a directory of its own. The
 * plans it writes are also where the broken plans below start from.
 */
const stackRuns = new Map<string, { readonly dir: string; readonly result: CommandResult }>();
before(async () => {
  for (const { stack } of listStacks(projectDir)) {
    const dir = tempDir();
    stackRuns.set(stack, { dir, result: await policyCommand(["--stack", stack, "--out", dir], projectDir) });
  }
});

describe("every stack of the project passes every policy", () => {
  for (const { stack } of listStacks(projectDir)) {
    test(`npm run policy -- --stack ${stack}: exit 0, one summary line`, () => {
      const run = stackRuns.get(stack);
      assert.ok(run);
      assert.equal(run.result.stderr, "");
      assert.equal(run.result.code, 0);
      assert.match(
        run.result.stdout,
        new RegExp(`^policy: ${policies.length} policies over \\d+ resources of stack ${stack} \\(.+\\): no violations$`),
      );
    });
  }
});

interface PlanRow {
  urn: string;
  type: string;
  name: string;
  protect: boolean;
  dependencies: string[];
  inputs: Record<string, unknown>;
}

/** Where a stack's real plan was written: broken plans are edited copies of it. */
function planOf(stack: string): string {
  const run = stackRuns.get(stack);
  assert.ok(run, `no stack ${stack}`);
  return run.dir;
}

/**
 * Broken plans are made from a real one: the prod (or dev) plan's resources.json, changed the way a bad change to
 * the program would change it. The mutation must change something, so a fixture cannot silently stop breaking.
 */
function brokenPlan(stack: string, mutate: (rows: PlanRow[]) => void): string {
  const dir = tempDir();
  cpSync(planOf(stack), dir, { recursive: true });
  const file = join(dir, "resources.json");
  const before = readFileSync(file, "utf8");
  const rows = JSON.parse(before) as PlanRow[];
  mutate(rows);
  const afterText = `${JSON.stringify(rows, null, 2)}\n`;
  assert.notEqual(afterText, before, "the fixture's mutation changed nothing");
  writeFileSync(file, afterText);
  return dir;
}

const ofType = (rows: PlanRow[], type: string): PlanRow[] => {
  const found = rows.filter((r) => r.type === type);
  assert.ok(found.length > 0, `the plan has no ${type} to break`);
  return found;
};
const named = (rows: PlanRow[], type: string, predicate: (r: PlanRow) => boolean): PlanRow => {
  const found = ofType(rows, type).find(predicate);
  assert.ok(found, `no ${type} matching the fixture's predicate`);
  return found;
};
const policyFix = (name: string) => {
  const policy = policies.find((p) => p.name === name);
  assert.ok(policy, `no policy ${name}`);
  return policy.fix;
};

/** Runs the CLI on a broken plan: exit 1, and each expected line names the policy, the resource and a fix. */
async function assertFires(dir: string, policy: string, resource: RegExp, message: RegExp, fix = policyFix(policy)): Promise<void> {
  const result = await policyCommand(["--plan", dir], projectDir);
  assert.equal(result.code, 1, `expected violations, got: ${result.stdout}${result.stderr}`);
  const lines = result.stdout.split("\n");
  const line = lines.find((l) => l.startsWith(`${policy}: `) && resource.test(l) && message.test(l));
  assert.ok(line, `no ${policy} line for ${String(resource)} / ${String(message)} in:\n${result.stdout}`);
  assert.ok(line.endsWith(`Fix: ${fix}.`), `the line does not end with the fix: ${line}`);
  assert.match(result.stderr, /violation\(s\)$/);
}

describe("each policy fires on a plan broken the way it guards against", () => {
  test("stateful-resources-protected-in-prod (VPC unprotected) fires on a broken plan", () =>
    assertFires(
      brokenPlan("prod", (rows) => ofType(rows, "digitalocean:index/vpc:Vpc").forEach((r) => (r.protect = false))),
      "stateful-resources-protected-in-prod",
      /digitalocean:index\/vpc:Vpc loco-prod-cluster-vpc/,
      /the VPC is not protected in the prod stack prod/,
    ));

  test("stateful-resources-protected-in-prod (registry project and bucket unprotected) fires on a broken plan", async () => {
    const dir = brokenPlan("prod", (rows) => {
      ofType(rows, "pulumi-nodejs:dynamic/harbor:Project").forEach((r) => (r.protect = false));
      ofType(rows, "digitalocean:index/spacesBucket:SpacesBucket").forEach((r) => (r.protect = false));
    });
    await assertFires(dir, "stateful-resources-protected-in-prod", /harbor:Project/, /registry project/);
    await assertFires(dir, "stateful-resources-protected-in-prod", /SpacesBucket/, /a bucket and its objects/);
  });

  test("stateful-resources-protected-in-prod does not apply to dev, whose VPC is unprotected", async () => {
    const rows = JSON.parse(readFileSync(join(planOf("dev"), "resources.json"), "utf8")) as PlanRow[];
    assert.equal(ofType(rows, "digitalocean:index/vpc:Vpc")[0].protect, false);
    const result = await policyCommand(["--plan", planOf("dev")], projectDir);
    assert.equal(result.code, 0, result.stdout);
  });

  for (const world of ["0.0.0.0/0", "::/0"]) {
    test(`database-firewall-not-open-to-world (${world}) fires on a broken plan`, () =>
      assertFires(
        brokenPlan("prod", (rows) =>
          (ofType(rows, "digitalocean:index/databaseFirewall:DatabaseFirewall")[0].inputs.rules as unknown[]).push({
            type: "ip_addr",
            value: world,
          }),
        ),
        "database-firewall-not-open-to-world",
        /DatabaseFirewall/,
        new RegExp(`rules\\[1\\] admits ${world.replace(/[./]/g, "\\$&")}`),
      ));
  }

  test("database-behind-firewall (firewall removed) fires on a broken plan", () =>
    assertFires(
      brokenPlan("prod", (rows) => rows.splice(rows.indexOf(ofType(rows, "digitalocean:index/databaseFirewall:DatabaseFirewall")[0]), 1)),
      "database-behind-firewall",
      /DatabaseCluster loco-prod-database-postgres/,
      /has no DatabaseFirewall/,
    ));

  test("images-pinned (latest, no tag, a bare major version) fires on a broken plan", async () => {
    const dir = brokenPlan("prod", (rows) => {
      const job = named(rows, "kubernetes:batch/v1:Job", (r) => r.name === "loco-prod-harbor-database-users-setup");
      const containers = (job.inputs.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers;
      containers[0].image = "docker.io/library/postgres:latest";
      const cron = ofType(rows, "kubernetes:batch/v1:CronJob")[0];
      (
        cron.inputs.spec as { jobTemplate: { spec: { template: { spec: { containers: { image: string }[] } } } } }
      ).jobTemplate.spec.template.spec.containers[0].image = "altinity/clickhouse-server";
      const migrate = named(rows, "kubernetes:batch/v1:Job", (r) => r.name === "loco-prod-clickhouse-migrate");
      (migrate.inputs.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image =
        "altinity/clickhouse-server:25";
    });
    await assertFires(
      dir,
      "images-pinned",
      /Job loco-prod-harbor-database-users-setup/,
      /containers\[0\]\.image is not pinned: the tag "latest" moves/,
    );
    await assertFires(dir, "images-pinned", /CronJob loco-prod-clickhouse-backup/, /it has no tag, so it means :latest/);
    await assertFires(dir, "images-pinned", /Job loco-prod-clickhouse-migrate/, /the tag "25" is a major version/);
  });

  test("images-pinned (a Helm value's image tag set to stable) fires on a broken plan", () =>
    assertFires(
      brokenPlan("prod", (rows) => {
        const release = named(rows, "kubernetes:helm.sh/v3:Release", (r) => r.name === "loco-prod-collectors-gateway");
        (release.inputs.values as { image: { tag: string } }).image.tag = "stable";
      }),
      "images-pinned",
      /Release loco-prod-collectors-gateway/,
      /values\.image is not pinned: the tag "stable" moves/,
    ));

  test("charts-pinned (a range, and no version) fires on a broken plan", async () => {
    const dir = brokenPlan("prod", (rows) => {
      named(rows, "kubernetes:helm.sh/v3:Release", (r) => r.name === "loco-prod-harbor-release").inputs.version = "^1.19.0";
      delete named(rows, "kubernetes:helm.sh/v3:Release", (r) => r.name === "loco-prod-grafana-release").inputs.version;
    });
    await assertFires(dir, "charts-pinned", /Release loco-prod-harbor-release/, /version "\^1\.19\.0" is a range/);
    await assertFires(dir, "charts-pinned", /Release loco-prod-grafana-release/, /has no version/);
  });

  test("namespaces-pod-security (label removed, createNamespace) fires on a broken plan", async () => {
    const dir = brokenPlan("prod", (rows) => {
      const namespace = ofType(rows, "kubernetes:core/v1:Namespace")[0];
      delete (namespace.inputs.metadata as { labels: Record<string, string> }).labels["pod-security.kubernetes.io/enforce"];
      named(rows, "kubernetes:helm.sh/v3:Release", (r) => r.name === "loco-prod-keda-core").inputs.createNamespace = true;
    });
    await assertFires(dir, "namespaces-pod-security", /Namespace/, /has no pod-security\.kubernetes\.io\/enforce label/);
    await assertFires(dir, "namespaces-pod-security", /Release loco-prod-keda-core/, /createNamespace makes Helm create namespace keda/);
  });

  test("cloudflare-token-one-zone (every zone of the account, then two zones) fires on a broken plan", async () => {
    const everyZone = brokenPlan("prod", (rows) => {
      const token = ofType(rows, "cloudflare:index/apiToken:ApiToken")[0];
      (token.inputs.policies as { resources: string }[])[0].resources = JSON.stringify({ "com.cloudflare.api.account.zone.*": "*" });
    });
    await assertFires(
      everyZone,
      "cloudflare-token-one-zone",
      /ApiToken/,
      /grants com\.cloudflare\.api\.account\.zone\.\*, which is not a single zone/,
    );
    const twoZones = brokenPlan("prod", (rows) => {
      const policy = (ofType(rows, "cloudflare:index/apiToken:ApiToken")[0].inputs.policies as { resources: string }[])[0];
      policy.resources = JSON.stringify({ ...JSON.parse(policy.resources), "com.cloudflare.api.account.zone.another": "*" });
    });
    await assertFires(twoZones, "cloudflare-token-one-zone", /ApiToken/, /the token reaches 2 zones/);
  });

  test("no-plaintext-secrets (a Helm password, a Secret's data, a provider token, a URL with a password) fires on a broken plan", async () => {
    const dir = brokenPlan("prod", (rows) => {
      const harbor = named(rows, "kubernetes:helm.sh/v3:Release", (r) => r.name === "loco-prod-harbor-release");
      (harbor.inputs.values as { database: Record<string, unknown> }).database.password = "hunter2";
      named(rows, "kubernetes:core/v1:Secret", (r) => r.name === "loco-prod-harbor-spaces").inputs.stringData = { secretKey: "plain" };
      ofType(rows, "pulumi:providers:digitalocean")[0].inputs.token = "dop_v1_plaintext";
      ofType(rows, "kubernetes:core/v1:ConfigMap")[0].inputs.data = { endpoint: "postgresql://loco:hunter2@db.example.com:5432/loco" };
    });
    await assertFires(
      dir,
      "no-plaintext-secrets",
      /Release loco-prod-harbor-release/,
      /values\.database\.password looks like a credential and is plaintext/,
    );
    await assertFires(
      dir,
      "no-plaintext-secrets",
      /Secret loco-prod-harbor-spaces/,
      /stringData\.secretKey of a Kubernetes Secret is plaintext/,
    );
    await assertFires(
      dir,
      "no-plaintext-secrets",
      /pulumi:providers:digitalocean/,
      /^no-plaintext-secrets: .*: token looks like a credential/,
    );
    await assertFires(dir, "no-plaintext-secrets", /ConfigMap/, /data\.endpoint is a URL with a password in it/);
  });

  test("no-plaintext-secrets never prints the value it found", async () => {
    const dir = brokenPlan("prod", (rows) => {
      ofType(rows, "pulumi:providers:digitalocean")[0].inputs.token = "dop_v1_do-not-print-me";
    });
    const result = await policyCommand(["--plan", dir], projectDir);
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stdout + result.stderr, /do-not-print-me/);
  });

  test("harbor-retention-present (retention policy removed) fires on a broken plan", () =>
    assertFires(
      brokenPlan("prod", (rows) => rows.splice(rows.indexOf(ofType(rows, "pulumi-nodejs:dynamic/harbor:RetentionPolicy")[0]), 1)),
      "harbor-retention-present",
      /harbor:Project loco-prod-tenants-project/,
      /has no retention policy with a rule/,
    ));

  test("harbor-retention-present (a retention policy without rules) fires on a broken plan", () =>
    assertFires(
      brokenPlan("prod", (rows) => (ofType(rows, "pulumi-nodejs:dynamic/harbor:RetentionPolicy")[0].inputs.rules = [])),
      "harbor-retention-present",
      /harbor:Project/,
      /has no retention policy with a rule/,
    ));

  test("load-balancer-cluster-same-region (load balancer moved) fires on a broken plan", () =>
    assertFires(
      brokenPlan("prod", (rows) => (ofType(rows, "digitalocean:index/loadBalancer:LoadBalancer")[0].inputs.region = "sfo3")),
      "load-balancer-cluster-same-region",
      /LoadBalancer loco-prod-entry-lb/,
      /is in sfo3 but cluster loco-prod-cluster-cluster is in nyc3/,
    ));

  test("every policy has a broken-plan test above", () => {
    const source = readFileSync(__filename, "utf8");
    for (const policy of policies) assert.ok(source.includes(`"${policy.name}",`), `no fixture makes ${policy.name} fire`);
  });
});

describe("npm run policy: its command line", () => {
  test("--help exits 0 and describes both modes", async () => {
    const result = await policyCommand(["--help"], projectDir);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--stack <name>/);
    assert.match(result.stdout, /--plan <dir>/);
  });

  for (const [argv, why] of [
    [[], "neither --stack nor --plan"],
    [["--stack", "dev", "--plan", "x"], "both"],
    [["--plan", "x", "--out", "y"], "--out without --stack"],
    [["--bogus"], "an unknown option"],
  ] as const) {
    test(`a usage error exits 64: ${why}`, async () => {
      const result = await policyCommand(argv, projectDir);
      assert.equal(result.code, 64);
      assert.match(result.stderr, /^error: [^\n]+\nRun `npm run policy -- --help` for the options\.$/);
    });
  }

  test("a plan directory without resources.json exits 2 and says how to write one", async () => {
    const result = await policyCommand(["--plan", tempDir()], projectDir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /resources\.json does not exist: write the plan first \(npm run plan -- --stack <name> --out /);
  });

  test("a resources.json that is not a plan exits 2 naming the file", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "resources.json"), '[{"urn": 1}]');
    const result = await policyCommand(["--plan", dir], projectDir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /resources\.json: entry 0 lacks urn, type, name, protect, dependencies or inputs/);
    assert.equal(result.stderr.split("\n").length, 1);
  });

  test("an unknown stack exits 2 without a stack trace", async () => {
    const result = await policyCommand(["--stack", "nope", "--out", tempDir()], projectDir);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Pulumi\.nope\.yaml/);
  });
});

describe("the policies' pure parts", () => {
  test("image references: digests and exact tags are pinned; latest, moving words and bare majors are not", () => {
    assert.deepEqual(parseImageReference("registry.example.com:5000/team/app:1.2.3"), {
      repository: "registry.example.com:5000/team/app",
      tag: "1.2.3",
      digest: undefined,
    });
    for (const pinned of [
      "postgres:17.5-alpine",
      "altinity/clickhouse-server:25.3.6.10034.altinitystable",
      "ghcr.io/loco/resurrector:3f2a1b9c0d",
      "ghcr.io/loco/app:main-3f2a1b9",
      `app@sha256:${"a".repeat(64)}`,
      `app:latest@sha256:${"b".repeat(64)}`,
    ])
      assert.equal(whyImageFloats(pinned), undefined, pinned);
    for (const floating of ["postgres", "postgres:latest", "postgres:17", "nginx:stable-alpine", "app:v3", "app:edge", "app@sha256:short"])
      assert.ok(whyImageFloats(floating), floating);
    assert.equal(whyTagFloats("1.27"), undefined);
  });

  test("credential-looking keys, and the chart keys that only name where a credential is", () => {
    for (const key of [
      "password",
      "adminPassword",
      "apiToken",
      "token",
      "secretKey",
      "secret_access_key",
      "privateKey",
      "kubeconfig",
      "clientSecret",
    ])
      assert.ok(isSecretLookingKey(key), key);
    for (const key of [
      "existingSecret",
      "existingSecretAdminPassword",
      "secretName",
      "passwordKey",
      "password_secret_name",
      "tokenSecretRef",
      "key",
      "keyId",
    ])
      assert.ok(!isSecretLookingKey(key), key);
  });

  test("world-open address ranges: any prefix length of zero", () => {
    for (const range of ["0.0.0.0/0", "::/0", "10.0.0.0/0", "0::/00"]) assert.ok(admitsEveryAddress(range), range);
    for (const range of ["10.0.0.0/8", "203.0.113.7/32", "203.0.113.7", "::1/128"]) assert.ok(!admitsEveryAddress(range), range);
  });
});
