/**
 * Harbor objects as Pulumi resources (`pulumi-nodejs:dynamic/harbor:<Type>`). No Harbor provider is published for
 * Pulumi's Node SDK, so each is a dynamic resource over the object modules in this folder.
 *
 * Every resource takes the Harbor connection as a secret input (never captured in the serialized provider code)
 * and keeps it in secret outputs; robot secrets and the admin password are secret outputs too. One provider object
 * per type, so Pulumi serializes each provider's code once per program run.
 *
 * Outputs are `declare`d: with ES2022 class fields, a plain `field!: T` would be re-initialised to undefined after
 * the base constructor has set it.
 */
import * as pulumi from "@pulumi/pulumi";
import type { HarborConnection } from "./harbor-api";
import { harborAdminPassword, type AdminPasswordArgs } from "./harbor-admin-password";
import { harborGarbageCollection, type GarbageCollectionArgs } from "./harbor-garbage-collection";
import { harborImmutableTagRule, type ImmutableTagRuleArgs } from "./harbor-immutable-tag-rule";
import { harborProject, type ProjectArgs } from "./harbor-project";
import { harborRetentionPolicy, type RetentionPolicyArgs } from "./harbor-retention";
import { harborRobotAccount, type RobotAccountArgs } from "./harbor-robot-account";
import { harborVulnerabilityScanning, type VulnerabilityScanningArgs } from "./harbor-vulnerability-scanning";
import { harborProvider } from "./dynamic-provider";

/** Dynamic resources are registered under this module: `pulumi-nodejs:dynamic/harbor:<Type>`. */
export const harborModule = "harbor";

const providers = {
  adminPassword: harborProvider(harborAdminPassword),
  project: harborProvider(harborProject),
  retentionPolicy: harborProvider(harborRetentionPolicy),
  immutableTagRule: harborProvider(harborImmutableTagRule),
  robotAccount: harborProvider(harborRobotAccount),
  garbageCollection: harborProvider(harborGarbageCollection),
  vulnerabilityScanning: harborProvider(harborVulnerabilityScanning),
};

type Inputs<T> = { readonly [K in keyof T]: pulumi.Input<T[K]> };

/** Every Harbor resource's args: the object's own, plus where Harbor is and the admin credentials. */
export type HarborResourceArgs<T> = Inputs<T> & {
  /** Harbor URL and admin credentials (made secret here). */
  readonly connection: pulumi.Input<HarborConnection>;
};

function inputs<T>(args: HarborResourceArgs<T>, outputs: readonly string[]): pulumi.Inputs {
  return { ...args, connection: pulumi.secret(args.connection), ...Object.fromEntries(outputs.map((name) => [name, undefined])) };
}

const secretOutputs = (opts: pulumi.CustomResourceOptions | undefined, names: readonly string[]): pulumi.CustomResourceOptions => ({
  ...opts,
  additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "connection", ...names],
});

/** The admin account's password, changed through Harbor's API when it rotates. Downstream resources use `connection`. */
export class HarborAdminPassword extends pulumi.dynamic.Resource {
  /** Harbor URL and admin credentials as Harbor accepts them now. Secret. */
  declare public readonly connection: pulumi.Output<HarborConnection>;
  declare public readonly userId: pulumi.Output<number>;

  constructor(name: string, args: HarborResourceArgs<AdminPasswordArgs>, opts?: pulumi.CustomResourceOptions) {
    super(providers.adminPassword, name, inputs(args, ["userId"]), secretOutputs(opts, ["password"]), harborModule, "AdminPassword");
  }
}

export class HarborProject extends pulumi.dynamic.Resource {
  declare public readonly projectId: pulumi.Output<number>;
  declare public readonly name: pulumi.Output<string>;

  constructor(name: string, args: HarborResourceArgs<ProjectArgs>, opts?: pulumi.CustomResourceOptions) {
    super(providers.project, name, inputs(args, ["projectId"]), secretOutputs(opts, []), harborModule, "Project");
  }
}

export class HarborRetentionPolicy extends pulumi.dynamic.Resource {
  declare public readonly policyId: pulumi.Output<number>;

  constructor(name: string, args: HarborResourceArgs<RetentionPolicyArgs>, opts?: pulumi.CustomResourceOptions) {
    super(providers.retentionPolicy, name, inputs(args, ["policyId"]), secretOutputs(opts, []), harborModule, "RetentionPolicy");
  }
}

export class HarborImmutableTagRule extends pulumi.dynamic.Resource {
  declare public readonly ruleId: pulumi.Output<number>;

  constructor(name: string, args: HarborResourceArgs<ImmutableTagRuleArgs>, opts?: pulumi.CustomResourceOptions) {
    super(providers.immutableTagRule, name, inputs(args, ["ruleId"]), secretOutputs(opts, []), harborModule, "ImmutableTagRule");
  }
}

export class HarborRobotAccount extends pulumi.dynamic.Resource {
  declare public readonly robotId: pulumi.Output<number>;
  /** The username to log in with (`robot$<project>+<name>`). */
  declare public readonly fullName: pulumi.Output<string>;
  /** The password to log in with. Secret. */
  declare public readonly secret: pulumi.Output<string>;
  /** Unix seconds when the robot stops authenticating; -1 never. */
  declare public readonly expiresAt: pulumi.Output<number>;

  constructor(name: string, args: HarborResourceArgs<RobotAccountArgs>, opts?: pulumi.CustomResourceOptions) {
    super(
      providers.robotAccount,
      name,
      inputs(args, ["robotId", "fullName", "secret", "expiresAt"]),
      secretOutputs(opts, ["secret"]),
      harborModule,
      "RobotAccount",
    );
  }
}

export class HarborGarbageCollection extends pulumi.dynamic.Resource {
  constructor(name: string, args: HarborResourceArgs<GarbageCollectionArgs>, opts?: pulumi.CustomResourceOptions) {
    super(providers.garbageCollection, name, inputs(args, []), secretOutputs(opts, []), harborModule, "GarbageCollection");
  }
}

export class HarborVulnerabilityScanning extends pulumi.dynamic.Resource {
  constructor(name: string, args: HarborResourceArgs<VulnerabilityScanningArgs>, opts?: pulumi.CustomResourceOptions) {
    super(providers.vulnerabilityScanning, name, inputs(args, []), secretOutputs(opts, []), harborModule, "VulnerabilityScanning");
  }
}
