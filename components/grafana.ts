/**
 * Grafana at `dashboards.{baseDomain}` through the shared Gateway: admin credentials and datasource password from
 * Kubernetes Secrets, the ClickHouse datasource, loco's dashboards and alerting provisioned from the repo.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease } from "./chart-release";
import { credentialsIssuedAtAnnotation } from "./secrets";
import { grafanaChart, grafanaValues } from "../charts/grafana";
import { gatewayListeners, sharedGatewayParentRef } from "../lib/shared-gateway";
import {
  alertingProvisioning,
  clickhousePlugin,
  dashboardFolder,
  dashboardProviders,
  datasourceProvisioning,
  grafanaEnv,
  loadDashboards,
  type AlertWebhook,
} from "../observability/grafana-provisioning";

/** Sizes have no default here: each stack states them (stacks/config-defaults.ts). */
export interface GrafanaArgs {
  /** Namespace (created by the caller, labelled so the shared Gateway admits its route). */
  readonly namespace: string;
  /** Public hostname, e.g. dashboards.example.com: the route's host and Grafana's root URL. */
  readonly hostname: string;
  /** CPU request. */
  readonly cpu: string;
  /** Memory request and limit. */
  readonly memory: string;
  /** Password of Grafana's `admin` login (secret). */
  readonly adminPassword: pulumi.Input<string>;
  /** Where the ClickHouse datasource connects (components/clickhouse.ts `connection`). */
  readonly clickhouse: {
    /** In-cluster DNS name of the ClickHouse server. */
    readonly host: string;
    /** Its native-protocol port. */
    readonly nativePort: number;
  };
  /** The ClickHouse user the datasource reads as: one that may only SELECT. */
  readonly clickhouseUser: string;
  /** Secret in the namespace whose `password` key is the reader's password. */
  readonly clickhousePasswordSecret: string;
  /** Changes when the admin or reader password rotates; the pod rolls to pick them up. */
  readonly credentialsIssuedAt: pulumi.Input<string>;
  /** Where alerts are sent: a plain URL or a secret one, not both. Neither: alerts show in Grafana only. */
  readonly alertWebhook: {
    /**
     * An https URL that holds no credential.
     * @default none
     */
    readonly url?: string;
    /**
     * An https URL that embeds a token (secret): kept in a Kubernetes Secret, never in the values.
     * @default none
     */
    readonly secretUrl?: pulumi.Input<string>;
  };
  /** The Gateway API CRDs and the shared Gateway: the route needs both. */
  readonly routesReady: readonly pulumi.Resource[];
}

export class Grafana extends pulumi.ComponentResource {
  public readonly url: string;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:observability:Grafana", name, {}, opts);
    if (args.alertWebhook.url !== undefined && args.alertWebhook.secretUrl !== undefined) {
      throw new pulumi.ResourceError(`Grafana ${name}: alertWebhook: give url or secretUrl, not both`, this);
    }

    const admin = new k8s.core.v1.Secret(
      `${name}-admin`,
      {
        metadata: { name: "grafana-admin", namespace: args.namespace },
        type: "Opaque",
        stringData: { "admin-user": "admin", "admin-password": pulumi.secret(args.adminPassword) },
      },
      { parent: this },
    );
    const secretEnv: Record<string, { secret: string; key: string }> = {
      [grafanaEnv.clickhousePassword]: { secret: args.clickhousePasswordSecret, key: "password" },
    };
    const dependencies: pulumi.Resource[] = [admin, ...args.routesReady];
    let webhook: AlertWebhook = { kind: "none" };
    if (args.alertWebhook.secretUrl !== undefined) {
      const alerting = new k8s.core.v1.Secret(
        `${name}-alert-webhook`,
        {
          metadata: { name: "grafana-alert-webhook", namespace: args.namespace },
          type: "Opaque",
          stringData: { url: pulumi.secret(args.alertWebhook.secretUrl) },
        },
        { parent: this },
      );
      secretEnv[grafanaEnv.alertWebhookUrl] = { secret: "grafana-alert-webhook", key: "url" };
      dependencies.push(alerting);
      webhook = { kind: "secret" };
    } else if (args.alertWebhook.url !== undefined) {
      webhook = { kind: "url", url: args.alertWebhook.url };
    }

    const dashboards = Object.fromEntries(loadDashboards().map((d) => [d.file.replace(/\.json$/, ""), d.json]));
    const values = grafanaValues({
      cpu: args.cpu,
      memory: args.memory,
      hostname: args.hostname,
      parentRef: sharedGatewayParentRef(gatewayListeners.dashboards),
      adminSecret: "grafana-admin",
      secretEnv,
      plugins: [clickhousePlugin],
      datasources: datasourceProvisioning({ host: args.clickhouse.host, port: args.clickhouse.nativePort, user: args.clickhouseUser }),
      dashboardProviders: dashboardProviders(),
      dashboards,
      dashboardProvider: dashboardFolder,
      alerting: alertingProvisioning(webhook),
      podAnnotations: { [credentialsIssuedAtAnnotation]: args.credentialsIssuedAt },
    });
    chartRelease(
      `${name}-release`,
      grafanaChart,
      { releaseName: "grafana", namespace: args.namespace, values },
      // Secrets it mounts; the Gateway and its CRDs its HTTPRoute attaches to.
      { parent: this, dependsOn: dependencies },
    );
    this.url = `https://${args.hostname}`;
    this.registerOutputs({ url: this.url });
  }
}
