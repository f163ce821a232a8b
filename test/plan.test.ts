import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { planCommand } from "../cli/plan";
import { catalog } from "../lib/digitalocean-catalog";
import { buildPlan, type OfflinePlan } from "../plan/offline-plan";
import { runUnderMocks } from "../plan/mock-runtime";
import { readStackConfig, StackFileError } from "../plan/stack-file";
import { writePlan } from "../plan/write-plan";
import { optionalSecretKeys, secretKeys } from "../stacks/config-schema";
import { StackNameError } from "../stacks/stack-name";
import { projectDir } from "./harness";
import { machinePathsIn } from "./machine-paths";

const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "loco-plan-"));
  tempDirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

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
      "loco:clusterAccessToken",
      "loco:digitaloceanToken",
      "loco:githubOAuthClientId",
      "loco:githubOAuthClientSecret",
      "loco:spacesAccessKeyId",
      "loco:spacesSecretKey",
    ]);
    assert.ok(summary.secrets.secretInputValues >= 3);
    assert.ok(summary.secrets.secretStackOutputs >= 3);
  });
});

/** Every string leaf of a config value (objects are JSON in Pulumi's config). */
function configLeaves(value: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [value];
  }
  const leaves = (v: unknown): string[] =>
    typeof v === "string" ? [v] : v && typeof v === "object" ? Object.values(v).flatMap(leaves) : [];
  return typeof parsed === "object" && parsed !== null ? leaves(parsed) : [value];
}

/** What must never be written in the clear: each secret config placeholder and each secret the mocks generated. */
function secretsOf(plan: OfflinePlan): { what: string; value: string }[] {
  const placeholders = plan.config.secretKeys.flatMap((key) =>
    configLeaves(plan.config.values[key]).map((value) => ({ what: `the placeholder of ${key}`, value })),
  );
  const generated = plan.generatedSecrets.map((value, i) => ({ what: `generated secret #${i} (${value.slice(0, 24)}...)`, value }));
  return [...placeholders, ...generated];
}

/** Which written files hold which of the plan's secrets, in the clear or base64. */
function secretLeaks(plan: OfflinePlan, out: string): string[] {
  const secrets = secretsOf(plan);
  return filesUnder(out).flatMap((file) => {
    const text = readFileSync(file, "utf8");
    return secrets
      .filter(({ value }) => text.includes(value) || text.includes(Buffer.from(value).toString("base64")))
      .map(({ what }) => `${file.slice(out.length + 1)}: ${what}`);
  });
}

describe("offline plan files hold no secret and no path of this machine", () => {
  /** Each stack's plan, built and written once for both checks. */
  const written = new Map<string, Promise<{ plan: OfflinePlan; out: string }>>();
  const planOf = (stack: string) => {
    if (!written.has(stack))
      written.set(
        stack,
        buildPlan(projectDir, stack).then((plan) => {
          const out = tempDir();
          writePlan(plan, out);
          return { plan, out };
        }),
      );
    return written.get(stack) as Promise<{ plan: OfflinePlan; out: string }>;
  };

  for (const stack of ["dev", "prod", "local"]) {
    test(`${stack}: no secret placeholder and no generated secret in any file, in the clear or base64`, async () => {
      const { plan, out } = await planOf(stack);
      const secrets = secretsOf(plan);
      // The check is only as good as what it looks for: every placeholder key, and the kinds of generated secret.
      assert.equal(secrets.filter((s) => s.what.startsWith("the placeholder")).length, plan.summary.placeholderConfigKeys.length);
      assert.ok(
        plan.generatedSecrets.some((s) => /robot-secret/.test(s)),
        "robot secrets are looked for",
      );
      assert.ok(
        plan.generatedSecrets.some((s) => /^\$2a\$10\$/.test(s)),
        "bcrypt hashes are looked for",
      );
      assert.deepEqual(secretLeaks(plan, out), []);
      assert.ok(
        filesUnder(out).some((file) => readFileSync(file, "utf8").includes('"[secret]"')),
        "secrets are written as [secret]",
      );
    });

    test(`${stack}: no file and no dynamic provider's code names a path of this machine`, async () => {
      const { plan, out } = await planOf(stack);
      const found = filesUnder(out).flatMap((file) =>
        machinePathsIn(readFileSync(file, "utf8")).map((path) => `${file.slice(out.length + 1)}: ${path}`),
      );
      // The files show a digest of each provider's code; the code itself must load on any machine.
      const providerCode = plan.resources.filter((r) => typeof r.inputs.__provider === "string");
      assert.ok(providerCode.length > 0, "the Harbor resources' provider code is checked");
      for (const resource of providerCode)
        found.push(...machinePathsIn(String(resource.inputs.__provider)).map((path) => `${resource.name} provider code: ${path}`));
      assert.deepEqual(found, []);
    });
  }
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

  test("a missing stack file names the stacks that exist; an unknown flag is a bad command line", async () => {
    const missing = await planCommand(["--stack", "nope", "--out", tempDir()], projectDir);
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      'Pulumi.nope.yaml: not found: "nope" is not a stack of this project (its stacks: dev, local, prod, resurrector-prod)',
    );
    const badFlag = await planCommand(["--stak", "dev"], projectDir);
    assert.equal(badFlag.code, 64);
    assert.match(
      badFlag.stderr,
      /^error: unknown option '--stak'\n\(Did you mean --stack\?\)\nRun `npm run plan -- --help` for the options\.$/,
    );
  });

  test("--help lists the options and exits 0", async () => {
    const help = await planCommand(["--help"], projectDir);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: npm run plan -- \[options\]/);
    for (const option of ["--stack <name>", "--out <dir>", "--json"]) assert.ok(help.stdout.includes(option), option);
  });
});

