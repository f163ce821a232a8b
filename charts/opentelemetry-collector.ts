/**
 * The OpenTelemetry Collector chart; loco installs it twice: a per-node agent (DaemonSet) and the gateway
 * (Deployment behind Service `otel-gateway`). The chart requires `mode` and `image.repository` and its schema
 * rejects unknown top-level keys. Its `config` is merged with the chart's default config (jaeger, zipkin and
 * prometheus receivers, a debug exporter): those stay defined but unused, since only pipelines start components,
 * and their ports are closed here.
 */
import { corePoolPlacement, corePoolTaint } from "../lib/core-pool";
import { collectorEnv } from "../observability/collector-config";
import type { ChartPin } from "./chart";

export const openTelemetryCollectorChart: ChartPin = {
  chart: "opentelemetry-collector",
  repository: "https://open-telemetry.github.io/opentelemetry-helm-charts",
  version: "0.170.0",
  project: "https://github.com/open-telemetry/opentelemetry-helm-charts",
  workloads: [{ name: "collector", replicas: "replicaCount", resources: "resources", perNode: (values) => values.mode === "daemonset" }],
};

/** The contrib distribution: the only one with the ClickHouse exporter. Pinned to the chart's appVersion. */
export const collectorImage = { repository: "otel/opentelemetry-collector-contrib", tag: "0.158.0" } as const;

export interface CollectorResources {
  /** CPU request. */
  readonly cpu: string;
  /** Request and limit; memory_limiter works from the limit. */
  readonly memory: string;
}

const resources = (r: CollectorResources) => ({ requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memory } });

/** Every default port closed; callers open what they serve. */
const closedPorts = {
  otlp: { enabled: false },
  "otlp-http": { enabled: false },
  "jaeger-compact": { enabled: false },
  "jaeger-thrift": { enabled: false },
  "jaeger-grpc": { enabled: false },
  zipkin: { enabled: false },
  metrics: { enabled: false },
};

const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { fieldPath } } });

/** Read access the k8s_attributes processor needs to map a pod to its labels and workload. */
const podMetadataRules = [
  { apiGroups: [""], resources: ["pods", "namespaces"], verbs: ["get", "list", "watch"] },
  { apiGroups: ["apps"], resources: ["replicasets"], verbs: ["get", "list", "watch"] },
];

export interface AgentValuesArgs {
  /** The agent's collector config (observability/collector-config.ts). */
  readonly config: Record<string, unknown>;
  readonly resources: CollectorResources;
}

export function agentValues(args: AgentValuesArgs): Record<string, unknown> {
  return {
    mode: "daemonset",
    fullnameOverride: "otel-agent",
    image: collectorImage,
    command: { name: "otelcol-contrib" },
    config: args.config,
    ports: closedPorts,
    resources: resources(args.resources),
    clusterRole: {
      create: true,
      rules: [
        ...podMetadataRules,
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] },
        // kubelet_stats reads the kubelet's summary API.
        { apiGroups: [""], resources: ["nodes/stats", "nodes/proxy"], verbs: ["get"] },
      ],
    },
    extraEnvs: [fieldEnv(collectorEnv.nodeName, "spec.nodeName"), fieldEnv(collectorEnv.nodeIp, "status.hostIP")],
    extraVolumes: [{ name: "varlogpods", hostPath: { path: "/var/log/pods" } }],
    extraVolumeMounts: [{ name: "varlogpods", mountPath: "/var/log/pods", readOnly: true }],
    // Container log files are root-owned 0640 on the node.
    securityContext: { runAsUser: 0, runAsGroup: 0, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
    // Every node, app pools included: their containers' logs are the ones tenants want. App pools carry no taint;
    // the core pool's taint is tolerated so platform add-ons' logs are collected too. No node selector.
    tolerations: [{ key: corePoolTaint.key, operator: "Equal", value: corePoolTaint.value, effect: corePoolTaint.effect }],
  };
}

export interface GatewayValuesArgs {
  readonly config: Record<string, unknown>;
  readonly resources: CollectorResources;
  readonly replicas: number;
  /** Service name other layers send to (lib/telemetry-endpoints.ts). */
  readonly serviceName: string;
  readonly ports: { readonly grpc: number; readonly http: number; readonly agents: number };
  /** Secret holding the ClickHouse writer's password (key `password`). */
  readonly clickhousePasswordSecret: string;
  readonly podAnnotations?: Readonly<Record<string, unknown>>;
}

export function gatewayValues(args: GatewayValuesArgs): Record<string, unknown> {
  return {
    mode: "deployment",
    fullnameOverride: args.serviceName,
    image: collectorImage,
    command: { name: "otelcol-contrib" },
    replicaCount: args.replicas,
    config: args.config,
    ports: {
      ...closedPorts,
      otlp: { enabled: true, containerPort: args.ports.grpc, servicePort: args.ports.grpc, protocol: "TCP", appProtocol: "grpc" },
      "otlp-http": { enabled: true, containerPort: args.ports.http, servicePort: args.ports.http, protocol: "TCP" },
      "otlp-agents": {
        enabled: true,
        containerPort: args.ports.agents,
        servicePort: args.ports.agents,
        protocol: "TCP",
        appProtocol: "grpc",
      },
    },
    resources: resources(args.resources),
    clusterRole: { create: true, rules: podMetadataRules },
    podAnnotations: { ...args.podAnnotations },
    extraEnvs: [
      { name: collectorEnv.clickhousePassword, valueFrom: { secretKeyRef: { name: args.clickhousePasswordSecret, key: "password" } } },
    ],
    securityContext: { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    podDisruptionBudget: args.replicas > 1 ? { enabled: true, minAvailable: 1 } : { enabled: false },
    ...corePoolPlacement(),
  };
}
