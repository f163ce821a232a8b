/**
 * The resurrector on DigitalOcean App Platform, outside the cluster it guards: a worker runs `watch` (probe,
 * decide, rebuild), a service runs `serve` (the public status page), and a pre-deploy job grants the
 * resurrector's database role what it needs before either starts.
 *
 * Why App Platform: it is DigitalOcean's managed runtime, so it shares no failure domain with the guarded DOKS
 * cluster, restarts crashed containers and replaces instances that fail their health check by itself, terminates
 * TLS for a custom domain with a certificate it issues, and its database firewall rule type `app` admits exactly
 * this app. A droplet would need its own OS patching, supervisor and certificate handling.
 */
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { psqlImage } from "../lib/psql-client";

/** The status page's port inside the container; App Platform routes 443 to it. */
export const statusPort = 8080;

export interface ResurrectorImage {
  /** DOCR, GHCR or DOCKER_HUB. */
  readonly registryType: "DOCR" | "GHCR" | "DOCKER_HUB";
  /** The registry's namespace, where the registry type needs one (not DOCR). @default none (DOCR) */
  readonly registry?: string;
  /** The image's repository, e.g. `loco-resurrector`. */
  readonly repository: string;
  /** An exact tag, never `latest`. @default none: then `digest` names the image */
  readonly tag?: string;
  /** `sha256:...`: the one build to run; App Platform pulls by digest when it is set. @default none: the tag */
  readonly digest?: string;
}

/** How the worker's `resurrector watch` decides (docs/resurrector.md: Watch). */
export interface ResurrectorWatchSettings {
  /** Seconds between two probes. @default 30 */
  readonly intervalSeconds: number;
  /** Consecutive down probes before the cluster is down (N). @default 5 */
  readonly downProbes: number;
  /** Minutes those probes must span at least (M). @default 5 */
  readonly downMinutes: number;
  /** Both keys of acting: `--act` and LOCO_RESURRECTOR_ACT=true; false is a dry run. @default false */
  readonly act: boolean;
  /**
   * An https:// URL served through the cluster's load balancer and Gateway (loco's API host): probed even when the
   * cluster's API cannot be reached, it is the tie-breaker when DigitalOcean's API cannot be asked.
   */
  readonly publicUrl: string;
}

/** What the app's containers are handed; every field is a secret and becomes a SECRET env. */
export interface ResurrectorAppSecrets {
  /** The resurrector role's connection URL to loco's database. */
  readonly databaseUrl: pulumi.Input<string>;
  /** The guarded database's admin URL: handed to the pre-deploy grant job only. */
  readonly databaseAdminUrl: pulumi.Input<string>;
  /** LOCO_RESURRECTOR_KEY, the master key of the sealed records (worker and service). */
  readonly resurrectorKey: pulumi.Input<string>;
  /** DigitalOcean API token for the converger's rebuilds (worker only). */
  readonly digitaloceanToken: pulumi.Input<string>;
  /** Pulumi state backend token for the converger's `pulumi up` (worker only). */
  readonly pulumiAccessToken: pulumi.Input<string>;
  /** Shared secret of Grafana's alert webhook (service only). */
  readonly statusWebhookSecret: pulumi.Input<string>;
  /** Where the worker posts its own alerts. @default no alert webhook */
  readonly alertWebhookUrl?: pulumi.Input<string>;
}

export interface ResurrectorAppArgs {
  /** App name, e.g. `loco-resurrector-prod`. */
  readonly appName: string;
  /** The platform stack it guards (`prod`), passed to `watch`. */
  readonly guards: string;
  /** App Platform region slug: the guarded database's region. */
  readonly region: string;
  /** The resurrector's image, an exact tag. */
  readonly image: ResurrectorImage;
  /** The watch's interval, thresholds and whether it acts. */
  readonly watch: ResurrectorWatchSettings;
  /** Instance size slug of the worker and the service. */
  readonly instanceSize: string;
  /** The status page's public host, e.g. `status.loco.example.com`. */
  readonly statusHost: string;
  /** The database name and resurrector role the grant job grants. */
  readonly grant: {
    /** loco's database on the guarded cluster. */
    readonly database: string;
    /** The resurrector's role (a DatabaseUser created before the app). */
    readonly role: string;
  };
  /** Credentials, each becoming a SECRET env of the components that need it. */
  readonly secrets: ResurrectorAppSecrets;
}

/** Pure: the SQL the pre-deploy job runs as doadmin. Read on loco's tables; its own schema is created by `migrate`. */
export function resurrectorGrantStatements(database: string, role: string): string {
  return [
    // CREATE on the database lets the role's `migrate` create the resurrector schema, which it then owns.
    `GRANT CONNECT, CREATE ON DATABASE "${database}" TO "${role}";`,
    `GRANT USAGE ON SCHEMA public TO "${role}";`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${role}";`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO "${role}";`,
  ].join(" ");
}

