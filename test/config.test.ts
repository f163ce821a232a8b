import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, parseStackConfig, type CloudStackConfig, type StackConfig } from "../stacks/config";
import { type ConfigOverride, outputIsSecret, withOverrides } from "./harness";

function parse(stack: string, overrides: Record<string, ConfigOverride> = {}): StackConfig {
  const config = withOverrides(stack, overrides);
  return parseStackConfig({ stack, values: config.values, secretKeys: new Set(config.secretKeys) });
}

/** The problems config validation reports, or a failure if it accepts the config. */
function problems(stack: string, overrides: Record<string, ConfigOverride>): string[] {
  try {
    parse(stack, overrides);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return [...error.problems];
  }
  assert.fail(`stack ${stack} with ${JSON.stringify(overrides)} was accepted`);
}

/** Exactly one problem, naming the file and key, returned for further checks. */
function onlyProblem(stack: string, overrides: Record<string, ConfigOverride>, key: string): string {
  const found = problems(stack, overrides);
  assert.equal(found.length, 1, `expected one problem, got:\n${found.join("\n")}`);
  assert.match(found[0], new RegExp(`^Pulumi\\.${stack}\\.yaml: ${key.replace(/[.[\]]/g, "\\$&")}\\b`));
  return found[0];
}

const devCluster = (patch: Record<string, unknown>) => ({ kubernetesVersion: "1.35.1-do.6", ...patch });
const pool = (patch: Record<string, unknown>) => ({ name: "apps", size: "s-2vcpu-4gb", minNodes: 1, maxNodes: 3, ...patch });

describe("committed stack files", () => {
  for (const stack of ["dev", "prod", "local"]) {
    test(`Pulumi.${stack}.yaml is valid as committed`, () => {
      assert.equal(parse(stack).environment, stack);
    });
  }

  test("dev defaults: no HA, one database node, 7 days of telemetry", () => {
    const config = parse("dev") as CloudStackConfig;
    assert.equal(config.cluster.highAvailability, false);
    assert.equal(config.database.nodeCount, 1);
    assert.equal(config.observability.retentionDays, 7);
    assert.equal(config.protect, false);
  });

  test("prod defaults: HA control plane, standby database node, 30 days of telemetry, protected", () => {
    const config = parse("prod") as CloudStackConfig;
    assert.equal(config.cluster.highAvailability, true);
    assert.equal(config.database.nodeCount, 2);
    assert.equal(config.observability.retentionDays, 30);
    assert.equal(config.protect, true);
  });

  test("a stack that lists app pools replaces the default pools instead of adding to them", () => {
    const config = parse("dev", { "loco:cluster": devCluster({ appPools: [pool({ name: "batch" })] }) }) as CloudStackConfig;
    assert.deepEqual(
      config.cluster.appPools.map((p) => p.name),
      ["batch"],
    );
  });

  test("credentials are Pulumi secrets", async () => {
    const config = parse("dev") as CloudStackConfig;
    assert.equal(await outputIsSecret(config.credentials.digitaloceanToken), true);
    assert.equal(await outputIsSecret(config.credentials.cloudflareApiToken), true);
  });
});

