/**
 * What the shared Gateway's Envoy proxies log for every request, as the JSON fields of the access log they send to
 * the OpenTelemetry gateway. Named after OpenTelemetry's HTTP semantic conventions (`envoy.*` where there is none),
 * so the telemetry pipeline files them into known columns.
 */
export const accessLogFields: Readonly<Record<string, string>> = {
  "http.request.method": "%REQ(:METHOD)%",
  "url.path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
  "server.address": "%REQ(:AUTHORITY)%",
  "network.protocol.name": "%PROTOCOL%",
  "http.response.status_code": "%RESPONSE_CODE%",
  "envoy.response_flags": "%RESPONSE_FLAGS%",
  "http.request.body.size": "%BYTES_RECEIVED%",
  "http.response.body.size": "%BYTES_SENT%",
  "envoy.duration_ms": "%DURATION%",
  "client.address": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%",
  "user_agent.original": "%REQ(USER-AGENT)%",
  "http.request.header.x-request-id": "%REQ(X-REQUEST-ID)%",
  "envoy.upstream_host": "%UPSTREAM_HOST%",
  "envoy.route_name": "%ROUTE_NAME%",
};
