/**
 * The Pulumi program. Pulumi calls the exported function and publishes what it returns as stack outputs.
 * The engine's version and the config are checked first, so neither an engine that would ignore
 * replacementTrigger nor invalid config gets as far as registering a resource.
 */
import { loadStackConfig } from "./stacks/config";
import { requireEngineSupport } from "./stacks/engine-version";
import { platform } from "./stacks/platform";

export = async () => {
  await requireEngineSupport();
  return platform(loadStackConfig());
};
