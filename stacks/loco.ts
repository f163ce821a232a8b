/**
 * The loco layer: loco's own API, web UI and controller on the platform the other layers built, with every setting
 * taken from them (database, public names, registry, telemetry) or from secret config (the GitHub OAuth app).
 *
 * Its `ready` output is what the resurrector's tenant replay waits for: the Application CRD, then the controller,
 * then the API, each in place before any Application is written.
 */
import * as pulumi from "@pulumi/pulumi";
import { LocoControlPlane, type LocoDatabaseArgs, type LocoReadiness, type LocoRegistryArgs } from "../components/loco-control-plane";
import { SigningKeySet } from "../components/signing-key-set";
import { alternatingUsersRotation, recordAlternatingUsers } from "./alternating-users-rotation";
import type { Foundation } from "./foundation";
import { locoApplication } from "../lib/loco-system";
import { otlpGrpcEndpoint } from "../lib/telemetry-endpoints";
import type { StackConfig } from "./config";
import type { RotationRun } from "./rotation-state";

/** Key ids of loco API's signing keys: `loco-api-<generation>`, the `kid` header of every token it signs. */
export const signingKeyIdPrefix = "loco-api";

export interface LocoLayerArgs {
  /** The stack's typed config (stacks/config.ts): `controlPlane`, the public names and the GitHub OAuth secrets. */
  readonly config: StackConfig;
  /** loco's database of record (the foundation's `database`): a connection, or where to keep alternating users. */
  readonly database: Foundation["database"];
  /** The traffic layer's `routesReady`: the Gateway API CRDs and the shared Gateway its routes attach to. */
  readonly routesReady: readonly pulumi.Resource[];
  /** Harbor and its robots, from the registry layer. */
  readonly registry: LocoRegistryArgs;
  /** This run's rotations (stacks/rotation-state.ts): the API's signing key slots, and the consumers each step waits for. */
  readonly rotations: RotationRun;
}

export class LocoLayer extends pulumi.ComponentResource {
  /** Stack outputs `loco` and `database` (the connection loco's API is given; secret). */
  public readonly outputs: Record<string, unknown>;
  /** Resolves once the Application CRD exists and the controller, then the API, are available. */
  public readonly ready: pulumi.Output<LocoReadiness>;

  constructor(name: string, args: LocoLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:layer:Loco", name, {}, opts);
    const { config } = args;
    const settings = config.controlPlane;
    const database: LocoDatabaseArgs =
      "connection" in args.database
        ? args.database
        : { alternatingUsers: args.database.alternatingUsers, step: alternatingUsersRotation(args.rotations, "locoApiDatabase") };

    // Two valid at once: the active key signs, the other one (newer before a promotion, older during the overlap)
    // only verifies, so no token the API issued stops verifying at a rotation step.
    const signingKeys = new SigningKeySet(
      `${name}-signing-keys`,
      { state: args.rotations.twoSlotRotation("locoApiSigningKeys").next, keyIdPrefix: signingKeyIdPrefix },
      { parent: this },
    );

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
        signingKeys: signingKeys.keys,
        signingKeysVersion: signingKeys.checksum,
        routesReady: args.routesReady,
      },
      { parent: this },
    );
    // A step is recorded once its consumers run with it: the API (signing keys, builder robot) and the controller
    // (pull robot, pull secret) are available with the Secrets rendered from the active slots.
    args.rotations.appliedBy("locoApiSigningKeys", [...signingKeys.pairs, ...controlPlane.readyResources]);
    args.rotations.appliedBy("registryBuilderRobot", controlPlane.readyResources);
    args.rotations.appliedBy("registryPullRobot", controlPlane.readyResources);

    this.ready = controlPlane.ready;
    // loco's users are recorded once the API runs as the active one (its Deployment rolled, after the setup Job).
    if (controlPlane.databaseUsers) {
      recordAlternatingUsers(args.rotations, "locoApiDatabase", controlPlane.databaseUsers, controlPlane.readyResources);
    }
    this.outputs = {
      database: controlPlane.database,
      loco: {
        namespace: controlPlane.namespace,
        apiUrl: controlPlane.apiUrl,
        webAppUrl: controlPlane.webAppUrl,
        images: controlPlane.images,
        applicationCrd: locoApplication.crdName,
        ready: controlPlane.ready,
        signingKeys: { active: signingKeys.activeKeyId, accepted: signingKeys.acceptedKeyIds },
      },
    };
    this.registerOutputs(this.outputs);
  }
}
