/**
 * Where telemetry goes inside the cluster: the OpenTelemetry gateway collector's Service, built by the
 * observability layer. The Envoy proxies and tenant apps send to it; keep the names in step with that layer.
 */
import { platformNamespaces } from "./platform-namespaces";
export const otelGateway = {
  service: "otel-gateway",
  namespace: platformNamespaces.observability,
  grpcPort: 4317,
  httpPort: 4318,
} as const;

export const otelGatewayHost = `${otelGateway.service}.${otelGateway.namespace}.svc.cluster.local`;

/** OTLP/gRPC endpoint (traces, metrics, logs). */
export const otlpGrpcEndpoint = `http://${otelGatewayHost}:${otelGateway.grpcPort}`;

/** OTLP/HTTP endpoint. */
export const otlpHttpEndpoint = `http://${otelGatewayHost}:${otelGateway.httpPort}`;

/** The environment variables every tenant app gets (rendered by the tenant renderer): where its SDK sends OTLP. */
export const appTelemetryEnv = {
  LOCO_TRACING_ENDPOINT: otlpGrpcEndpoint,
  LOCO_METRICS_ENDPOINT: otlpGrpcEndpoint,
} as const;
