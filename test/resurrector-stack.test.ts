import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { resurrectorGrantStatements } from "../components/resurrector-app";
import { catalog } from "../lib/digitalocean-catalog";
import { buildPlan } from "../plan/offline-plan";
import { masked } from "../plan/secrets";
import { readStackConfig } from "../plan/stack-file";
import { ConfigError, parseStackConfig } from "../stacks/config";
import { parseResurrectorConfig } from "../stacks/resurrector-config";
import { isSecret, projectDir, runStack, secretValue, type ConfigOverride } from "./harness";

const stack = "resurrector-prod";
const appType = "digitalocean:index/app:App";

interface Env {
  key: string;
  type: string;
  value: unknown;
}
interface AppComponent {
  name: string;
  instanceSizeSlug: string;
  runCommand: string;
  envs: Env[];
  healthCheck?: { httpPath: string; port: number };
  kind?: string;
}
interface Spec {
  region: string;
  services: AppComponent[];
  workers: AppComponent[];
  jobs: AppComponent[];
  domainNames: { name: string }[];
}

const committed = (file: string) => parse(readFileSync(join(projectDir, file), "utf8")) as { config: Record<string, unknown> };

async function appSpec(overrides: Record<string, ConfigOverride> = {}) {
  const registered = await runStack(stack, overrides);
  return { registered, spec: registered.one(appType).inputs.spec as Spec };
}

/** The committed file's raw config with one change, as Pulumi would hand it to the program. */
function rawWith(changes: Record<string, string | { secret: string } | undefined>) {
  const base = readStackConfig(projectDir, stack);
  const values: Record<string, string> = { ...base.values };
  const secretKeys = new Set(base.secretKeys);
  for (const [key, value] of Object.entries(changes)) {
    delete values[key];
    secretKeys.delete(key);
    if (value === undefined) continue;
    if (typeof value === "string") values[key] = value;
    else {
      values[key] = value.secret;
      secretKeys.add(key);
    }
  }
  return { stack, values, secretKeys };
}

