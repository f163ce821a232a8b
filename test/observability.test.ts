/**
 * The observability layer as a reviewer reads it in a preview: what each release is given, the contracts other
 * layers rely on, secrecy, and the collector configuration's guarantees. Chart values are also validated against
 * the charts' own values.schema.json from the upstream reference (test/upstream.ts); without it that part is
 * skipped locally and fails under CI=true.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import Ajv from "ajv";
import { parse } from "yaml";
import { deepMerge } from "../lib/deep-merge";
import { gatewayListeners, platformRoutesLabel, sharedGateway } from "../lib/shared-gateway";
import { otelGateway, otlpGrpcEndpoint } from "../lib/telemetry-endpoints";
import { tenantAttributes } from "../lib/tenant-attributes";
import { tenantLabels } from "../lib/tenant-labels";
import { agentConfig, gatewayConfig, metricAllowListCondition } from "../observability/collector-config";
import { expectedCorePoolPlacement } from "./core-pool-placement";
import { isSecret, runStack, secretValue, type Registered } from "./harness";
import { requireUpstream, skipUnlessUpstream } from "./upstream";

const releaseType = "kubernetes:helm.sh/v3:Release";
const release = (registered: Registered, name: string) => registered.all.find((r) => r.type === releaseType && r.inputs.name === name)!;
// Values are deep, chart-shaped trees; the tests read them like a reviewer reads the YAML.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tree = any;
const values = (registered: Registered, name: string) => release(registered, name).inputs.values as Tree;

/** The schema Job's name and the files of the ConfigMap it mounts. */
function migrationJob(registered: Registered): { name: string; files: Record<string, string> } {
  const jobs = registered.ofType("kubernetes:batch/v1:Job").filter((j) => j.name.endsWith("-clickhouse-migrate"));
  assert.equal(jobs.length, 1, "one schema Job");
  const job = jobs[0].inputs as Tree;
  const mounted = (job.spec.template.spec.volumes as { name: string; configMap?: { name: string } }[]).find((v) => v.name === "migrations");
  const configMap = registered
    .ofType("kubernetes:core/v1:ConfigMap")
    .find((c) => (c.inputs.metadata as { name: string }).name === mounted?.configMap?.name);
  assert.ok(configMap, "the Job mounts the migrations ConfigMap");
  return { name: job.metadata.name as string, files: configMap.inputs.data as Record<string, string> };
}

/** Secrets are opaque in recorded inputs; schema checks see them as the strings they become. */
function unmasked(value: unknown): unknown {
  if (isSecret(value)) return "secret-value";
  if (Array.isArray(value)) return value.map(unmasked);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unmasked(v)]));
  return value;
}

describe("chart values against the charts' own values.schema.json", () => {
  for (const [chart, releases] of [
    ["clickhouse", ["clickhouse"]],
    ["opentelemetry-collector", ["otel-gateway", "otel-agent"]],
  ] as const) {
    for (const stack of ["dev", "prod", "local"]) {
      test(
        `${chart} (${releases.join(", ")}) on ${stack}`,
        { skip: skipUnlessUpstream("charts", chart, "values.schema.json") },
        async () => {
          const schemaPath = requireUpstream("charts", chart, "values.schema.json");
          const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(readFileSync(schemaPath, "utf8")));
          // Helm validates the chart's defaults with the release's values merged over them.
          const defaults = parse(readFileSync(requireUpstream("charts", chart, "values.yaml"), "utf8")) as Record<string, unknown>;
          const registered = await runStack(stack);
          for (const name of releases) {
            const merged = deepMerge(defaults, unmasked(values(registered, name)));
            assert.equal(validate(merged), true, `${name}: ${JSON.stringify(validate.errors)}`);
          }
        },
      );
    }
  }
});

