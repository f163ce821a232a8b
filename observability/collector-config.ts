/**
 * The two OpenTelemetry Collector configurations (component names as collector 0.158 spells them: `file_log`,
 * `kubelet_stats`, `k8s_attributes`, `otlp_grpc`).
 *
 * - The **agent** (a DaemonSet on every node) tails container logs, parses severity from JSON lines, reads kubelet
 *   stats, tags everything with the tenant labels of the pod it came from (matched by the pod UID in the log path),
 *   applies the metric allow-list and forwards to the gateway on a port only agents may reach.
 * - The **gateway** (a Deployment behind Service `otel-gateway`) takes OTLP from apps and Envoy on 4317/4318.
 *   Senders are not trusted with their own identity: any tenant attribute or pod identifier they send is deleted
 *   and the tenant labels are looked up from the pod the connection comes from. It is the only writer to
 *   ClickHouse, with `create_schema: false` (observability/clickhouse-schema.ts owns the tables).
 */
import { otelGateway } from "../lib/telemetry-endpoints";
import { tenantAttributes, tenantLabelOrder } from "../lib/tenant-attributes";
import { tenantLabels } from "../lib/tenant-labels";
import { telemetryDatabase, telemetryTables } from "./clickhouse-schema";

/** The gateway port agents forward to; a NetworkPolicy admits only agent pods to it. */
export const agentForwardPort = 4319;

/** Env vars the chart values provide to the collector containers. */
export const collectorEnv = { nodeName: "K8S_NODE_NAME", nodeIp: "K8S_NODE_IP", clickhousePassword: "CLICKHOUSE_PASSWORD" } as const;

/**
 * Attributes whose values are unique per request, user or pod: kept, they would turn every data point into its own
 * series. Dropped from metric data points (resource ones from metric resources).
 */
export const highCardinalityAttributes = [
  "url.full",
  "url.path",
  "url.query",
  "http.url",
  "http.target",
  "client.address",
  "client.port",
  "network.peer.address",
  "network.peer.port",
  "net.sock.peer.addr",
  "net.sock.peer.port",
  "user_agent.original",
  "http.user_agent",
  "user.id",
  "session.id",
  "enduser.id",
] as const;
export const highCardinalityResourceAttributes = ["k8s.pod.uid", "k8s.pod.ip", "container.id", "process.pid", "host.id"] as const;

/** Pod identifiers a sender could forge to borrow another pod's tenant labels. */
const podIdentityAttributes = ["k8s.pod.uid", "k8s.pod.ip", "k8s.pod.name", "k8s.namespace.name"];

/** OTTL condition that is true for metrics NOT on the allow-list (the filter processor drops what matches). */
export function metricAllowListCondition(allowList: readonly string[]): string {
  if (allowList.length === 0) throw new Error("the metric allow-list is empty: every metric would be dropped");
  const bad = allowList.find((name) => !/^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(name));
  if (bad !== undefined) throw new Error(`metric allow-list: ${JSON.stringify(bad)} is not a metric name`);
  return `not (${allowList.map((name) => `name == "${name}"`).join(" or ")})`;
}

/** The k8s_attributes processor: tenant labels on the pod become tenant resource attributes. */
function kubernetesAttributes(mode: "agent" | "gateway") {
  return {
    auth_type: "serviceAccount",
    passthrough: false,
    // The agent only needs the pods of its own node: a cache of one node's pods, not the cluster's.
    ...(mode === "agent" ? { filter: { node_from_env_var: collectorEnv.nodeName } } : {}),
    pod_association:
      mode === "agent"
        ? // Container logs carry the pod UID from their file path; kubelet stats carry it as a resource attribute.
          [{ sources: [{ from: "resource_attribute", name: "k8s.pod.uid" }] }]
        : // Only the connection's source address: whatever the sender claims about itself was deleted before.
          [{ sources: [{ from: "connection" }] }],
    extract: {
      metadata: ["k8s.namespace.name", "k8s.pod.name", "k8s.pod.uid", "k8s.node.name", "k8s.deployment.name"],
      labels: tenantLabelOrder.map((label) => ({ tag_name: tenantAttributes[label], key: tenantLabels[label], from: "pod" })),
    },
  };
}

const memoryLimiter = { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 };
const batch = { send_batch_size: 8192, send_batch_max_size: 16384, timeout: "5s" };

/** Shared metric hygiene: the allow-list, then high-cardinality attributes out. */
function metricProcessors(allowList: readonly string[]) {
  return {
    "filter/metric-allow-list": { error_mode: "ignore", metrics: { metric: [metricAllowListCondition(allowList)] } },
    "attributes/drop-high-cardinality": { actions: highCardinalityAttributes.map((key) => ({ key, action: "delete" })) },
    "resource/drop-high-cardinality": { attributes: highCardinalityResourceAttributes.map((key) => ({ key, action: "delete" })) },
  };
}
const metricChain = ["filter/metric-allow-list", "attributes/drop-high-cardinality", "resource/drop-high-cardinality"];

export interface AgentConfigArgs {
  readonly metricAllowList: readonly string[];
  /** Host:port of the gateway's agent receiver. */
  readonly gatewayEndpoint: string;
  /** Namespace the collectors run in: their own logs are not collected (a log loop). */
  readonly namespace: string;
}

/** Severity words in JSON logs, mapped onto OTel severities by the stanza severity parser. */
const severityMapping = {
  fatal: ["fatal", "critical", "crit", "panic", "emerg", "emergency", "alert"],
  error: ["error", "err"],
  warn: ["warn", "warning"],
  info: ["info", "information", "notice"],
  debug: ["debug", "dbg"],
  trace: ["trace", "trc"],
};

