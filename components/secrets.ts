/**
 * Generated secrets and the rotation every platform credential shares.
 *
 * A {@link RotationPolicy} rotates a credential two ways:
 * - by age: a `time.Rotating` expires after `maxAgeDays`. It only notices on read, so age-based rotation
 *   happens on `pulumi up --refresh --run-program` (the scheduled rotation run); a plain `pulumi up` never
 *   rotates by age.
 * - on request: bumping `counter` (config `loco:rotation.counters.<name>`) rotates on the next `pulumi up`.
 *
 * {@link GeneratedSecret} feeds the trigger to a RandomPassword's keepers. Credentials minted by a provider (API
 * tokens, robot accounts, Spaces keys, signing keys) rotate two valid at once instead (stacks/rotation-state.ts).
 *
 * Some keys must never rotate ({@link neverRotates}): a key that encrypts data at rest (rotating it makes that
 * data unreadable) or a secret shared by components that do not restart together.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as time from "@pulumiverse/time";

export interface RotationPolicy {
  /** Rotate once the credential is this many days old (on `pulumi up --refresh --run-program`). 1 to 365. */
  readonly maxAgeDays: number;
  /** Manual rotation counter: any change rotates on the next `pulumi up`. */
  readonly counter: number;
}

export interface RotationTrigger {
  /** Changes exactly when the credential must rotate: the age's base time, then the counter. */
  readonly value: pulumi.Output<string>;
  /** When the current credential was issued (RFC 3339). */
  readonly issuedAt: pulumi.Output<string>;
  /** When age-based rotation is due (RFC 3339). */
  readonly dueAt: pulumi.Output<string>;
}

/**
 * Creates `${name}-age` under `parent` and returns the value that changes when the credential must rotate.
 * The age's base timestamp (not its due date) is used: it changes only when the age expires and is recreated,
 * so editing maxAgeDays re-times the next rotation instead of rotating everything at once.
 */
export function rotationTrigger(name: string, policy: RotationPolicy, parent: pulumi.Resource): RotationTrigger {
  validateRotationPolicy(name, policy, parent);
  const age = new time.Rotating(`${name}-age`, { rotationDays: policy.maxAgeDays }, { parent });
  return {
    value: pulumi.interpolate`${age.rfc3339}#${policy.counter}`,
    issuedAt: age.rfc3339,
    dueAt: age.rotationRfc3339,
  };
}

/** For a key that must keep its first value for the life of what uses it. */
export const neverRotates = "never";

export interface GeneratedSecretArgs {
  /** When to rotate, or {@link neverRotates} for a key whose rotation would break what uses it (say why where you use it). */
  readonly rotation: RotationPolicy | typeof neverRotates;
  /**
   * Length in characters. 16 to 128.
   * @default 32
   */
  readonly length?: number;
  /**
   * Include punctuation. Off by default: secrets end up in URLs, Helm values and env vars that mangle it.
   * @default false
   */
  readonly special?: boolean;
  /**
   * At least one uppercase letter, one lowercase letter and one digit (and one special character with `special`),
   * for consumers with a password policy (Harbor's). Without it a random 32-character value lacks a digit about
   * once in 280 draws.
   * @default false
   */
  readonly requireEachClass?: boolean;
}

/** A random password or key that rotates by its {@link RotationPolicy}. */
export class GeneratedSecret extends pulumi.ComponentResource {
  /** The secret itself, always a Pulumi secret. */
  public readonly value: pulumi.Output<string>;
  /** When the current value was generated (RFC 3339). */
  public readonly generatedAt: pulumi.Output<string>;
  /** When age-based rotation is due (RFC 3339), or "never". */
  public readonly rotationDueAt: pulumi.Output<string>;
  /** A bcrypt hash of the value (for htpasswd files and the like). Secret. */
  public readonly bcryptHash: pulumi.Output<string>;

  constructor(name: string, args: GeneratedSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:secrets:GeneratedSecret", name, {}, opts);
    const length = args.length ?? 32;
    if (!Number.isInteger(length) || length < 16 || length > 128) {
      throw new pulumi.ResourceError(`GeneratedSecret ${name}: length must be an integer from 16 to 128, got ${length}`, this);
    }
    const eachClass = args.requireEachClass ? { minUpper: 1, minLower: 1, minNumeric: 1, ...(args.special ? { minSpecial: 1 } : {}) } : {};

    let trigger: RotationTrigger;
    if (args.rotation === neverRotates) {
      const created = new time.Static(`${name}-created`, {}, { parent: this });
      trigger = { value: pulumi.output(neverRotates), issuedAt: created.rfc3339, dueAt: pulumi.output(neverRotates) };
    } else {
      trigger = rotationTrigger(name, args.rotation, this);
    }
    const value = new random.RandomPassword(
      `${name}-value`,
      {
        length,
        special: args.special ?? false,
        ...eachClass,
        ...(args.rotation === neverRotates ? {} : { keepers: { rotation: trigger.value } }),
      },
      { parent: this },
    );

    this.value = pulumi.secret(value.result);
    this.bcryptHash = pulumi.secret(value.bcryptHash);
    this.generatedAt = trigger.issuedAt;
    this.rotationDueAt = trigger.dueAt;
    this.registerOutputs({ generatedAt: this.generatedAt, rotationDueAt: this.rotationDueAt });
  }
}

/**
 * Pod annotation carrying when a workload's credentials were issued: a rotation changes it, so Kubernetes rolls the
 * pods and they read the new password from their Secret (env vars from Secrets are read only at start).
 */
export const credentialsIssuedAtAnnotation = "loco.dev/credentials-issued-at";

/** Pure: throws a ResourceError naming the bad field. */
export function validateRotationPolicy(name: string, policy: RotationPolicy, resource?: pulumi.Resource): void {
  const { maxAgeDays, counter } = policy;
  if (!Number.isInteger(maxAgeDays) || maxAgeDays < 1 || maxAgeDays > 365) {
    throw new pulumi.ResourceError(`${name}: rotation.maxAgeDays must be an integer from 1 to 365, got ${maxAgeDays}`, resource);
  }
  if (!Number.isInteger(counter) || counter < 0) {
    throw new pulumi.ResourceError(`${name}: rotation.counter must be a non-negative integer, got ${counter}`, resource);
  }
}