describe("the observability layer on dev", () => {
  test("the gateway collector is exactly the Service other layers send to", async () => {
    const registered = await runStack("dev");
    const gateway = release(registered, otelGateway.service);
    assert.equal(gateway.inputs.namespace, otelGateway.namespace);
    const v = values(registered, otelGateway.service);
    assert.equal(v.mode, "deployment");
    assert.equal(v.fullnameOverride, otelGateway.service);
    assert.equal(v.ports.otlp.servicePort, otelGateway.grpcPort);
    assert.equal(v.ports["otlp-http"].servicePort, otelGateway.httpPort);
    assert.deepEqual(v.nodeSelector, expectedCorePoolPlacement.nodeSelector);
  });

  test("apps get LOCO_TRACING_ENDPOINT and LOCO_METRICS_ENDPOINT from the stack outputs", async () => {
    const telemetry = ((await runStack("dev")).stackOutputs.observability as { telemetry: Record<string, string> }).telemetry;
    assert.equal(telemetry.LOCO_TRACING_ENDPOINT, otlpGrpcEndpoint);
    assert.equal(telemetry.LOCO_METRICS_ENDPOINT, otlpGrpcEndpoint);
  });

  test("the agent runs on every node: it tolerates the core pool's taint and selects no pool", async () => {
    const v = values(await runStack("dev"), "otel-agent");
    assert.equal(v.mode, "daemonset");
    assert.equal(v.nodeSelector, undefined);
    assert.equal(v.affinity, undefined);
    assert.deepEqual(v.tolerations, expectedCorePoolPlacement.tolerations);
    assert.ok(
      Object.values(v.ports as Record<string, { enabled: boolean }>).every((p) => !p.enabled),
      "the agent opens no port",
    );
  });

  test("ClickHouse, Grafana and the gateway get their passwords from Secrets, never from values", async () => {
    const registered = await runStack("dev");
    const clickhouse = values(registered, "clickhouse").clickhouse;
    assert.equal(clickhouse.defaultUser.password, undefined);
    assert.equal(clickhouse.defaultUser.password_secret_name, "clickhouse-admin");
    // The writer and reader are SQL-made pairs, not users.xml users: the chart renders none.
    assert.deepEqual(clickhouse.users, []);
    const gatewayEnv = values(registered, "otel-gateway").extraEnvs as { valueFrom?: { secretKeyRef?: { name: string } } }[];
    assert.ok(gatewayEnv.some((e) => e.valueFrom?.secretKeyRef?.name === "clickhouse-otel"));
    const grafana = values(registered, "grafana");
    assert.equal(grafana.admin.existingSecret, "grafana-admin");
    assert.equal(grafana.adminPassword, undefined);
    for (const secret of registered.ofType("kubernetes:core/v1:Secret")) assert.ok(isSecret(secret.inputs.stringData), secret.name);
    const outputs = (await runStack("dev")).stackOutputs.observability as Record<string, unknown>;
    assert.match(String(secretValue(outputs.grafanaAdminPassword)), /^offline-placeholder/);
  });

  test("Grafana is routed at dashboards.{baseDomain} through the shared Gateway's dashboards listener, from a labelled namespace", async () => {
    const registered = await runStack("dev");
    const route = values(registered, "grafana").route.main;
    assert.equal(route.enabled, true);
    assert.deepEqual(route.hostnames, ["dashboards.dev.loco.example.com"]);
    assert.deepEqual(route.parentRefs, [
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: sharedGateway.name,
        namespace: sharedGateway.namespace,
        sectionName: gatewayListeners.dashboards,
      },
    ]);
    const namespace = registered
      .ofType("kubernetes:core/v1:Namespace")
      .find((r) => (r.inputs.metadata as { name: string }).name === otelGateway.namespace)!;
    assert.equal(
      (namespace.inputs.metadata as { labels: Record<string, string> }).labels[platformRoutesLabel.key],
      platformRoutesLabel.value,
    );
  });

  test("the gateway waits for the schema Job, which waits for the ClickHouse release", async () => {
    const registered = await runStack("dev");
    const job = registered.one("kubernetes:batch/v1:Job", "loco-dev-clickhouse-migrate");
    assert.ok(registered.waitsFor(job, release(registered, "clickhouse")));
    assert.ok(registered.waitsFor(release(registered, otelGateway.service), job));
  });

  test("the schema Job is named after a digest of every file it runs, the retention (7 days on dev) among them", async () => {
    const { name, files } = migrationJob(await runStack("dev"));
    assert.match(files["retention.sql"], /MODIFY TTL toDateTime\(Timestamp\) \+ INTERVAL 7 DAY/);
    const digest = createHash("sha256")
      .update(
        Object.keys(files)
          .sort()
          .map((file) => `${file}\n${files[file]}`)
          .join("\n"),
      )
      .digest("hex");
    assert.equal(name, `clickhouse-migrate-${digest.slice(0, 10)}`);
  });

  test("changing retention renames (so re-runs) the schema Job; the same retention in another stack keeps its name", async () => {
    const dev = migrationJob(await runStack("dev")).name;
    assert.notEqual(migrationJob(await runStack("dev", { "loco:observability": { retentionDays: 30 } })).name, dev);
    assert.equal(migrationJob(await runStack("prod", { "loco:observability": { retentionDays: 7 } })).name, dev);
  });

  test("dev and prod back up to a Spaces bucket that expires old backups; local has none", async () => {
    const dev = await runStack("dev");
    const bucket = dev.one("digitalocean:index/spacesBucket:SpacesBucket", "loco-dev-backups-bucket");
    assert.deepEqual(bucket.inputs.lifecycleRules, [{ enabled: true, expiration: { days: 2 } }]);
    assert.equal(
      dev.one("kubernetes:batch/v1:CronJob").inputs.spec &&
        (dev.one("kubernetes:batch/v1:CronJob").inputs.spec as { schedule: string }).schedule,
      "17 3 * * *",
    );
    const local = await runStack("local");
    assert.deepEqual(local.ofType("kubernetes:batch/v1:CronJob"), []);
  });

  test("a webhook secret reaches Grafana through its environment, not its values", async () => {
    const registered = await runStack("dev", { "loco:alertWebhookUrl": { secret: "https://hooks.example.com/services/T0K3N" } });
    const grafana = values(registered, "grafana");
    assert.equal(grafana.alerting["contactpoints.yaml"].contactPoints[0].receivers[0].settings.url, "$LOCO_ALERT_WEBHOOK_URL");
    assert.deepEqual(grafana.envValueFrom.LOCO_ALERT_WEBHOOK_URL, { secretKeyRef: { name: "grafana-alert-webhook", key: "url" } });
    assert.doesNotMatch(JSON.stringify(unmasked(registered.all.map((r) => r.inputs))), /T0K3N/);
  });
});

