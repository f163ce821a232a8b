/**
 * The OpenTelemetry collectors: the per-node agent (its own namespace: it mounts host paths, which the
 * observability namespace's Pod Security level forbids) and the gateway behind Service `otel-gateway`, the only
 * writer to ClickHouse. A NetworkPolicy lets only agents reach the gateway's agent port, whose data the gateway
 * trusts as already attributed.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease } from "./chart-release";
import { credentialsIssuedAtAnnotation } from "./secrets";
import { agentValues, gatewayValues, openTelemetryCollectorChart, type CollectorResources } from "../charts/opentelemetry-collector";
import { appTelemetryEnv, otelGateway, otlpGrpcEndpoint, otlpHttpEndpoint } from "../lib/telemetry-endpoints";
import { agentConfig, agentForwardPort, gatewayConfig } from "../observability/collector-config";

/** Sizes have no default here: each stack states them (stacks/config-defaults.ts). */
export interface OtelCollectorsArgs {
  /** Namespace of the gateway (lib/telemetry-endpoints.ts names it). */
  readonly namespace: string;
  /** Namespace of the agent DaemonSet. */
  readonly agentNamespace: string;
  /** What each per-node agent requests. */
  readonly agent: CollectorResources;
  /** What each gateway replica requests, and how many run. */
  readonly gateway: CollectorResources & {
    /** Gateway replicas; 2 or more keeps telemetry flowing through a node loss. */
    readonly replicas: number;
  };
  /** Metric names kept; every other metric is dropped at the agent. At least one. */
  readonly metricAllowList: readonly string[];
  /** Where the gateway writes (components/clickhouse.ts `connection`). */
  readonly clickhouse: {
    /** In-cluster DNS name of the ClickHouse server. */
    readonly host: string;
    /** Its native-protocol port. */
    readonly nativePort: number;
  };
  /** The ClickHouse user the gateway inserts as: one that may only insert into (and read) the telemetry tables. */
  readonly clickhouseUser: string;
  /** Secret in the gateway's namespace whose `password` key is the writer's password. */
  readonly clickhousePasswordSecret: string;
  /** Changes when the gateway must log in as another user or with a new password; its pods roll to pick it up. */
  readonly credentialsIssuedAt: pulumi.Input<string>;
  /** Resources the gateway must wait for: the schema it writes into, and the user and password Secret it logs in with. */
  readonly schemaReady: readonly pulumi.Resource[];
}

/** Where apps send telemetry; the tenant renderer sets these as LOCO_TRACING_ENDPOINT / LOCO_METRICS_ENDPOINT. */
export interface TelemetryEndpoints {
  readonly otlpGrpc: string;
  readonly otlpHttp: string;
  readonly LOCO_TRACING_ENDPOINT: string;
  readonly LOCO_METRICS_ENDPOINT: string;
}

export const telemetryEndpoints: TelemetryEndpoints = {
  otlpGrpc: otlpGrpcEndpoint,
  otlpHttp: otlpHttpEndpoint,
  ...appTelemetryEnv,
};

export class OtelCollectors extends pulumi.ComponentResource {
  public readonly endpoints: TelemetryEndpoints;
  /** The gateway's release: once it is in place, the gateway runs with the credentials it was given. */
  public readonly gateway: pulumi.Resource;

  constructor(name: string, args: OtelCollectorsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:observability:OtelCollectors", name, {}, opts);
    if (args.namespace !== otelGateway.namespace) {
      throw new pulumi.ResourceError(
        `OtelCollectors ${name}: namespace must be ${otelGateway.namespace}, where lib/telemetry-endpoints.ts tells apps and Envoy to send`,
        this,
      );
    }
    if (args.metricAllowList.length === 0) {
      throw new pulumi.ResourceError(`OtelCollectors ${name}: metricAllowList is empty: every metric would be dropped`, this);
    }

    const gateway = chartRelease(
      `${name}-gateway`,
      openTelemetryCollectorChart,
      {
        releaseName: otelGateway.service,
        namespace: args.namespace,
        values: gatewayValues({
          config: gatewayConfig({
            metricAllowList: args.metricAllowList,
            clickhouseEndpoint: `tcp://${args.clickhouse.host}:${args.clickhouse.nativePort}`,
            clickhouseUser: args.clickhouseUser,
          }),
          resources: args.gateway,
          replicas: args.gateway.replicas,
          serviceName: otelGateway.service,
          ports: { grpc: otelGateway.grpcPort, http: otelGateway.httpPort, agents: agentForwardPort },
          clickhousePasswordSecret: args.clickhousePasswordSecret,
          podAnnotations: { [credentialsIssuedAtAnnotation]: args.credentialsIssuedAt },
        }),
      },
      // Writes only into tables the schema Job created (the exporter's create_schema is off).
      { parent: this, dependsOn: [...args.schemaReady] },
    );

    chartRelease(
      `${name}-agent`,
      openTelemetryCollectorChart,
      {
        releaseName: "otel-agent",
        namespace: args.agentNamespace,
        values: agentValues({
          config: agentConfig({
            metricAllowList: args.metricAllowList,
            gatewayEndpoint: `${otelGateway.service}.${otelGateway.namespace}.svc.cluster.local:${agentForwardPort}`,
            namespace: args.agentNamespace,
          }),
          resources: args.agent,
        }),
      },
      // Forwards to the gateway; without it the agents would only fill their retry queues.
      { parent: this, dependsOn: [gateway] },
    );

    new k8s.networking.v1.NetworkPolicy(
      `${name}-agent-port`,
      {
        metadata: { name: "otel-gateway-agent-port", namespace: args.namespace },
        spec: {
          podSelector: { matchLabels: { "app.kubernetes.io/instance": otelGateway.service } },
          policyTypes: ["Ingress"],
          ingress: [
            // OTLP from anyone: apps and Envoy. Their identity is looked up, not taken from what they send.
            {
              ports: [
                { protocol: "TCP", port: otelGateway.grpcPort },
                { protocol: "TCP", port: otelGateway.httpPort },
              ],
            },
            // The agent port only from agents: the gateway keeps the tenant attributes they set.
            {
              from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.agentNamespace } } }],
              ports: [{ protocol: "TCP", port: agentForwardPort }],
            },
          ],
        },
      },
      { parent: this },
    );

    this.gateway = gateway;
    this.endpoints = telemetryEndpoints;
    this.registerOutputs({ endpoints: this.endpoints });
  }
}
