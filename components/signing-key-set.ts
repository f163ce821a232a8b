/**
 * The signing key set of loco's API ("two-tone JWT secrets"): the keys of the two slots of a
 * {@link TwoSlotState} in one Kubernetes Secret, `keys.json` = `{ active, keys: [{ kid, generation, publicKeyPem,
 * privateKeyPem }] }` newest first. loco's API signs with `active` and verifies a token whose `kid` is any listed key,
 * so a token signed before a promotion keeps verifying through the overlap, and a key issued but not yet active is
 * already trusted everywhere when it starts signing.
 *
 * Which slots exist is decided from plain values (the state this run records), never inside an apply.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SigningKeyPair } from "./signing-key-pair";
import { consumerView, type Slot, type TwoSlotState } from "./two-slot-rotation";

export interface SigningKeySetArgs {
  /** The state this run records (`twoSlotStep(...).next`): which slots hold a key, of which generation, which is active. */
  readonly state: TwoSlotState;
  /** Namespace of the Secret (loco's API namespace). */
  readonly namespace: pulumi.Input<string>;
  /** Name of the Kubernetes Secret loco's API mounts. */
  readonly secretName: string;
  /** Prefix of the key ids: `<keyIdPrefix>-<generation>`. */
  readonly keyIdPrefix: string;
}

/** The file inside the Secret. */
export const signingKeysFile = "keys.json";

export class SigningKeySet extends pulumi.ComponentResource {
  /** The key id tokens are signed with now. */
  public readonly activeKeyId: string;
  /** Every key id a verifier accepts now, newest first. */
  public readonly acceptedKeyIds: readonly string[];
  /** Changes whenever the set does: put it on loco's API pod template so it reloads. */
  public readonly checksum: string;
  public readonly secret: k8s.core.v1.Secret;

  constructor(name: string, args: SigningKeySetArgs, opts?: pulumi.ComponentResourceOptions) {
    super("loco:secrets:SigningKeySet", name, {}, opts);
    const keyId = (generation: number) => `${args.keyIdPrefix}-${generation}`;
    const view = consumerView(args.state);
    this.activeKeyId = keyId(view.use);
    this.acceptedKeyIds = view.accept.map(keyId);
    this.checksum = `${this.activeKeyId};${this.acceptedKeyIds.join(",")}`;

    const slots = (["a", "b"] as const satisfies readonly Slot[]).flatMap((slot) => {
      const credential = args.state.slots[slot];
      return credential ? [{ slot, credential }] : [];
    });
    const pairs = slots
      .sort((x, y) => y.credential.generation - x.credential.generation)
      .map(
        ({ slot, credential }) =>
          new SigningKeyPair(
            `${name}-${slot}`,
            { keyId: keyId(credential.generation), generation: credential.generation },
            { parent: this },
          ),
      );
    const keys = pulumi.all(pairs.map((pair) => pulumi.all([pair.keyId, pair.publicKeyPem, pair.privateKeyPem]))).apply((rows) =>
      JSON.stringify({
        active: this.activeKeyId,
        keys: rows.map(([kid, publicKeyPem, privateKeyPem]) => ({ kid, publicKeyPem, privateKeyPem })),
      }),
    );

    this.secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: args.secretName, namespace: args.namespace, annotations: { "loco.dev/signing-keys": this.checksum } },
        type: "Opaque",
        stringData: { [signingKeysFile]: pulumi.secret(keys) },
      },
      { parent: this },
    );
    this.registerOutputs({ activeKeyId: this.activeKeyId, acceptedKeyIds: this.acceptedKeyIds });
  }
}
