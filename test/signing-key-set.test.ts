/**
 * loco's API signing key set through a whole rotation, run by run under the mocks: the key resources each run keeps,
 * and the keys the API gets (the key it signs with, the one it also accepts).
 */
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, sign, verify } from "node:crypto";
import { describe, test } from "node:test";
import { keyPairProvider } from "../components/signing-key-pair";
import { SigningKeySet } from "../components/signing-key-set";
import { twoSlotStep, type TwoSlotState } from "../components/two-slot-rotation";
import { outputIsSecret, runComponents, valueOf } from "./harness";

const settings = { maxAgeDays: 30, overlapHours: 48 };

async function runWith(state: TwoSlotState) {
  const run = await runComponents(() => new SigningKeySet("loco-api-signing", { state, keyIdPrefix: "loco-api" }));
  assert.equal(await outputIsSecret(run.result.keys), true, "the key set holds private keys");
  const keys = await valueOf(run.result.keys);
  const pairs = run
    .ofType("pulumi-nodejs:dynamic/loco:SigningKeyPair")
    .map((pair) => `${pair.name}:${String(pair.inputs.generation)}`)
    .sort();
  return {
    pairs,
    active: run.result.activeKeyId,
    kids: run.result.acceptedKeyIds,
    signs: keys.current.keyId,
    verifiesToo: keys.previous?.keyId,
    checksum: run.result.checksum,
  };
}

describe("the signing key set", () => {
  test("issue -> promote -> overlap -> retire: the API always signs with a key every verifier accepts", { timeout: 120_000 }, async () => {
    const times = ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-02T01:00:00Z", "2026-01-03T00:00:00Z", "2026-01-05T00:00:00Z"];
    let state: TwoSlotState | undefined;
    const seen = [];
    for (const [index, now] of times.entries()) {
      state = twoSlotStep(state, { ...settings, counter: index === 0 ? 0 : 1, now }).next;
      seen.push(await runWith(state));
    }
    assert.deepEqual(
      seen.map(({ signs, verifiesToo }) => [signs, verifiesToo]),
      [
        ["loco-api-0", undefined],
        ["loco-api-0", "loco-api-1"],
        ["loco-api-1", "loco-api-0"],
        ["loco-api-1", "loco-api-0"],
        ["loco-api-1", undefined],
      ],
    );
    assert.deepEqual(
      seen.map(({ pairs, active, kids }) => ({ pairs, active, kids })),
      [
        { pairs: ["loco-api-signing-a:0"], active: "loco-api-0", kids: ["loco-api-0"] },
        { pairs: ["loco-api-signing-a:0", "loco-api-signing-b:1"], active: "loco-api-0", kids: ["loco-api-1", "loco-api-0"] },
        { pairs: ["loco-api-signing-a:0", "loco-api-signing-b:1"], active: "loco-api-1", kids: ["loco-api-1", "loco-api-0"] },
        { pairs: ["loco-api-signing-a:0", "loco-api-signing-b:1"], active: "loco-api-1", kids: ["loco-api-1", "loco-api-0"] },
        { pairs: ["loco-api-signing-b:1"], active: "loco-api-1", kids: ["loco-api-1"] },
      ],
    );
    for (const step of seen) assert.ok(step.kids.includes(step.active));
    // The checksum changes with each change of the set (and only then), so a pod template carrying it rolls.
    assert.deepEqual(
      seen.map((step) => step.checksum),
      [
        "loco-api-0;loco-api-0",
        "loco-api-0;loco-api-1,loco-api-0",
        "loco-api-1;loco-api-1,loco-api-0",
        "loco-api-1;loco-api-1,loco-api-0",
        "loco-api-1;loco-api-1",
      ],
    );
  });

  test("the provider makes a real Ed25519 pair: what the private key signs, the public key verifies", async () => {
    const created = await keyPairProvider.create({ keyId: "loco-api-3", generation: 3 });
    const outs = created.outs as { keyId: string; publicKeyPem: string; privateKeyPem: string };
    assert.equal(created.id, "loco-api-3");
    const payload = Buffer.from("header.claims");
    const signature = sign(null, payload, createPrivateKey(outs.privateKeyPem));
    assert.ok(verify(null, payload, createPublicKey(outs.publicKeyPem), signature));
    const diff = await keyPairProvider.diff?.("loco-api-3", { keyId: "loco-api-3", generation: 3 }, { keyId: "loco-api-4", generation: 4 });
    assert.deepEqual(diff?.replaces, ["keyId", "generation"]);
  });
});
