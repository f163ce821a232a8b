/**
 * The Pulumi program. Pulumi calls the exported function and publishes what it returns as stack outputs.
 * Config is validated first, so invalid config fails before any resource is registered.
 */
import { loadStackConfig } from "./stacks/config";
import { platform } from "./stacks/platform";

export = async () => platform(loadStackConfig());
