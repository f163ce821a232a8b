/**
 * The Pulumi program. Pulumi calls the exported function and publishes what it returns as stack outputs.
 * Stacks named `resurrector-<env>` deploy the resurrector that guards <env> (stacks/resurrector.ts); every other
 * stack is a platform environment. The engine's version, the config and the cluster generation (never below the one
 * this stack last deployed) are checked first, so neither an engine that would ignore replacementTrigger, nor invalid
 * config, nor a stack file a resurrector rebuild left behind gets as far as registering a resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./stacks/config";
import { requireEngineSupport } from "./stacks/engine-version";
import { clusterOutputName, requireGenerationNotBehind } from "./stacks/cluster-generation-guard";
import { readPreviousOutputs } from "./stacks/previous-run";
import { loadRotationRun, rotationOutputName } from "./stacks/rotation-state";
import { platform } from "./stacks/platform";
import { resurrectorStack } from "./stacks/resurrector";
import { isResurrectorStack, loadResurrectorConfig } from "./stacks/resurrector-config";

export = async () => {
  await requireEngineSupport();
  if (isResurrectorStack(pulumi.getStack())) return resurrectorStack(loadResurrectorConfig());
  const config = loadStackConfig();
  // This stack's last outputs, read once before any resource is declared: the state rotations step from (which
  // credential slots exist is plain), and the cluster generation it deployed, which this run must not go below.
  const previous = await readPreviousOutputs([rotationOutputName, clusterOutputName]);
  if (config.environment !== "local") requireGenerationNotBehind(config.stack, config.cluster.generation, previous[clusterOutputName]);
  return platform(config, await loadRotationRun(config, new Date(), previous));
};
