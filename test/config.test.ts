import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, parseStackConfig, type CloudStackConfig } from "../stacks/config";
import { cloudConfigSchema, localConfigSchema } from "../stacks/config-schema";
import { configProblems as problems, type ConfigOverride, outputIsSecret, parsedConfig as parse, withOverrides } from "./harness";

/** Exactly one problem, naming the file and key, returned for further checks. */
function onlyProblem(stack: string, overrides: Record<string, ConfigOverride>, key: string): string {
  const found = problems(stack, overrides);
  assert.equal(found.length, 1, `expected one problem, got:\n${found.join("\n")}`);
  assert.match(found[0], new RegExp(`^Pulumi\\.${stack}\\.yaml: ${key.replace(/[.[\]]/g, "\\$&")}\\b`));
  return found[0];
}

const devCluster = (patch: Record<string, unknown>) => ({ kubernetesVersion: "1.35", ...patch });
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
    assert.equal(await outputIsSecret(config.credentials.clusterAccessToken), true);
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

  for (const version of ["latest", "1.35.1-do.6", "1.35.1", "1"]) {
    test(`Kubernetes version that is not a minor version: ${version}`, () => {
      const message = onlyProblem("dev", { "loco:cluster": { kubernetesVersion: version } }, "loco:cluster.kubernetesVersion");
      assert.match(message, /must be a minor version such as "1\.34"/);
    });
  }

  test("the cluster generation is 1 unless the stack file (or the resurrector's rebuild) sets it", () => {
    for (const stack of ["dev", "prod"]) assert.equal((parse(stack) as CloudStackConfig).cluster.generation, 1);
    // `pulumi config set --path loco:cluster.generation 2` (the Automation API's setConfig) may store a string.
    for (const generation of [2, "2"]) {
      assert.equal((parse("dev", { "loco:cluster": devCluster({ generation }) }) as CloudStackConfig).cluster.generation, 2);
    }
  });

  for (const generation of [0, -1, 1.5, "two", "", 10000]) {
    test(`a cluster generation that is not a positive whole number: ${JSON.stringify(generation)}`, () => {
      const message = onlyProblem("dev", { "loco:cluster": devCluster({ generation }) }, "loco:cluster.generation");
      assert.match(message, /must be a whole number from 1 to 9999/);
    });
  }

  test("a Kubernetes minor version is taken as the stack file gives it", () => {
    const config = parse("dev", { "loco:cluster": { kubernetesVersion: "1.36" } }) as CloudStackConfig;
    assert.equal(config.cluster.kubernetesVersion, "1.36");
  });

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

  test("the cluster access token is required on dev and prod, with the scopes it needs", () => {
    const message = onlyProblem("prod", { "loco:clusterAccessToken": undefined }, "loco:clusterAccessToken");
    assert.match(message, /kubernetes:access_cluster/);
    assert.match(message, /pulumi config set --secret loco:clusterAccessToken/);
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

  test("a rotation overlap as long as the rotation period is refused", () => {
    const message = onlyProblem(
      "dev",
      { "loco:rotation": { maxAgeDays: 2, overlapHours: 48, counters: {} } },
      "loco:rotation.overlapHours",
    );
    assert.match(message, /must be less than rotation\.maxAgeDays × 24 \(48\)/);
  });

  test("a rotation clock that is not an RFC 3339 time is refused", () => {
    onlyProblem("dev", { "loco:rotation": { maxAgeDays: 30, now: "next tuesday", counters: {} } }, "loco:rotation.now");
  });

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
    assert.match(message, /must be at least 111 days \(rotation\.maxAgeDays \+ 3 weekly rotation runs/);
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

/** Every object schema inside `schema`, with the path a value takes to reach it (index 0 for list items). */
function objectSchemas(schema: unknown, path: (string | number)[] = []): { path: (string | number)[]; keys: string[] }[] {
  const def = (schema as { def: Record<string, unknown> }).def;
  switch (def.type) {
    case "object": {
      const shape = def.shape as Record<string, unknown>;
      return [{ path, keys: Object.keys(shape) }, ...Object.entries(shape).flatMap(([key, child]) => objectSchemas(child, [...path, key]))];
    }
    case "optional":
    case "nullable":
    case "default":
      return objectSchemas(def.innerType, path);
    case "array":
      return objectSchemas(def.element, [...path, 0]);
    case "record":
      return objectSchemas(def.valueType, [...path, "<name>"]);
    case "union":
      return (def.options as unknown[]).flatMap((option) => objectSchemas(option, path));
    default:
      return [];
  }
}

/** A copy of `value` with `key: 1` added to the object at `path`. */
function withKeyAt(value: unknown, path: readonly (string | number)[], key: string): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let target = copy;
  for (const segment of path) target = target[segment] as Record<string | number, unknown>;
  target[key] = 1;
  return copy;
}

describe("every object in the config schema refuses a key it does not know", () => {
  const environments = [
    { stack: "dev", schema: cloudConfigSchema },
    { stack: "local", schema: localConfigSchema },
  ];
  test("the walk finds the nested objects (a walk that finds nothing proves nothing)", () => {
    const paths = objectSchemas(cloudConfigSchema).map((o) => o.path.join("."));
    for (const expected of ["", "database", "cluster.corePool", "cluster.appPools.0", "observability.backups", "registry.retention"]) {
      assert.ok(paths.includes(expected), `${expected} not found in ${paths.join(", ")}`);
    }
  });

  for (const { stack, schema } of environments) {
    const parsed = parse(stack) as unknown as Record<string, unknown>;
    for (const { path, keys } of objectSchemas(schema)) {
      // A mistyped key as people type them: the right name in the wrong case (nodecount), or with a stray letter.
      const meant = keys[0];
      const typo = meant.toLowerCase() !== meant ? meant.toLowerCase() : `${meant}x`;
      const shown = `loco:${[...path, typo].map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("")}`;
      test(`${stack}: ${shown.replace(".[", "[")} is refused, suggesting "${meant}"`, () => {
        assert.ok(!path.includes("<name>"), "a record of objects: give it a case of its own");
        const [top, ...rest] = path;
        const overrides = top === undefined ? { [`loco:${typo}`]: 1 } : { [`loco:${top}`]: withKeyAt(parsed[top as string], rest, typo) };
        const message = onlyProblem(stack, overrides, shown.replace(".[", "["));
        assert.match(message, new RegExp(`: is not a known setting .*did you mean "${meant}"\\?$`));
      });
    }
  }

  test("loco:database.nodecount is refused, not silently ignored", () => {
    const message = onlyProblem("prod", { "loco:database": { nodecount: 3 } }, "loco:database.nodecount");
    assert.equal(
      message,
      'Pulumi.prod.yaml: loco:database.nodecount: is not a known setting (a typo would be silently ignored otherwise): did you mean "nodeCount"?',
    );
  });
});

describe("keys the program does not read", () => {
  test("a key in a mistyped namespace is refused with the loco: key it meant, and its value is not shown", () => {
    const found = problems("dev", { "loc:traffic": { http3: true, secretish: "dop_v1_hidden_value" } });
    assert.deepEqual(found, [
      'Pulumi.dev.yaml: loc:traffic is not read by this program: it reads only loco: keys, so this one would be silently ignored: did you mean "loco:traffic"?',
    ]);
  });

  test("`pulumi config set region` (the project's namespace) is refused, saying how to set loco:region", () => {
    const config = withOverrides("dev", { "loco-platform:region": "ams3" });
    const found = (() => {
      try {
        parseStackConfig({ stack: "dev", project: "loco-platform", values: config.values, secretKeys: new Set(config.secretKeys) });
      } catch (error) {
        return (error as ConfigError).problems;
      }
      assert.fail("loco-platform:region was accepted");
    })();
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0], /^Pulumi\.dev\.yaml: loco-platform:region is not read by this program.*did you mean "loco:region"\?/);
    assert.match(
      found[0],
      /`pulumi config set region` without a namespace writes loco-platform:region: name the namespace, `pulumi config set loco:region`/,
    );
    assert.doesNotMatch(found[0], /ams3/);
  });

  test("a foreign key nothing resembles points at the reference instead of guessing", () => {
    const found = problems("dev", { "acme:colour": "blue" });
    assert.deepEqual(found, [
      "Pulumi.dev.yaml: acme:colour is not read by this program: it reads only loco: keys, so this one would be silently ignored: see docs/config-reference.md for the loco: keys",
    ]);
  });

  test("the engine's own pulumi: settings are left to the engine", () => {
    assert.equal(parse("dev", { "pulumi:disable-default-providers": ["kubernetes"] }).environment, "dev");
  });

  test("a plaintext secret under a mistyped key is refused without echoing it", () => {
    const message = onlyProblem("dev", { "loco:digitalOceanToken": "dop_v1_plaintext_in_a_typo" }, "loco:digitalOceanToken");
    assert.equal(
      message,
      'Pulumi.dev.yaml: loco:digitalOceanToken: is not a known setting (a typo would be silently ignored otherwise): did you mean "digitaloceanToken"?',
    );
  });

  test("an unknown nested key never shows its value", () => {
    const message = onlyProblem("dev", { "loco:database": { password: "hunter2-database" } }, "loco:database.password");
    assert.doesNotMatch(message, /hunter2/);
  });

  test("a nested setting written as one dotted key says how to set it with --path", () => {
    const message = onlyProblem("dev", { "loco:cluster.kubernetesVersion": "1.35.1-do.6" }, "loco:cluster.kubernetesVersion");
    assert.match(message, /`pulumi config set --path 'loco:cluster\.kubernetesVersion' <value>`/);
  });
});

