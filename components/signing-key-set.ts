/**
 * The signing key set of loco's API ("two-tone JWT secrets"): one Ed25519 key pair per slot of a
 * {@link TwoSlotState}. The active slot's key signs (`current`); the other slot's key, while it exists, only verifies
 * (`previous` in lib/signing-key-set.ts): before a promotion it is the newer key, already trusted everywhere when it
 * starts signing; after one it is the older key, so tokens it signed keep verifying through the overlap.
 *
 * The set reaches loco's API as the files of one Secret (lib/signing-key-set.ts, rendered by
 * components/loco-control-plane.ts). Which slots exist is decided from plain values (the state this run records),
 * never inside an apply.
 */
import * as pulumi from "@pulumi/pulumi";
import type { SigningKeySet as SigningKeyFiles } from "../lib/signing-key-set";
import { SigningKeyPair } from "./signing-key-pair";
import { consumerView, existingSlots, type TwoSlotState } from "./two-slot-rotation";

export interface SigningKeySetArgs {
  /** The state this run records (`twoSlotStep(...).next`): which slots hold a key, of which generation, which is active. */
  readonly state: TwoSlotState;
  /** Prefix of the key ids: `<keyIdPrefix>-<generation>`. */
  readonly keyIdPrefix: string;
}

export class SigningKeySet extends pulumi.ComponentResource {
  /** The key id tokens are signed with now. */
  public readonly activeKeyId: string;
  /** Every key id a verifier accepts now, newest first. */
  public readonly acceptedKeyIds: readonly string[];
  /** Changes whenever the set does (key ids only, nothing secret): put it on loco's API pod template so it reloads. */
  public readonly checksum: string;
  /** The keys as loco's API gets them: the active one signs, the other one verifies. Secret. */
  public readonly keys: pulumi.Output<SigningKeyFiles>;
  /** The key pairs that exist this run, one per slot: what a rotation step creates or deletes. */
  public readonly pairs: readonly SigningKeyPair[];

  constructor(name: string, args: SigningKeySetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:secrets:SigningKeySet", name, {}, opts);
    const keyId = (generation: number) => `${args.keyIdPrefix}-${generation}`;
    const view = consumerView(args.state);
    this.activeKeyId = keyId(view.use);
    this.acceptedKeyIds = view.accept.map(keyId);
    this.checksum = `${this.activeKeyId};${this.acceptedKeyIds.join(",")}`;

    const pairs = existingSlots(args.state).map(({ slot, credential }) => ({
      active: slot === args.state.active,
      pair: new SigningKeyPair(
        `${name}-${slot}`,
        { keyId: keyId(credential.generation), generation: credential.generation },
        { parent: this },
      ),
    }));
    const key = (pair: SigningKeyPair) =>
      pulumi.all([pair.keyId, pair.privateKeyPem]).apply(([id, privateKeyPem]) => ({ keyId: id, privateKeyPem }));
    const current = pairs.find((entry) => entry.active)?.pair as SigningKeyPair;
    const other = pairs.find((entry) => !entry.active)?.pair;
    this.keys = pulumi.secret(
      pulumi
        .all([key(current), other ? key(other) : undefined])
        .apply(([currentKey, previousKey]) => ({ current: currentKey, ...(previousKey ? { previous: previousKey } : {}) })),
    );
    this.pairs = pairs.map((entry) => entry.pair);
    this.registerOutputs({ activeKeyId: this.activeKeyId, acceptedKeyIds: this.acceptedKeyIds });
  }
}
