/**
 * Grafana at `dashboards.{baseDomain}` through the shared Gateway: admin credentials and datasource password from
 * Kubernetes Secrets, the ClickHouse datasource, loco's dashboards and alerting provisioned from the repo.
 *
 * The admin Secret only seeds a new database (Grafana's is persisted); a rotated admin password is applied inside
 * Grafana through its API by {@link GrafanaAdminPassword}, once Grafana serves at its public name.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { chartRelease } from "./chart-release";
import { GrafanaAdminPassword } from "./grafana-admin-password";
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
  /** The admin password: seeds a new database, and is applied inside Grafana when it changes (secret). */
  readonly adminPassword: pulumi.Input<string>;
  /**
   * Where `pulumi up` reaches Grafana's API to apply the admin password.
   * @default https://{hostname}
   */
  readonly apiUrl?: string;
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
  /** What the datasource's user needs before Grafana logs in with it: its password Secret and the user made. */
  readonly clickhouseReady: readonly pulumi.Resource[];
  /** Changes when the admin password rotates or the datasource's user or password changes; the pod rolls then. */
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

/** Grafana's built-in administrator. */
export const grafanaAdminUser = "admin";

export class Grafana extends pulumi.ComponentResource {
  public readonly url: string;
  /** Grafana's release: once it is in place, Grafana runs with the datasource credentials it was given. */
  public readonly release: pulumi.Resource;
  /** The admin password Grafana accepts now (applied through its API). Secret. */
  public readonly adminPassword: pulumi.Output<string>;

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
        stringData: { "admin-user": grafanaAdminUser, "admin-password": pulumi.secret(args.adminPassword) },
      },
      { parent: this },
    );
    const secretEnv: Record<string, { secret: string; key: string }> = {
      [grafanaEnv.clickhousePassword]: { secret: args.clickhousePasswordSecret, key: "password" },
    };
    const dependencies: pulumi.Resource[] = [admin, ...args.clickhouseReady, ...args.routesReady];
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
    const release = chartRelease(
      `${name}-release`,
      grafanaChart,
      { releaseName: "grafana", namespace: args.namespace, values },
      // Secrets it mounts (the datasource user made before it logs in); the Gateway and its CRDs its HTTPRoute attaches to.
      { parent: this, dependsOn: dependencies },
    );
    this.release = release;
    this.url = `https://${args.hostname}`;
    const applied = new GrafanaAdminPassword(
      `${name}-admin-password`,
      { url: args.apiUrl ?? this.url, username: grafanaAdminUser, password: args.adminPassword },
      // Grafana's API answers once its release is up (after a rotation: rolled) and the Gateway serves its name.
      { parent: this, dependsOn: [release, ...args.routesReady] },
    );
    this.adminPassword = pulumi.secret(applied.password);
    this.registerOutputs({ url: this.url });
  }
}