describe("stack names", () => {
  for (const stack of ["../outside", "dev/../../etc", "..", "dev stack", "a".repeat(101), "x\u001b[2J"]) {
    test(`${JSON.stringify(stack)} is refused before anything is read or written`, async () => {
      const dir = projectWithStack("dev", readFileSync(join(projectDir, "Pulumi.dev.yaml"), "utf8"));
      const result = await planCommand(["--stack", stack], dir);
      assert.equal(result.code, 64);
      assert.match(result.stderr, /^error: option '--stack <name>' argument '.*' is invalid\. The stack .*\nRun `npm run plan -- --help`/s);
      assert.ok(!existsSync(join(dir, "out")), "nothing was written");
      assert.throws(() => readStackConfig(dir, stack), StackNameError);
    });
  }

  test("a qualified name plans the bare stack; another project's stack is refused", async () => {
    const out = tempDir();
    const result = await planCommand(["--stack", "acme/loco-platform/local", "--out", out, "--json"], projectDir);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).stack, "local");
    const other = await planCommand(["--stack", "acme/other-project/local"], projectDir);
    assert.equal(other.code, 64);
    assert.match(other.stderr, /belongs to project "other-project", but this is loco-platform/);
  });
});

describe("the plan writes only inside its folder", () => {
  test("a file name that leads outside the output folder stops the plan before anything is written", () => {
    const root = tempDir();
    const out = join(root, "plan");
    const plan = { resources: [], stackOutputs: {}, manifests: [{ file: "../../escaped.yaml", object: {} }], releases: [], summary: {} };
    assert.throws(() => writePlan(plan as unknown as Parameters<typeof writePlan>[0], out), /escaped\.yaml would be written outside/);
    assert.ok(!existsSync(join(root, "escaped.yaml")) && !existsSync(join(tmpdir(), "escaped.yaml")));
    assert.ok(!existsSync(out), "not even the folder was created");
  });
});

