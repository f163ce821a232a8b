/**
 * Where telemetry goes inside the cluster: the OpenTelemetry gateway collector's Service, built by the
 * observability layer. The Envoy proxies and tenant apps send to it; keep the names in step with that layer.
 */
export const otelGateway = { service: "otel-gateway", namespace: "loco-observability", grpcPort: 4317, httpPort: 4318 } as const;

export const otelGatewayHost = `${otelGateway.service}.${otelGateway.namespace}.svc.cluster.local`;

/** OTLP/gRPC endpoint (traces, metrics, logs). */
export const otlpGrpcEndpoint = `http://${otelGatewayHost}:${otelGateway.grpcPort}`;

/** OTLP/HTTP endpoint. */
export const otlpHttpEndpoint = `http://${otelGatewayHost}:${otelGateway.httpPort}`;