describe("cluster.vpcIpRange: what DigitalOcean accepts, clear of the cluster's own ranges", () => {
  const vpc = (vpcIpRange: string) => ({ "loco:cluster": devCluster({ vpcIpRange }) });

  for (const accepted of ["10.10.0.0/16", "192.168.8.0/24", "172.16.0.16/28", "10.246.0.0/16"]) {
    test(`${accepted} is accepted`, () => {
      assert.equal((parse("dev", vpc(accepted)) as CloudStackConfig).cluster.vpcIpRange, accepted);
    });
  }

  const refused: [string, RegExp][] = [
    ["8.8.0.0/16", /= "8\.8\.0\.0\/16": must be a private range inside 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16 \(RFC 1918\)/],
    ["172.32.0.0/16", /must be a private range/],
    ["10.0.0.0/8", /= "10\.0\.0\.0\/8": must be \/16 to \/28/],
    ["10.10.10.0/30", /must be \/16 to \/28/],
    ["10.10.1.0/16", /must be a network address, with no host bits set \(did you mean 10\.10\.0\.0\/16\?\)/],
    ["10.244.16.0/20", /must not overlap the cluster's pod range 10\.244\.0\.0\/16 \(DOKS's default/],
    ["10.245.0.0/24", /must not overlap the cluster's service range 10\.245\.0\.0\/16/],
    ["not-a-cidr", /must be an IPv4 CIDR such as 10\.10\.0\.0\/16/],
  ];
  for (const [range, expected] of refused) {
    test(`${range} is refused`, () => {
      assert.match(onlyProblem("dev", vpc(range), "loco:cluster.vpcIpRange"), expected);
    });
  }
});

describe("deleteUnreachable comes from the environment of one run, never from the stack file", () => {
  const withEnvironment = (environment: Record<string, string | undefined>) => {
    const config = withOverrides("dev", {});
    return () => parseStackConfig({ stack: "dev", values: config.values, secretKeys: new Set(config.secretKeys), environment });
  };

  test("off when neither variable is set", () => {
    assert.equal(withEnvironment({})().deleteUnreachable, false);
    assert.equal(withEnvironment({ LOCO_DELETE_UNREACHABLE: "false" })().deleteUnreachable, false);
  });

  test("on for a deliberate rebuild, which sets both variables", () => {
    const config = withEnvironment({ LOCO_DELETE_UNREACHABLE: "true", PULUMI_K8S_DELETE_UNREACHABLE: "true" })();
    assert.equal(config.deleteUnreachable, true);
  });

  for (const [why, environment, pattern] of [
    ["a value other than true or false", { LOCO_DELETE_UNREACHABLE: "yes" }, /LOCO_DELETE_UNREACHABLE = "yes": must be true or false/],
    [
      "the provider's own variable without the project's",
      { PULUMI_K8S_DELETE_UNREACHABLE: "true" },
      /PULUMI_K8S_DELETE_UNREACHABLE is set without LOCO_DELETE_UNREACHABLE=true/,
    ],
    [
      "the project's variable without the provider's",
      { LOCO_DELETE_UNREACHABLE: "true" },
      /set PULUMI_K8S_DELETE_UNREACHABLE=true as well/,
    ],
  ] as const) {
    test(`refused: ${why}`, () => {
      assert.throws(withEnvironment(environment), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 1, error.message);
        assert.match(error.problems[0], pattern);
        return true;
      });
    });
  }
});
