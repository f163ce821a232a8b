/**
 * Composes one environment from its typed config: a foundation (DigitalOcean and Cloudflare for dev and prod, an
 * existing cluster and Postgres for local), then the traffic, observability and registry layers on top of it, and
 * loco itself on all of them; those four are the same for all three. Each is one component named after the environment, so a preview is a tree with
 * one branch per layer; each layer gets the foundation's providers and hands them down to its children.
 */
import { alternatingUsersRotation, rotationClock, type AlternatingUsersCredential } from "./alternating-users-rotation";
import type { StackConfig } from "./config";
import { CloudFoundation } from "./cloud-foundation";
import type { Foundation } from "./foundation";
import { LocalFoundation } from "./local-foundation";
import { LocoLayer } from "./loco";
import { ObservabilityLayer } from "./observability";
import { RegistryLayer } from "./registry";
import { TrafficLayer } from "./traffic";

/** What a run's rotations step from: the run's clock and the previous run's non-secret `rotation` output. */
export interface RotationRun {
  /** The time of this run (RFC 3339). */
  readonly now: string;
  /** The previous run's `rotation` output, by credential name; `{}` on a first run. */
  readonly previous: Readonly<Record<string, unknown>>;
}

/** The stack's outputs. */
export function platform(config: StackConfig, run: RotationRun = { now: rotationClock(), previous: {} }): Record<string, unknown> {
  const name = config.environmentName;
  const foundation: Foundation =
    config.environment === "local" ? new LocalFoundation(name, { config }) : new CloudFoundation(name, { config });
  const layer = { providers: [...foundation.providers] };
  const traffic = new TrafficLayer(name, { config, foundation }, layer);
  const observability = new ObservabilityLayer(name, { config, foundation, routesReady: traffic.routesReady }, layer);
  const step = (credential: AlternatingUsersCredential) =>
    alternatingUsersRotation(credential, { previous: run.previous[credential], config, now: run.now });
  const registry = new RegistryLayer(
    name,
    { config, foundation, routesReady: traffic.routesReady, databaseStep: step("harborDatabaseUser") },
    layer,
  );
  const loco = new LocoLayer(
    name,
    {
      config,
      database: foundation.database,
      databaseStep: step("locoApiDatabase"),
      routesReady: traffic.routesReady,
      registry: registry.access,
    },
    layer,
  );
  return {
    environment: config.environment,
    publicNames: config.names,
    ...foundation.outputs,
    traffic: traffic.outputs,
    ...observability.outputs,
    ...registry.outputs,
    ...loco.outputs,
    // Non-secret issue and due times per credential, for `npm run rotate -- status` (no --show-secrets needed).
    rotation: { ...observability.rotation, ...registry.rotation, ...loco.rotation },
  };
}
