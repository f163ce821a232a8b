/**
 * The Pulumi program. Pulumi calls the exported function and publishes what it returns as stack outputs.
 * Stacks named `resurrector-<env>` deploy the resurrector that guards <env> (stacks/resurrector.ts); every other
 * stack is a platform environment. The engine's version and the config are checked first, so neither an engine that
 * would ignore replacementTrigger nor invalid config gets as far as registering a resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./stacks/config";
import { requireEngineSupport } from "./stacks/engine-version";
import { loadRotationRun } from "./stacks/rotation-state";
import { platform } from "./stacks/platform";
import { resurrectorStack } from "./stacks/resurrector";
import { isResurrectorStack, loadResurrectorConfig } from "./stacks/resurrector-config";

export = async () => {
  await requireEngineSupport();
  if (isResurrectorStack(pulumi.getStack())) return resurrectorStack(loadResurrectorConfig());
  const config = loadStackConfig();
  // The state rotations step from, read before any resource is declared: which credential slots exist is plain.
  return platform(config, await loadRotationRun(config));
};
