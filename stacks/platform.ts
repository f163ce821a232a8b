/**
 * Composes one environment from its typed config: a foundation (DigitalOcean and Cloudflare for dev and prod, an
 * existing cluster and Postgres for local), then the traffic, observability and registry layers on top of it, and
 * loco itself on all of them; those four are the same for all three. Each is one component named after the environment, so a preview is a tree with
 * one branch per layer; each layer gets the foundation's providers and hands them down to its children.
 */
import type { StackConfig } from "./config";
import { CloudFoundation } from "./cloud-foundation";
import type { Foundation } from "./foundation";
import { LocalFoundation } from "./local-foundation";
import { LocoLayer } from "./loco";
import { ObservabilityLayer } from "./observability";
import { RegistryLayer } from "./registry";
import { rotationOutputName, type RotationRun } from "./rotation-state";
import { TrafficLayer } from "./traffic";

/** The stack's outputs. */
export function platform(config: StackConfig, rotations: RotationRun): Record<string, unknown> {
  const name = config.environmentName;
  const foundation: Foundation =
    config.environment === "local" ? new LocalFoundation(name, { config }) : new CloudFoundation(name, { config, rotations });
  const layer = { providers: [...foundation.providers] };
  const traffic = new TrafficLayer(name, { config, foundation, rotations }, layer);
  const observability = new ObservabilityLayer(name, { config, foundation, routesReady: traffic.routesReady, rotations }, layer);
  const registry = new RegistryLayer(name, { config, foundation, routesReady: traffic.routesReady, rotations }, layer);
  const loco = new LocoLayer(
    name,
    { config, database: foundation.database, routesReady: traffic.routesReady, registry: registry.access, rotations },
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
    // Non-secret issue and due times per credential, for `npm run rotate -- status` (no --show-secrets needed), and
    // the state the next run's rotations step from (stacks/rotation-state.ts).
    [rotationOutputName]: { ...observability.rotation, ...rotations.outputs() },
  };
}
