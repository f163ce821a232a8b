/**
 * The loco layer: loco's own API, web UI and controller on the platform the other layers built, with every setting
 * taken from them (database, public names, registry, telemetry) or from secret config (the GitHub OAuth app).
 *
 * Its `ready` output is what the resurrector's tenant replay waits for: the Application CRD, then the controller,
 * then the API, each in place before any Application is written.
 */
import * as pulumi from "@pulumi/pulumi";
import type { AlternatingUsersStep } from "../components/alternating-users";
import { LocoControlPlane, type LocoDatabaseArgs, type LocoReadiness, type LocoRegistryArgs } from "../components/loco-control-plane";
import { recordAlternatingUsers, type RecordedAlternatingUsers } from "./alternating-users-rotation";
import type { Foundation } from "./foundation";
import { locoApplication } from "../lib/loco-system";
import { otlpGrpcEndpoint } from "../lib/telemetry-endpoints";
import type { StackConfig } from "./config";

export interface LocoLayerArgs {
  /** The stack's typed config (stacks/config.ts): `controlPlane`, the public names and the GitHub OAuth secrets. */
  readonly config: StackConfig;
  /** loco's database of record (the foundation's `database`): a connection, or where to keep alternating users. */
  readonly database: Foundation["database"];
  /** This run's step of loco's alternating database users (stacks/alternating-users-rotation.ts); used on dev/prod. */
  readonly databaseStep: AlternatingUsersStep;
  /** The traffic layer's `routesReady`: the Gateway API CRDs and the shared Gateway its routes attach to. */
  readonly routesReady: readonly pulumi.Resource[];
  /** Harbor and its robots, from the registry layer. */
  readonly registry: LocoRegistryArgs;
}

export class LocoLayer extends pulumi.ComponentResource {
  /** Stack outputs `loco` and `database` (the connection loco's API is given; secret). */
  public readonly outputs: Record<string, unknown>;
  /** What this run records in the stack output `rotation` (no secret): loco's alternating users, on dev/prod. */
  public readonly rotation: { readonly locoApiDatabase?: RecordedAlternatingUsers };
  /** Resolves once the Application CRD exists and the controller, then the API, are available. */
  public readonly ready: pulumi.Output<LocoReadiness>;

  constructor(name: string, args: LocoLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:layer:Loco", name, {}, opts);
    const { config } = args;
    const settings = config.controlPlane;
    const database: LocoDatabaseArgs =
      "connection" in args.database ? args.database : { alternatingUsers: args.database.alternatingUsers, step: args.databaseStep };

    const controlPlane = new LocoControlPlane(
      `${name}-control-plane`,
      {
        images: settings.images,
        api: settings.api,
        ui: settings.ui,
        controller: settings.controller,
        disruptionBudgets: config.environment === "prod",
        hosts: { baseDomain: config.baseDomain, webApp: config.names.webApp, api: config.names.api },
        database,
        registry: args.registry,
        githubOAuth: { clientId: config.credentials.githubOAuthClientId, clientSecret: config.credentials.githubOAuthClientSecret },
        telemetry: { otlpGrpcEndpoint, environment: config.stack },
        logLevel: settings.logLevel,
        routesReady: args.routesReady,
      },
      { parent: this },
    );

    this.ready = controlPlane.ready;
    this.rotation = controlPlane.databaseUsers
      ? { locoApiDatabase: recordAlternatingUsers("locoApiDatabase", controlPlane.databaseUsers, config.rotation.maxAgeDays) }
      : {};
    this.outputs = {
      database: controlPlane.database,
      loco: {
        namespace: controlPlane.namespace,
        apiUrl: controlPlane.apiUrl,
        webAppUrl: controlPlane.webAppUrl,
        images: controlPlane.images,
        applicationCrd: locoApplication.crdName,
        ready: controlPlane.ready,
      },
    };
    this.registerOutputs(this.outputs);
  }
}
