/**
 * The resurrector stack (`resurrector-<env>`): the resurrector of one platform environment, deployed on App
 * Platform beside (not inside) the cluster it guards, with its own database role on the guarded database and
 * `status.<baseDomain>` pointing at its status page. The guarded database's firewall belongs to the platform
 * stack, which admits this app through `loco:database.trustedApps` (docs/resurrector-stack.md, "First deployment").
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { tlsEndpoint } from "../lib/database-connection";
import { publicNames } from "../lib/public-names";
import { ResurrectorApp } from "../components/resurrector-app";
import type { ResurrectorStackConfig } from "./resurrector-config";

/** The database role the resurrector connects as: reads loco's tables, owns the resurrector schema. */
export const resurrectorRole = "loco_resurrector";

export class ResurrectorLayer extends pulumi.ComponentResource {
  public readonly appId: pulumi.Output<string>;
  public readonly statusUrl: string;

  constructor(name: string, args: { readonly config: ResurrectorStackConfig }, opts?: pulumi.ComponentResourceOptions) {
    super("loco:stack:ResurrectorLayer", name, {}, opts);
    const config = args.config;
    const digitaloceanProvider = new digitalocean.Provider(
      `${name}-digitalocean`,
      { token: config.secrets.digitaloceanToken },
      { parent: this },
    );
    const cloudflareProvider = new cloudflare.Provider(
      `${name}-cloudflare`,
      { apiToken: config.secrets.cloudflareApiToken },
      { parent: this },
    );
    const onDigitalOcean = { parent: this, provider: digitaloceanProvider };

    const user = new digitalocean.DatabaseUser(
      `${name}-database-user`,
      { clusterId: config.database.clusterId, name: resurrectorRole },
      onDigitalOcean,
    );
    const databaseUrl = pulumi.secret(
      user.password.apply(
        (password) => tlsEndpoint(config.database.host, config.database.port, config.database.name, resurrectorRole, password).uri,
      ),
    );

    const app = new ResurrectorApp(
      name,
      {
        appName: `loco-${name}`,
        guards: config.guards,
        region: config.region,
        image: config.image,
        instanceSize: config.instanceSize,
        // loco's API host (only that name is read): served by the guarded cluster's Gateway, where status.<baseDomain>
        // is this app's own page.
        watch: { ...config.watch, publicUrl: `https://${publicNames(config.baseDomain, config.region, "apex").api}/` },
        statusHost: config.statusHost,
        grant: { database: config.database.name, role: resurrectorRole },
        secrets: {
          databaseUrl,
          databaseAdminUrl: config.secrets.databaseAdminUrl,
          resurrectorKey: config.secrets.resurrectorKey,
          digitaloceanToken: config.secrets.digitaloceanToken,
          pulumiAccessToken: config.secrets.pulumiAccessToken,
          statusWebhookSecret: config.secrets.statusWebhookSecret,
          alertWebhookUrl: config.secrets.alertWebhookUrl,
        },
      },
      // The grant job and the services connect as this user: it must exist before the first deployment.
      { parent: this, providers: [digitaloceanProvider], dependsOn: [user] },
    );

    const zoneName = config.dnsZone ?? config.baseDomain;
    const zoneId = cloudflare
      .getZoneOutput({ filter: { name: zoneName } }, { parent: this, provider: cloudflareProvider })
      .apply((zone) => {
        if (!zone.id) throw new Error(`Cloudflare zone "${zoneName}" was not found for this API token: check loco:resurrector.dnsZone`);
        return zone.id;
      });
    new cloudflare.DnsRecord(
      `${name}-status-record`,
      {
        zoneId,
        name: config.statusHost,
        type: "CNAME",
        content: app.defaultHost,
        ttl: 1,
        // Not proxied: App Platform validates the domain and issues its certificate through this CNAME.
        proxied: false,
        comment: `managed by loco-platform ${config.stack}`,
      },
      { parent: this, provider: cloudflareProvider },
    );

    this.appId = app.appId;
    this.statusUrl = `https://${config.statusHost}`;
    this.registerOutputs({ appId: this.appId, statusUrl: this.statusUrl });
  }
}

/** The stack's outputs. `appId` is what the platform stack's `loco:database.trustedApps` takes. */
export function resurrectorStack(config: ResurrectorStackConfig): Record<string, unknown> {
  const layer = new ResurrectorLayer(config.stack, { config });
  return { guards: config.guards, appId: layer.appId, statusUrl: layer.statusUrl, databaseRole: resurrectorRole };
}
