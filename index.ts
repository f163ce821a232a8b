/**
 * The Pulumi program. Pulumi calls the exported function and publishes what it returns as stack outputs.
 * Stacks named `resurrector-<env>` deploy the resurrector that guards <env> (stacks/resurrector.ts); every other
 * stack is a platform environment. Config is validated first, so invalid config fails before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./stacks/config";
import { platform } from "./stacks/platform";
import { resurrectorStack } from "./stacks/resurrector";
import { isResurrectorStack, loadResurrectorConfig } from "./stacks/resurrector-config";

export = async () => (isResurrectorStack(pulumi.getStack()) ? resurrectorStack(loadResurrectorConfig()) : platform(loadStackConfig()));