describe("broken stack files: one message each, no stack trace, no line of the file", () => {
  const secret = "dop_v1_0123456789abcdef";
  const cases: { name: string; yaml: string; expected: string }[] = [
    {
      name: "a syntax error",
      yaml: `config:\n  loco:environment: dev\n  loco:digitaloceanToken: ${secret}: oops\n`,
      expected: "Pulumi.broken.yaml:3:27: not valid YAML: a second ': ' on one line: quote a value that contains ': '",
    },
    {
      name: "a duplicate key",
      yaml: `config:\n  loco:environment: dev\n  loco:environment: ${secret}\n`,
      expected: "Pulumi.broken.yaml:3:3: not valid YAML: a key appears twice in the same map: keep one",
    },
    {
      name: "an unclosed quote",
      yaml: `config:\n  loco:environment: "${secret}\n`,
      expected: "Pulumi.broken.yaml:3:1: not valid YAML: a quote or a bracket is not closed",
    },
    {
      name: "a tab for indentation",
      yaml: `config:\n\tloco:environment: ${secret}\n`,
      expected: "Pulumi.broken.yaml:2:1: not valid YAML: a tab used for indentation: YAML indents with spaces",
    },
    {
      name: "an alias without an anchor",
      yaml: `config:\n  loco:environment: *${secret}\n`,
      expected: "Pulumi.broken.yaml:2:21: not valid YAML: an alias (*name) refers to no anchor defined before it",
    },
    {
      name: "aliases that expand without bound (a billion laughs)",
      yaml: `config:\n  a: &a ["${secret}", "${secret}", "${secret}", "${secret}", "${secret}", "${secret}", "${secret}", "${secret}"]\n${["b", "c", "d", "e", "f", "g"].map((level, i) => `  ${level}: &${level} [${Array(8).fill(`*${"abcdefg"[i]}`).join(", ")}]`).join("\n")}\n`,
      expected: "Pulumi.broken.yaml: not valid YAML: too many aliases: the file expands beyond what is read",
    },
    {
      name: "config that is a list",
      yaml: `config:\n  - ${secret}\n`,
      expected: "Pulumi.broken.yaml: config: must be a map of settings (loco:key: value), not a list",
    },
  ];
  for (const { name, yaml, expected } of cases) {
    test(name, async () => {
      const dir = projectWithStack("broken", yaml);
      const result = await planCommand(["--stack", "broken", "--out", join(dir, "out")], dir);
      assert.equal(result.code, 1);
      assert.equal(result.stderr, expected);
      assert.ok(!result.stderr.includes(secret), "the file's content is not echoed");
    });
  }

  test("the errors are StackFileErrors, which the plan command reports without a trace", () => {
    const dir = projectWithStack("broken", "config:\n  a: 1\n  a: 2\n");
    assert.throws(() => readStackConfig(dir, "broken"), StackFileError);
  });

  test("a key without a namespace is the project's, and is refused as such", async () => {
    const dev = readFileSync(join(projectDir, "Pulumi.dev.yaml"), "utf8");
    const dir = projectWithStack("dev", `${dev}  region: ams3\n`);
    const result = await planCommand(["--stack", "dev", "--out", join(dir, "out")], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /loco-platform:region is not read by this program.*did you mean "loco:region"\?/);
    assert.doesNotMatch(result.stderr, /ams3/);
  });
});

describe("secrets set with --secret plan as they are", () => {
  for (const environment of ["dev", "prod", "local"] as const) {
    test(`${environment}: a stack file with every secret key as a secure: value plans, and writes none of them`, async () => {
      const committed = readFileSync(join(projectDir, `Pulumi.${environment}.yaml`), "utf8").replace(/\n  loco:\w+:\n    secure: .*/g, "");
      const keys = [...secretKeys[environment], ...optionalSecretKeys[environment]];
      const secure = keys.map((key) => `  loco:${key}:\n    secure: v1:test:ciphertext-of-${key}\n`).join("");
      const dir = projectWithStack(environment, `${committed.trimEnd()}\n${secure}`);
      const plan = await buildPlan(dir, environment);
      assert.deepEqual(plan.summary.placeholderConfigKeys, keys.map((key) => `loco:${key}`).sort());
      // Nor does any of them, optional ones included, reach a written file.
      const out = tempDir();
      writePlan(plan, out);
      assert.deepEqual(secretLeaks(plan, out), []);
    });
  }
});

describe("the machine-path check itself", () => {
  test("finds this machine's directories as whole paths, not words that contain them", () => {
    const paths = ["/work/wt/tests", "/work/wt", "/work", "/tmp", "/root"];
    assert.deepEqual(machinePathsIn('{"file": "/work/wt/tests/index.ts"}', paths), ["/work/wt/tests"]);
    assert.deepEqual(machinePathsIn("cache: /tmp/tsx-0/abc", paths), ["/tmp"]);
    assert.deepEqual(machinePathsIn("require('/root/.npm/x')", paths), ["/root"]);
    assert.deepEqual(machinePathsIn("x = require('./node_modules/chdb')", paths), ["node_modules/"]);
    assert.deepEqual(machinePathsIn("key: loco.dev/workspace-id\nmountPath: /tmp\nworkingDir: /work\npath: /workspace/tests", paths), []);
  });
});
