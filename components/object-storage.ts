/**
 * A Spaces bucket for state that must outlive the cluster (registry blobs, telemetry backups), and an access
 * key that can read and write that bucket only. Consumers get the key, never the account's Spaces credentials.
 *
 * The key rotates two valid at once (components/two-slot-rotation.ts): one key per slot, consumers get the active
 * one, and the other one is deleted only when the rotation retires it, after the overlap.
 */
import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { existingSlots, type Slot, type TwoSlotState } from "./two-slot-rotation";

export interface ObjectStorageBucketArgs {
  /** Spaces region slug. */
  readonly region: string;
  /** Prefix of the globally unique bucket name; a stable random suffix is added. */
  readonly namePrefix: string;
  /** Protect the bucket from deletion (prod): its contents cannot be recreated. */
  readonly protect: boolean;
  /**
   * Delete objects older than this many days (Spaces lifecycle rule). Unset keeps objects until their owner
   * deletes them.
   * @default none: objects never expire
   */
  readonly expireAfterDays?: number;
  /** The access key's slots this run: `twoSlotRotation("spacesKeys").next` (stacks/rotation-state.ts). */
  readonly keySlots: TwoSlotState;
}

/** What a consumer needs to use the bucket with any S3 client. */
export interface BucketAccess {
  readonly bucket: string;
  readonly region: string;
  /** https://<region>.digitaloceanspaces.com */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export class ObjectStorageBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  /** Bucket coordinates and its active scoped key. Secret. */
  public readonly access: pulumi.Output<BucketAccess>;
  /** The active key's generation: changes exactly when consumers must switch keys (for a pod annotation). */
  public readonly keyGeneration: number;
  /** The keys that exist this run, one per slot: what a rotation step creates or deletes. */
  public readonly keys: readonly digitalocean.SpacesKey[];

  constructor(name: string, args: ObjectStorageBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:storage:ObjectStorageBucket", name, {}, opts);
    if (args.expireAfterDays !== undefined && (!Number.isInteger(args.expireAfterDays) || args.expireAfterDays < 1)) {
      throw new pulumi.ResourceError(
        `ObjectStorageBucket ${name}: expireAfterDays must be a positive integer, got ${args.expireAfterDays}`,
        this,
      );
    }

    // Bucket names are global across all Spaces customers; the suffix is kept in state, so the name is stable.
    const suffix = new random.RandomString(`${name}-suffix`, { length: 6, special: false, upper: false }, { parent: this });
    const bucket = new digitalocean.SpacesBucket(
      `${name}-bucket`,
      {
        name: pulumi.interpolate`${args.namePrefix}-${suffix.result}`,
        region: args.region,
        acl: "private",
        forceDestroy: false,
        lifecycleRules: args.expireAfterDays ? [{ enabled: true, expiration: { days: args.expireAfterDays } }] : undefined,
      },
      // Protected in prod: what lives here is what survives a cluster loss.
      { parent: this, protect: args.protect },
    );
    const keys = new Map<Slot, digitalocean.SpacesKey>();
    for (const { slot, credential } of existingSlots(args.keySlots)) {
      keys.set(
        slot,
        new digitalocean.SpacesKey(
          `${name}-key-${slot}`,
          {
            name: pulumi.interpolate`${bucket.name}-rw-g${credential.generation}`,
            grants: [{ bucket: bucket.name, permission: "readwrite" }],
          },
          // Slot a takes over the key declared before keys had slots.
          { parent: this, aliases: slot === "a" ? [{ name: `${name}-key` }] : [] },
        ),
      );
    }
    const key = keys.get(args.keySlots.active) as digitalocean.SpacesKey;

    this.bucketName = bucket.name;
    this.keys = [...keys.values()];
    this.keyGeneration = (args.keySlots.slots[args.keySlots.active] as { generation: number }).generation;
    this.access = pulumi.secret(
      pulumi.all([bucket.name, key.accessKey, key.secretKey]).apply(([bucketName, accessKeyId, secretAccessKey]) => ({
        bucket: bucketName,
        region: args.region,
        endpoint: `https://${args.region}.digitaloceanspaces.com`,
        accessKeyId,
        secretAccessKey,
      })),
    );
    this.registerOutputs({ bucketName: this.bucketName });
  }
}