const problemsOf = (changes: Parameters<typeof rawWith>[0]): string[] => {
  try {
    parseResurrectorConfig(rawWith(changes));
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
};

const settings = () => JSON.parse(readStackConfig(projectDir, stack).values["loco:resurrector"]) as Record<string, unknown>;

describe("the resurrector stack's app", () => {
  test("a worker runs watch and a service serves the status page with a health check", async () => {
    const { spec } = await appSpec();
    assert.deepEqual(
      spec.workers.map((w) => [w.name, w.runCommand]),
      [
        [
          "watch",
          "resurrector watch --environment prod --interval 30 --down-probes 5 --down-minutes 5 --public-url https://api.loco.example.com/",
        ],
      ],
    );
    assert.deepEqual(
      spec.services.map((s) => s.name),
      ["status"],
    );
    assert.match(spec.services[0].runCommand, /^resurrector serve --host 0\.0\.0\.0 --port 8080$/);
    assert.deepEqual(
      { path: spec.services[0].healthCheck?.httpPath, port: spec.services[0].healthCheck?.port },
      { path: "/healthz", port: 8080 },
    );
  });

  test("runs in the guarded database's region (the prod stack's loco:region)", async () => {
    const { spec } = await appSpec();
    assert.equal(spec.region, committed("Pulumi.prod.yaml").config["loco:region"]);
  });

  test("every credential reaches the containers as a SECRET env holding a secret value", async () => {
    const { spec } = await appSpec({ "loco:alertWebhookUrl": { secret: "https://hooks.example.com/abc" } });
    const envs = [...spec.services, ...spec.workers, ...spec.jobs].flatMap((c) => c.envs.map((e) => ({ ...e, component: c.name })));
    const credentials = envs.filter((e) => /URL|KEY|TOKEN|SECRET/.test(e.key));
    assert.deepEqual([...new Set(credentials.map((e) => e.key))].sort(), [
      "DATABASE_ADMIN_URL",
      "DIGITALOCEAN_TOKEN",
      "LOCO_ALERT_WEBHOOK_URL",
      "LOCO_DATABASE_URL",
      "LOCO_RESURRECTOR_KEY",
      "LOCO_STATUS_WEBHOOK_SECRET",
      "PULUMI_ACCESS_TOKEN",
    ]);
    for (const env of credentials) {
      assert.equal(env.type, "SECRET", `${env.component} ${env.key}`);
      assert.ok(isSecret(env.value), `${env.component} ${env.key} must be a secret value`);
    }
  });

  test("the admin URL is handed to the grant job only", async () => {
    const { spec } = await appSpec();
    const holders = [...spec.services, ...spec.workers, ...spec.jobs].filter((c) => c.envs.some((e) => e.key === "DATABASE_ADMIN_URL"));
    assert.deepEqual(
      holders.map((c) => [c.name, c.kind]),
      [["grant", "PRE_DEPLOY"]],
    );
  });

  test("the app connects as its own database role, created on the guarded cluster before the app", async () => {
    const { registered, spec } = await appSpec();
    const user = registered.one("digitalocean:index/databaseUser:DatabaseUser");
    const configured = (committed(`Pulumi.${stack}.yaml`).config["loco:resurrector"] as { database: { clusterId: string } }).database;
    assert.equal(user.inputs.clusterId, configured.clusterId);
    assert.equal(user.inputs.name, "loco_resurrector");
    assert.ok(registered.waitsFor(registered.one(appType), user));
    const url = spec.services[0].envs.find((e) => e.key === "LOCO_DATABASE_URL");
    assert.match(
      String(secretValue(url?.value)),
      /^postgresql:\/\/loco_resurrector:[^@]+@prod-postgres\.db\.ondigitalocean\.com\.invalid:25060\/loco\?sslmode=require$/,
    );
  });

  test("status.<baseDomain> is a CNAME to the app's own host, and the app claims the domain", async () => {
    const { registered, spec } = await appSpec();
    const record = registered.one("cloudflare:index/dnsRecord:DnsRecord");
    assert.equal(record.inputs.name, "status.loco.example.com");
    assert.equal(record.inputs.type, "CNAME");
    assert.equal(record.inputs.content, "offline-placeholder-resurrector-prod-app.ondigitalocean.app.invalid");
    assert.deepEqual(
      spec.domainNames.map((d) => d.name),
      ["status.loco.example.com"],
    );
  });

  test("the plan writes no secret value", async () => {
    const secrets = {
      "loco:resurrectorKey": { secret: "master-key-value-never-shown" },
      "loco:pulumiAccessToken": { secret: "pul-token-never-shown" },
      "loco:statusWebhookSecret": { secret: "webhook-secret-never-shown" },
    };
    const registered = await runStack(stack, secrets);
    const written = JSON.stringify(registered.all.map((r) => masked(r.inputs)));
    for (const value of [
      "master-key-value-never-shown",
      "pul-token-never-shown",
      "webhook-secret-never-shown",
      "offline-placeholder-password",
    ]) {
      assert.ok(!written.includes(value), `${value} leaked into the plan`);
    }
  });

  test("the offline plan prices the worker and the service from the dated catalog", async () => {
    const plan = await buildPlan(projectDir, stack);
    const each = catalog.appPlatformSizes["apps-s-1vcpu-1gb"].monthly;
    assert.deepEqual(
      plan.summary.cost.lines.map((l) => [l.item, l.monthlyMin]),
      [
        ["app status: 1 x apps-s-1vcpu-1gb", each],
        ["app watch: 1 x apps-s-1vcpu-1gb", each],
      ],
    );
    assert.equal(plan.summary.cost.pricesAsOf, catalog.asOf);
  });
});

describe("the grant", () => {
  test("reads loco's tables and writes none of them", () => {
    const sql = resurrectorGrantStatements("loco", "loco_resurrector");
    assert.match(sql, /GRANT SELECT ON ALL TABLES IN SCHEMA public TO "loco_resurrector"/);
    assert.match(sql, /GRANT CONNECT, CREATE ON DATABASE "loco"/);
    assert.doesNotMatch(sql, /INSERT|UPDATE|DELETE|ALL PRIVILEGES|GRANT ALL/);
  });
});

describe("the platform's database firewall admits the resurrector's app", () => {
  test("loco:database.trustedApps become app rules", async () => {
    const appId = "6a1b7c2d-0000-4000-8000-1234567890ab";
    const prod = committed("Pulumi.prod.yaml").config["loco:database"] as Record<string, unknown>;
    const registered = await runStack("prod", { "loco:database": { ...prod, trustedApps: [appId] } });
    const firewall = registered.one("digitalocean:index/databaseFirewall:DatabaseFirewall");
    assert.deepEqual((firewall.inputs.rules as unknown[]).slice(1), [{ type: "app", value: appId }]);
  });
});

describe("resurrector stack config errors", () => {
  test("the committed file is valid", () => {
    assert.equal(parseResurrectorConfig(rawWith({})).guards, "prod");
  });

  test("a missing secret names the key and the command", () => {
    assert.deepEqual(problemsOf({ "loco:resurrectorKey": undefined }), [
      "Pulumi.resurrector-prod.yaml: loco:resurrectorKey: is required (LOCO_RESURRECTOR_KEY, the master key of the resurrector's sealed records): run `pulumi config set --secret loco:resurrectorKey <value>`",
    ]);
  });

  test("a secret stored in plaintext is refused without echoing it", () => {
    const problems = problemsOf({ "loco:pulumiAccessToken": "pul-plaintext-123" });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /loco:pulumiAccessToken: is stored in plaintext/);
    assert.doesNotMatch(problems[0], /pul-plaintext-123/);
  });

  test("platform keys do not apply to a resurrector stack", () => {
    assert.deepEqual(problemsOf({ "loco:cluster": JSON.stringify({ kubernetesVersion: "1.35.1-do.6" }) }), [
      "Pulumi.resurrector-prod.yaml: loco:cluster: is not read by the resurrector program: a platform key does not apply to a resurrector stack (it configures the guarded environment's own stack)",
    ]);
  });

  test("a mistyped key gets a did-you-mean and its value is not shown", () => {
    const problems = problemsOf({ "loco:resurectorKey": { secret: "hidden-value" } });
    assert.ok(
      problems.some((p) => p.includes('loco:resurectorKey: is not read by the resurrector program: did you mean "loco:resurrectorKey"?')),
    );
    assert.ok(problems.every((p) => !p.includes("hidden-value")));
  });

  test("guards must match the stack name", () => {
    const problems = problemsOf({ "loco:resurrector": JSON.stringify({ ...settings(), guards: "dev" }) });
    assert.deepEqual(problems, [
      'Pulumi.resurrector-prod.yaml: loco:resurrector.guards = "dev": does not match the stack\'s name: a resurrector guarding it is the stack resurrector-dev',
    ]);
  });

  test("the image tag latest is refused", () => {
    const image = { registryType: "DOCR", repository: "loco-resurrector", tag: "latest" };
    const problems = problemsOf({ "loco:resurrector": JSON.stringify({ ...settings(), image }) });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /loco:resurrector\.image\.tag = "latest": must be an exact version/);
  });

  test("an image named by digest runs that build", async () => {
    const digest = `sha256:${"c".repeat(64)}`;
    const image = { registryType: "GHCR", registry: "loco", repository: "loco-platform/resurrector", digest };
    assert.deepEqual(problemsOf({ "loco:resurrector": JSON.stringify({ ...settings(), image }) }), []);
    const { spec } = await appSpec({ "loco:resurrector": { ...settings(), image } });
    assert.deepEqual((spec.workers[0] as unknown as { image: unknown }).image, { ...image });
  });

  test("an image with neither tag nor digest is refused", () => {
    const image = { registryType: "DOCR", repository: "loco-resurrector" };
    const problems = problemsOf({ "loco:resurrector": JSON.stringify({ ...settings(), image }) });
    assert.equal(problems.length, 1);
    assert.match(problems[0], /loco:resurrector\.image.*needs a tag or a digest/);
  });

  test("an unknown setting and a bad instance size are named", () => {
    const problems = problemsOf({ "loco:resurrector": JSON.stringify({ ...settings(), regoin: "nyc3", instanceSize: "huge" }) });
    assert.ok(
      problems.some((p) => /loco:resurrector\.regoin: .*did you mean "region"/.test(p)),
      problems.join("\n"),
    );
    assert.ok(
      problems.some((p) => /loco:resurrector\.instanceSize = "huge": must be one of apps-s-1vcpu-0\.5gb/.test(p)),
      problems.join("\n"),
    );
  });

  test("the watch is a dry run by default: no --act and no LOCO_RESURRECTOR_ACT", async () => {
    const { spec } = await appSpec();
    assert.doesNotMatch(spec.workers[0].runCommand, /--act/);
    assert.ok(!spec.workers[0].envs.some((e) => e.key === "LOCO_RESURRECTOR_ACT"));
  });

  test("watch settings reach the worker; act turns both keys", async () => {
    const watch = { intervalSeconds: 60, downProbes: 8, downMinutes: 10, act: true };
    const { spec } = await appSpec({ "loco:resurrector": { ...settings(), watch } });
    assert.equal(
      spec.workers[0].runCommand,
      "resurrector watch --environment prod --interval 60 --down-probes 8 --down-minutes 10 --public-url https://api.loco.example.com/ --act",
    );
    assert.deepEqual(
      spec.workers[0].envs.filter((e) => e.key === "LOCO_RESURRECTOR_ACT").map((e) => [e.type, e.value]),
      [["GENERAL", "true"]],
    );
    assert.ok(!spec.services[0].envs.some((e) => e.key === "LOCO_RESURRECTOR_ACT"), "only the worker acts");
  });

  test("bad watch settings are named", () => {
    const problems = problemsOf({
      "loco:resurrector": JSON.stringify({ ...settings(), watch: { intervalSeconds: 1, downProbes: 0, act: "yes", every: 3 } }),
    });
    for (const expected of [
      /loco:resurrector\.watch\.intervalSeconds = 1: .*5/,
      /loco:resurrector\.watch\.downProbes = 0: .*1/,
      /loco:resurrector\.watch\.act = "yes"/,
      /loco:resurrector\.watch\.every/,
    ]) {
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${expected}: ${problems.join("\n")}`,
      );
    }
  });

  test("the platform stack refuses the resurrector's section", () => {
    const raw = readStackConfig(projectDir, "prod");
    assert.throws(
      () =>
        parseStackConfig({
          stack: "prod",
          values: { ...raw.values, "loco:resurrector": JSON.stringify({ guards: "prod" }) },
          secretKeys: new Set(raw.secretKeys),
        }),
      (error: unknown) => error instanceof ConfigError && error.problems.some((p) => p.includes("loco:resurrector")),
    );
  });
});
