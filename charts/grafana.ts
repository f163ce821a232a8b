/**
 * Grafana, from grafana-community (the chart left grafana/helm-charts in January 2026). Exposed through the shared
 * Gateway with the chart's own HTTPRoute (`route.main`). The admin credentials come from an existing Secret, and
 * the values hold no secret at all, so the chart's `assertNoLeakedSecrets` check stays on.
 */
import { corePoolPlacement } from "../lib/core-pool";
import type { SharedGatewayParentRef } from "../lib/shared-gateway";
import type { ChartPin } from "./chart";

export const grafanaChart: ChartPin = {
  chart: "grafana",
  repository: "https://grafana-community.github.io/helm-charts",
  version: "12.11.1",
  project: "https://github.com/grafana-community/helm-charts",
  workloads: [{ name: "grafana", replicas: "replicas", resources: "resources", volumes: ["persistence.size"] }],
};

export interface GrafanaValuesArgs {
  readonly cpu: string;
  readonly memory: string;
  /** Public host, e.g. dashboards.loco.example.com. */
  readonly hostname: string;
  /** Gateway listener the route attaches to. */
  readonly parentRef: SharedGatewayParentRef;
  /** Secret with keys admin-user and admin-password. */
  readonly adminSecret: string;
  /** Env var name -> Secret key reference, for `$NAME` references in provisioning files. */
  readonly secretEnv: Readonly<Record<string, { readonly secret: string; readonly key: string }>>;
  /** Plugins to install before start, `id@version`. */
  readonly plugins: readonly string[];
  readonly datasources: Record<string, unknown>;
  readonly dashboardProviders: Record<string, unknown>;
  /** Dashboard name -> JSON text, under the provider named {@link GrafanaValuesArgs.dashboardProvider}. */
  readonly dashboards: Readonly<Record<string, string>>;
  readonly dashboardProvider: string;
  /** Alerting provisioning files by name (rules.yaml, contactpoints.yaml, policies.yaml). */
  readonly alerting: Record<string, unknown>;
  readonly podAnnotations?: Readonly<Record<string, unknown>>;
}

export function grafanaValues(args: GrafanaValuesArgs): Record<string, unknown> {
  return {
    replicas: 1,
    admin: { existingSecret: args.adminSecret, userKey: "admin-user", passwordKey: "admin-password" },
    env: { GF_PLUGINS_PREINSTALL_SYNC: args.plugins.join(",") },
    envValueFrom: Object.fromEntries(
      Object.entries(args.secretEnv).map(([name, ref]) => [name, { secretKeyRef: { name: ref.secret, key: ref.key } }]),
    ),
    "grafana.ini": {
      server: { domain: args.hostname, root_url: `https://${args.hostname}` },
      analytics: { check_for_updates: false, reporting_enabled: false },
      users: { allow_sign_up: false },
      "auth.anonymous": { enabled: false },
      unified_alerting: { enabled: true },
    },
    datasources: { "datasources.yaml": args.datasources },
    dashboardProviders: { "dashboardproviders.yaml": args.dashboardProviders },
    dashboards: { [args.dashboardProvider]: Object.fromEntries(Object.entries(args.dashboards).map(([name, json]) => [name, { json }])) },
    alerting: args.alerting,
    // Users' own dashboards, folders and alert state live in Grafana's SQLite database.
    persistence: { enabled: true, type: "pvc", size: "2Gi", accessModes: ["ReadWriteOnce"] },
    // A ReadWriteOnce volume cannot be attached to a new pod while the old one holds it.
    deploymentStrategy: { type: "Recreate" },
    route: {
      main: {
        enabled: true,
        hostnames: [args.hostname],
        parentRefs: [{ ...args.parentRef }],
      },
    },
    resources: { requests: { cpu: args.cpu, memory: args.memory }, limits: { memory: args.memory } },
    testFramework: { enabled: false },
    podAnnotations: { ...args.podAnnotations },
    ...corePoolPlacement(),
  };
}