export function agentConfig(args: AgentConfigArgs): Record<string, unknown> {
  return {
    receivers: {
      // Listens on localhost only: the chart's default traces pipeline needs a receiver, and nothing outside the
      // agent pod may hand the agent telemetry (the gateway trusts what agents forward).
      otlp: { protocols: { grpc: { endpoint: "127.0.0.1:4317" }, http: { endpoint: "127.0.0.1:4318" } } },
      file_log: {
        include: ["/var/log/pods/*/*/*.log"],
        exclude: [`/var/log/pods/${args.namespace}_*/*/*.log`],
        start_at: "end",
        include_file_path: true,
        include_file_name: false,
        retry_on_failure: { enabled: true },
        operators: [
          // CRI format; sets k8s.pod.uid, k8s.pod.name, k8s.namespace.name, k8s.container.name from the path.
          { type: "container", id: "container-parser" },
          {
            type: "json_parser",
            id: "json",
            if: 'body matches "^\\\\s*\\\\{"',
            parse_from: "body",
            parse_to: "attributes",
            on_error: "send_quiet",
          },
          {
            type: "severity_parser",
            id: "severity-from-level",
            if: "attributes.level != nil",
            parse_from: "attributes.level",
            mapping: severityMapping,
            on_error: "send_quiet",
          },
          {
            type: "severity_parser",
            id: "severity-from-severity",
            if: "attributes.level == nil and attributes.severity != nil",
            parse_from: "attributes.severity",
            mapping: severityMapping,
            on_error: "send_quiet",
          },
        ],
      },
      kubelet_stats: {
        collection_interval: "30s",
        auth_type: "serviceAccount",
        endpoint: `\${env:${collectorEnv.nodeIp}}:10250`,
        // Kubelets serve self-signed certificates the collector has no CA for; the token is still verified.
        insecure_skip_verify: true,
      },
    },
    processors: {
      memory_limiter: memoryLimiter,
      batch,
      k8s_attributes: kubernetesAttributes("agent"),
      ...metricProcessors(args.metricAllowList),
    },
    exporters: {
      otlp_grpc: {
        endpoint: args.gatewayEndpoint,
        tls: { insecure: true },
        sending_queue: { enabled: true },
        retry_on_failure: { enabled: true },
      },
      debug: { verbosity: "basic" },
    },
    service: {
      pipelines: {
        logs: { receivers: ["file_log"], processors: ["memory_limiter", "k8s_attributes", "batch"], exporters: ["otlp_grpc"] },
        metrics: {
          receivers: ["kubelet_stats"],
          processors: ["memory_limiter", "k8s_attributes", ...metricChain, "batch"],
          exporters: ["otlp_grpc"],
        },
        traces: { receivers: ["otlp"], processors: ["memory_limiter", "batch"], exporters: ["debug"] },
      },
    },
  };
}

export interface GatewayConfigArgs {
  readonly metricAllowList: readonly string[];
  /** ClickHouse native endpoint, `tcp://host:9000`. */
  readonly clickhouseEndpoint: string;
  readonly clickhouseUser: string;
}

export function gatewayConfig(args: GatewayConfigArgs): Record<string, unknown> {
  const untrusted = [...tenantLabelOrder.map((label) => tenantAttributes[label]), ...podIdentityAttributes];
  const clickhouse = {
    endpoint: `${args.clickhouseEndpoint}?dial_timeout=10s&compress=lz4`,
    username: args.clickhouseUser,
    password: `\${env:${collectorEnv.clickhousePassword}}`,
    database: telemetryDatabase,
    // The tables, their TTL and their indexes are loco's (observability/clickhouse-schema.ts), not the exporter's.
    create_schema: false,
    logs_table_name: telemetryTables.logs,
    traces_table_name: telemetryTables.traces,
    metrics_tables: {
      gauge: { name: telemetryTables.metricsGauge },
      sum: { name: telemetryTables.metricsSum },
      summary: { name: telemetryTables.metricsSummary },
      histogram: { name: telemetryTables.metricsHistogram },
      exponential_histogram: { name: telemetryTables.metricsExponentialHistogram },
    },
    timeout: "10s",
    sending_queue: { enabled: true, queue_size: 1000 },
    retry_on_failure: { enabled: true, initial_interval: "5s", max_interval: "30s", max_elapsed_time: "300s" },
  };
  const fromApps = ["memory_limiter", "resource/strip-untrusted-identity", "k8s_attributes"];
  return {
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `\${env:MY_POD_IP}:${otelGateway.grpcPort}` },
          http: { endpoint: `\${env:MY_POD_IP}:${otelGateway.httpPort}` },
        },
      },
      "otlp/agents": { protocols: { grpc: { endpoint: `\${env:MY_POD_IP}:${agentForwardPort}` } } },
    },
    processors: {
      memory_limiter: memoryLimiter,
      batch,
      "resource/strip-untrusted-identity": { attributes: untrusted.map((key) => ({ key, action: "delete" })) },
      k8s_attributes: kubernetesAttributes("gateway"),
      ...metricProcessors(args.metricAllowList),
    },
    exporters: { clickhouse },
    service: {
      pipelines: {
        logs: { receivers: ["otlp"], processors: [...fromApps, "batch"], exporters: ["clickhouse"] },
        traces: { receivers: ["otlp"], processors: [...fromApps, "batch"], exporters: ["clickhouse"] },
        metrics: { receivers: ["otlp"], processors: [...fromApps, ...metricChain, "batch"], exporters: ["clickhouse"] },
        "logs/agents": { receivers: ["otlp/agents"], processors: ["memory_limiter", "batch"], exporters: ["clickhouse"] },
        "metrics/agents": {
          receivers: ["otlp/agents"],
          processors: ["memory_limiter", ...metricChain, "batch"],
          exporters: ["clickhouse"],
        },
      },
    },
  };
}
