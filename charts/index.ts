/**
 * Every upstream chart loco installs: the map of third-party projects the platform depends on. The plan looks
 * releases up here (by chart name) to size them; `npm run deps` prints the table.
 */
import type { ChartPin } from "./chart";
import { certManagerChart } from "./cert-manager";
import { clickhouseChart } from "./clickhouse";
import { envoyGatewayChart } from "./envoy-gateway";
import { envoyGatewayCrdsChart } from "./envoy-gateway-crds";
import { grafanaChart } from "./grafana";
import { harborChart } from "./harbor";
import { kedaChart } from "./keda";
import { kedaHttpAddOnChart } from "./keda-http-add-on";
import { metricsServerChart } from "./metrics-server";
import { openTelemetryCollectorChart } from "./opentelemetry-collector";

export const charts: readonly ChartPin[] = [
  envoyGatewayCrdsChart,
  envoyGatewayChart,
  certManagerChart,
  kedaChart,
  kedaHttpAddOnChart,
  metricsServerChart,
  harborChart,
  clickhouseChart,
  grafanaChart,
  openTelemetryCollectorChart,
];

/** The pin for a release's `chart` input (a chart name or an oci:// reference). */
export function chartForRelease(chart: string): ChartPin | undefined {
  return charts.find((pin) => pin.chart === chart || pin.repository === chart);
}