describe("collector configuration", () => {
  const allowList = ["k8s.pod.cpu.usage", "http.server.request.duration"];
  const gateway: Tree = gatewayConfig({ metricAllowList: allowList, clickhouseEndpoint: "tcp://ch:9000", clickhouseUser: "otel" });
  const agent: Tree = agentConfig({ metricAllowList: allowList, gatewayEndpoint: "gw:4319", namespace: "loco-observability-agent" });

  test("the exporter writes to loco's tables and never creates schema", () => {
    const exporter = gateway.exporters.clickhouse;
    assert.equal(exporter.create_schema, false);
    assert.equal(exporter.database, "otel");
    assert.equal(exporter.logs_table_name, "logs");
    assert.equal(exporter.password, "${env:CLICKHOUSE_PASSWORD}");
  });

  test("every pipeline starts with memory_limiter and ends with batch", () => {
    for (const config of [gateway, agent]) {
      for (const [name, pipeline] of Object.entries(config.service.pipelines as Record<string, { processors: string[] }>)) {
        assert.equal(pipeline.processors[0], "memory_limiter", name);
        assert.equal(pipeline.processors.at(-1), "batch", name);
      }
    }
  });

  test("tenant labels become tenant attributes, in both collectors", () => {
    for (const config of [gateway, agent]) {
      const labels = config.processors.k8s_attributes.extract.labels as { tag_name: string; key: string; from: string }[];
      assert.deepEqual(
        labels.map((l) => [l.key, l.tag_name]).sort(),
        Object.entries(tenantLabels)
          .map(([label, key]) => [key, tenantAttributes[label as keyof typeof tenantAttributes]])
          .sort(),
      );
    }
  });

  test("apps cannot claim a tenant: the gateway deletes sent identity before looking it up by connection", () => {
    const pipeline = gateway.service.pipelines.traces.processors as string[];
    assert.ok(pipeline.indexOf("resource/strip-untrusted-identity") < pipeline.indexOf("k8s_attributes"));
    const deleted = (gateway.processors["resource/strip-untrusted-identity"].attributes as { key: string }[]).map((a) => a.key);
    for (const attribute of [...Object.values(tenantAttributes), "k8s.pod.uid", "k8s.pod.ip"])
      assert.ok(deleted.includes(attribute), attribute);
    assert.deepEqual(gateway.processors.k8s_attributes.pod_association, [{ sources: [{ from: "connection" }] }]);
  });

  test("only allow-listed metrics pass, high-cardinality attributes are dropped, everywhere metrics flow", () => {
    assert.equal(metricAllowListCondition(allowList), 'not (name == "k8s.pod.cpu.usage" or name == "http.server.request.duration")');
    for (const config of [gateway, agent]) {
      assert.deepEqual(config.processors["filter/metric-allow-list"].metrics.metric, [
        'not (name == "k8s.pod.cpu.usage" or name == "http.server.request.duration")',
      ]);
      for (const [name, pipeline] of Object.entries(config.service.pipelines as Record<string, { processors: string[] }>)) {
        if (!name.startsWith("metrics")) continue;
        assert.ok(pipeline.processors.includes("filter/metric-allow-list"), name);
        assert.ok(pipeline.processors.includes("attributes/drop-high-cardinality"), name);
      }
    }
    assert.throws(() => metricAllowListCondition([]), /empty/);
    assert.throws(() => metricAllowListCondition(['a" or true or name == "b']), /not a metric name/);
  });

  test("the agent parses severity from JSON logs and skips its own namespace's logs", () => {
    const operators = agent.receivers.file_log.operators as { type: string; parse_from?: string }[];
    assert.deepEqual(
      operators.map((o) => o.type),
      ["container", "json_parser", "severity_parser", "severity_parser"],
    );
    assert.deepEqual(agent.receivers.file_log.exclude, ["/var/log/pods/loco-observability-agent_*/*/*.log"]);
    assert.equal(agent.receivers.otlp.protocols.grpc.endpoint, "127.0.0.1:4317");
  });
});