describe("invalid config fails with one message per problem", () => {
  test("unknown region slug, with a suggestion", () => {
    const message = onlyProblem("dev", { "loco:region": "nyc4" }, "loco:region");
    assert.match(message, /= "nyc4"/);
    assert.match(message, /did you mean "nyc[13]"/);
  });

  test("unknown droplet size slug in an app pool", () => {
    const message = onlyProblem(
      "dev",
      { "loco:cluster": devCluster({ appPools: [pool({ size: "s-2vcpu-5gb" })] }) },
      "loco:cluster.appPools[0].size",
    );
    assert.match(message, /digitalocean-catalog\.json/);
  });

  test("unknown database size slug", () => {
    const message = onlyProblem("dev", { "loco:database": { size: "db-s-3vcpu-3gb" } }, "loco:database.size");
    assert.match(message, /= "db-s-3vcpu-3gb"/);
  });

  test("maxNodes below minNodes", () => {
    const message = onlyProblem(
      "dev",
      { "loco:cluster": devCluster({ appPools: [pool({ minNodes: 3, maxNodes: 2 })] }) },
      "loco:cluster.appPools[0].maxNodes",
    );
    assert.match(message, /= 2: must be >= minNodes \(3\)/);
  });

  test("minNodes below 1", () => {
    const message = onlyProblem(
      "dev",
      { "loco:cluster": devCluster({ appPools: [pool({ minNodes: 0 })] }) },
      "loco:cluster.appPools[0].minNodes",
    );
    assert.match(message, /at least 1/);
  });

  for (const baseDomain of ["https://loco.example.com", "loco_example.com", "Loco.Example.com", "localhost"]) {
    test(`base domain that is not a domain: ${baseDomain}`, () => {
      const message = onlyProblem("dev", { "loco:baseDomain": baseDomain }, "loco:baseDomain");
      assert.match(message, /must be a domain name/);
    });
  }

  for (const version of ["latest", "1.35", "1.35.1"]) {
    test(`unpinned Kubernetes version: ${version}`, () => {
      const message = onlyProblem("dev", { "loco:cluster": { kubernetesVersion: version } }, "loco:cluster.kubernetesVersion");
      assert.match(message, /exact DOKS version/);
    });
  }

  test("prod without an HA control plane", () => {
    const message = onlyProblem("prod", { "loco:cluster": devCluster({ highAvailability: false }) }, "loco:cluster.highAvailability");
    assert.match(message, /must be true in prod/);
  });

  test("prod with a single database node", () => {
    const message = onlyProblem("prod", { "loco:database": { nodeCount: 1 } }, "loco:database.nodeCount");
    assert.match(message, /at least 2 in prod/);
  });

  test("a region without Spaces needs an explicit object storage region", () => {
    const message = onlyProblem("dev", { "loco:region": "nyc1" }, "loco:objectStorage.region");
    assert.match(message, /nyc1 has no Spaces: pick one of .*nyc3/);
    assert.equal((parse("dev", { "loco:region": "nyc1", "loco:objectStorage": { region: "nyc3" } }) as CloudStackConfig).region, "nyc1");
  });

  test("a standby node on a size that cannot have one", () => {
    onlyProblem("dev", { "loco:database": { size: "db-s-1vcpu-1gb", nodeCount: 2 } }, "loco:database.nodeCount");
  });

  test("missing required secret, with the command that sets it", () => {
    const message = onlyProblem("dev", { "loco:cloudflareApiToken": undefined }, "loco:cloudflareApiToken");
    assert.match(message, /pulumi config set --secret loco:cloudflareApiToken/);
  });

  test("a secret stored in plaintext is refused and its value never printed", () => {
    const message = onlyProblem("dev", { "loco:digitaloceanToken": "dop_v1_plaintext_token_value" }, "loco:digitaloceanToken");
    assert.match(message, /plaintext/);
    assert.doesNotMatch(message, /dop_v1_plaintext_token_value/);
  });

  test("the local stack's database URL is checked without echoing it", () => {
    const message = onlyProblem("local", { "loco:databaseUrl": { secret: "mysql://root:hunter2@db:3306/loco" } }, "loco:databaseUrl");
    assert.match(message, /postgres:\/\//);
    assert.doesNotMatch(message, /hunter2/);
  });

  for (const days of [0, 366]) {
    test(`telemetry retention out of range: ${days} days`, () => {
      onlyProblem("dev", { "loco:observability": { retentionDays: days } }, "loco:observability.retentionDays");
    });
    test(`rotation age out of range: ${days} days`, () => {
      onlyProblem("dev", { "loco:rotation": { maxAgeDays: days, counters: {} } }, "loco:rotation.maxAgeDays");
    });
  }

  test("unknown top-level key (a typo) is refused with a suggestion", () => {
    const message = onlyProblem("dev", { "loco:regoin": "nyc3" }, "loco:regoin");
    assert.match(message, /did you mean "region"/);
  });

  test("unknown nested key is refused with a suggestion", () => {
    const message = onlyProblem(
      "dev",
      { "loco:cluster": devCluster({ corePool: { size: "s-2vcpu-4gb", nodecount: 2 } }) },
      "loco:cluster.corePool.nodecount",
    );
    assert.match(message, /did you mean "nodeCount"/);
  });

  test("a rotation counter for a credential the platform does not have", () => {
    const message = onlyProblem(
      "dev",
      { "loco:rotation": { maxAgeDays: 30, counters: { cloudflareDnsTokn: 1 } } },
      "loco:rotation.counters.cloudflareDnsTokn",
    );
    assert.match(message, /cloudflareDnsToken/);
  });

  test("a provider's own config key is refused: it would be silently ignored", () => {
    const found = problems("dev", { "kubernetes:context": "prod-cluster" });
    assert.equal(found.length, 1);
    assert.match(found[0], /kubernetes:context is ignored/);
  });

  test("cloud-only settings on the local stack are refused", () => {
    onlyProblem("local", { "loco:cluster": devCluster({}) }, "loco:cluster");
  });

  test("a typo'd key set with --secret never shows its value", () => {
    const message = onlyProblem("dev", { "loco:digitalOceanToken": { secret: "dop_v1_secret_in_typo" } }, "loco:digitalOceanToken");
    assert.doesNotMatch(message, /dop_v1_secret_in_typo/);
  });

  test("every problem is reported in one run", () => {
    const found = problems("prod", {
      "loco:region": "mars1",
      "loco:baseDomain": "not a domain",
      "loco:cluster": devCluster({ highAvailability: false, appPools: [pool({ minNodes: 4, maxNodes: 2 })] }),
      "loco:database": { nodeCount: 1 },
      "loco:cloudflareApiToken": undefined,
    });
    assert.equal(found.length, 6, found.join("\n"));
  });

  test("missing environment is the first thing reported", () => {
    const message = onlyProblem("dev", { "loco:environment": undefined }, "loco:environment");
    assert.match(message, /dev, prod, local/);
  });
});

describe("observability config", () => {
  test("dev is small, prod larger; backups on in both, off on local", () => {
    const dev = parse("dev") as CloudStackConfig;
    const prod = parse("prod") as CloudStackConfig;
    assert.equal(dev.observability.gateway.replicas, 1);
    assert.equal(prod.observability.gateway.replicas, 2);
    assert.equal(dev.observability.clickhouse.storage, "20Gi");
    assert.equal(prod.observability.clickhouse.storage, "200Gi");
    assert.equal(dev.observability.backups.enabled, true);
    assert.equal(parse("local").observability.backups.enabled, false);
    assert.ok(dev.observability.metricAllowList.includes("http.server.request.duration"));
  });

  test("a metric allow-list in the stack file replaces the default list", () => {
    const config = parse("dev", { "loco:observability": { metricAllowList: ["k8s.pod.cpu.usage"] } });
    assert.deepEqual(config.observability.metricAllowList, ["k8s.pod.cpu.usage"]);
  });

  test("an empty allow-list is refused: it would drop every metric", () => {
    const message = onlyProblem("dev", { "loco:observability": { metricAllowList: [] } }, "loco:observability.metricAllowList");
    assert.match(message, /drop every metric/);
  });

  test("a metric listed twice", () => {
    const message = onlyProblem("dev", { "loco:observability": { metricAllowList: ["a.b", "a.b"] } }, "loco:observability.metricAllowList");
    assert.match(message, /metricAllowList\[1\] = "a\.b": is listed twice/);
  });

  test("a resource that is not a Kubernetes quantity", () => {
    const message = onlyProblem(
      "dev",
      { "loco:observability": { clickhouse: { memory: "4 GB" } } },
      "loco:observability.clickhouse.memory",
    );
    assert.match(message, /= "4 GB": must be a Kubernetes quantity/);
  });

  test("backups on the local stack, which has no Spaces", () => {
    const message = onlyProblem("local", { "loco:observability": { backups: { enabled: true } } }, "loco:observability.backups.enabled");
    assert.match(message, /no Spaces/);
  });

  test("a backup schedule that is not cron", () => {
    onlyProblem("dev", { "loco:observability": { backups: { schedule: "daily" } } }, "loco:observability.backups.schedule");
  });

  test("a webhook URL that is not https", () => {
    onlyProblem(
      "dev",
      { "loco:observability": { alerting: { webhookUrl: "http://hooks.example.com/x" } } },
      "loco:observability.alerting.webhookUrl",
    );
  });

  test("the webhook secret is optional, must be a secret, and its value is never printed", async () => {
    const config = parse("prod", { "loco:alertWebhookUrl": { secret: "https://hooks.example.com/T0K3N" } }) as CloudStackConfig;
    assert.ok(config.credentials.alertWebhookUrl);
    assert.equal(await outputIsSecret(config.credentials.alertWebhookUrl), true);
    assert.equal((parse("prod") as CloudStackConfig).credentials.alertWebhookUrl, undefined);
    const message = onlyProblem("prod", { "loco:alertWebhookUrl": "https://hooks.example.com/T0K3N" }, "loco:alertWebhookUrl");
    assert.match(message, /plaintext/);
    assert.doesNotMatch(message, /T0K3N/);
  });

  test("the webhook set both in plain config and as a secret", () => {
    onlyProblem(
      "dev",
      {
        "loco:alertWebhookUrl": { secret: "https://hooks.example.com/T0K3N" },
        "loco:observability": { alerting: { webhookUrl: "https://hooks.example.com/plain" } },
      },
      "loco:alertWebhookUrl",
    );
  });
});

describe("registry config", () => {
  test("defaults: the same lifecycle everywhere, sized per environment, immutability not enforced", () => {
    const dev = parse("dev") as CloudStackConfig;
    const prod = parse("prod") as CloudStackConfig;
    assert.deepEqual(dev.registry.retention, { keepLatestPushed: 2, keepPushedWithinDays: 180, runAt: "02:00" });
    assert.deepEqual(prod.registry.retention, dev.registry.retention);
    assert.equal(dev.registry.immutableTags.enforced, false);
    assert.ok(prod.registry.storageQuotaGiB > dev.registry.storageQuotaGiB);
    assert.equal(prod.registry.replicas, 2);
  });

  test("garbage collection scheduled before (or too soon after) retention", () => {
    const message = onlyProblem(
      "dev",
      { "loco:registry": { garbageCollection: { runAt: "02:30" } } },
      "loco:registry.garbageCollection.runAt",
    );
    assert.match(message, /= "02:30": must be at least 60 minutes after registry\.retention\.runAt \(02:00\).*harbor #17230/);
  });

  test("robots that would expire before their rotation", () => {
    const message = onlyProblem("prod", { "loco:registry": { robotExpiryDays: 90 } }, "loco:registry.robotExpiryDays");
    assert.match(message, /at least rotation\.maxAgeDays \+ 7 \(97\)/);
  });

  test("a quota too small for a single image", () => {
    const message = onlyProblem("dev", { "loco:registry": { storageQuotaGiB: 1, maxImageSizeMiB: 2048 } }, "loco:registry.storageQuotaGiB");
    assert.match(message, /must hold at least one image of registry\.maxImageSizeMiB \(2048 MiB\)/);
  });

  test("Harbor's project name rule, severities and CVE ids are checked", () => {
    onlyProblem("dev", { "loco:registry": { project: "Tenant_Images" } }, "loco:registry.project");
    const severity = onlyProblem("dev", { "loco:registry": { blockPullsAtSeverity: "severe" } }, "loco:registry.blockPullsAtSeverity");
    assert.match(severity, /low, medium, high, critical/);
    const cve = problems("dev", { "loco:registry": { cveAllowlist: ["log4shell"] } });
    assert.deepEqual(cve, ['Pulumi.dev.yaml: loco:registry.cveAllowlist[0] = "log4shell": must be a CVE id such as CVE-2024-3094']);
  });

  test("keeping only the latest images is a null, not a zero", () => {
    const config = parse("dev", { "loco:registry": { retention: { keepPushedWithinDays: null } } }) as CloudStackConfig;
    assert.equal(config.registry.retention.keepPushedWithinDays, null);
    onlyProblem("dev", { "loco:registry": { retention: { keepPushedWithinDays: 0 } } }, "loco:registry.retention.keepPushedWithinDays");
  });

  test("a local-only setting on dev, and a cloud-only one on local, are refused", () => {
    onlyProblem("dev", { "loco:registry": { imageStorageGiB: 50 } }, "loco:registry.imageStorageGiB");
    onlyProblem("local", { "loco:registry": { databaseConnections: 5 } }, "loco:registry.databaseConnections");
  });
});