type Env = digitalocean.types.input.AppSpecServiceEnv;
const secretEnv = (key: string, value: pulumi.Input<string>): Env => ({
  key,
  value: pulumi.secret(value),
  type: "SECRET",
  scope: "RUN_TIME",
});
const plainEnv = (key: string, value: string): Env => ({ key, value, type: "GENERAL", scope: "RUN_TIME" });

/** Pure: the worker's command line; `--act` only when the stack says so (the env var is the second key). */
export function watchCommandLine(guards: string, watch: ResurrectorWatchSettings): string {
  return [
    `resurrector watch --environment ${guards}`,
    `--interval ${watch.intervalSeconds}`,
    `--down-probes ${watch.downProbes}`,
    `--down-minutes ${watch.downMinutes}`,
    `--public-url ${watch.publicUrl}`,
    ...(watch.act ? ["--act"] : []),
  ].join(" ");
}

/** Pure: the App spec. Exported so tests and reviewers read exactly what App Platform is given. */
export function resurrectorAppSpec(args: ResurrectorAppArgs): digitalocean.types.input.AppSpec {
  const image = {
    registryType: args.image.registryType,
    registry: args.image.registry,
    repository: args.image.repository,
    ...(args.image.digest === undefined ? { tag: args.image.tag } : { digest: args.image.digest }),
  };
  const common = [
    secretEnv("LOCO_DATABASE_URL", args.secrets.databaseUrl),
    secretEnv("LOCO_RESURRECTOR_KEY", args.secrets.resurrectorKey),
    plainEnv("NODE_ENV", "production"),
  ];
  return {
    name: args.appName,
    region: args.region,
    domainNames: [{ name: args.statusHost, type: "PRIMARY" }],
    alerts: [{ rule: "DEPLOYMENT_FAILED" }, { rule: "DOMAIN_FAILED" }],
    services: [
      {
        name: "status",
        image,
        instanceCount: 1,
        instanceSizeSlug: args.instanceSize,
        httpPort: statusPort,
        runCommand: `resurrector serve --host 0.0.0.0 --port ${statusPort}`,
        // Failing instances are replaced; /healthz answers only when the database holds the status tables.
        healthCheck: {
          httpPath: "/healthz",
          port: statusPort,
          initialDelaySeconds: 10,
          periodSeconds: 10,
          timeoutSeconds: 5,
          failureThreshold: 3,
        },
        envs: [...common, secretEnv("LOCO_STATUS_WEBHOOK_SECRET", args.secrets.statusWebhookSecret)],
      },
    ],
    workers: [
      {
        name: "watch",
        image,
        instanceCount: 1,
        instanceSizeSlug: args.instanceSize,
        runCommand: watchCommandLine(args.guards, args.watch),
        envs: [
          ...common,
          ...(args.watch.act ? [plainEnv("LOCO_RESURRECTOR_ACT", "true")] : []),
          secretEnv("DIGITALOCEAN_TOKEN", args.secrets.digitaloceanToken),
          secretEnv("PULUMI_ACCESS_TOKEN", args.secrets.pulumiAccessToken),
          ...(args.secrets.alertWebhookUrl === undefined ? [] : [secretEnv("LOCO_ALERT_WEBHOOK_URL", args.secrets.alertWebhookUrl)]),
        ],
      },
    ],
    jobs: [
      {
        name: "grant",
        kind: "PRE_DEPLOY",
        image: { registryType: "DOCKER_HUB", registry: "library", repository: "postgres", tag: psqlImage.split(":")[1] },
        instanceSizeSlug: "apps-s-1vcpu-0.5gb",
        runCommand: `psql --no-psqlrc --set ON_ERROR_STOP=1 --dbname "$DATABASE_ADMIN_URL" --command '${resurrectorGrantStatements(args.grant.database, args.grant.role)}'`,
        envs: [secretEnv("DATABASE_ADMIN_URL", args.secrets.databaseAdminUrl)],
      },
      {
        name: "migrate",
        kind: "PRE_DEPLOY",
        image,
        instanceSizeSlug: args.instanceSize,
        runCommand: "resurrector migrate",
        envs: [secretEnv("LOCO_DATABASE_URL", args.secrets.databaseUrl)],
      },
    ],
  };
}

export class ResurrectorApp extends pulumi.ComponentResource {
  public readonly appId: pulumi.Output<string>;
  /** App Platform's own host for the app (`<app>.ondigitalocean.app`), the CNAME's target. */
  public readonly defaultHost: pulumi.Output<string>;

  constructor(name: string, args: ResurrectorAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:resurrector:ResurrectorApp", name, {}, opts);
    if (args.image.tag === "latest") {
      throw new pulumi.ResourceError(`ResurrectorApp ${name}: image.tag must be an exact version, not latest`, this);
    }
    const app = new digitalocean.App(`${name}-app`, { spec: resurrectorAppSpec(args) }, { parent: this });
    this.appId = app.id;
    this.defaultHost = app.defaultIngress.apply((url) => new URL(url).host);
    this.registerOutputs({ appId: this.appId, defaultHost: this.defaultHost });
  }
}
