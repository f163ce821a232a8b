import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  generateMasterKey,
  keyFingerprint,
  open,
  parseMasterKey,
  seal,
  SealError,
  type SealedRecord,
} from "../resurrector/crypto/envelope";

const master = parseMasterKey(generateMasterKey());
const other = parseMasterKey(generateMasterKey());
const secret = Buffer.from(JSON.stringify({ STRIPE_API_KEY: "sk_live_123" }));

/** A copy of `buffer` with one bit flipped at `index` (negative counts from the end). */
function flipped(buffer: Buffer, index: number): Buffer {
  const copy = Buffer.from(buffer);
  const at = index < 0 ? copy.length + index : index;
  copy[at] ^= 0x01;
  return copy;
}

describe("envelope encryption of stored records", () => {
  test("a sealed record opens to the same bytes with the same key and context", () => {
    const sealed = seal(master, secret, "tenant_environments:42");
    assert.deepEqual(open(master, sealed, "tenant_environments:42"), secret);
  });

  test("nothing of the plaintext is visible in what is stored", () => {
    const sealed = seal(master, secret, "tenant_environments:42");
    const stored = Buffer.concat([sealed.wrappedKey, sealed.ciphertext]).toString("latin1");
    assert.ok(!stored.includes("sk_live_123"));
    assert.ok(!stored.includes("STRIPE_API_KEY"));
  });

  test("each seal uses a fresh data key and nonce: sealing twice gives different bytes", () => {
    const a = seal(master, secret, "tenant_environments:42");
    const b = seal(master, secret, "tenant_environments:42");
    assert.notDeepEqual(a.wrappedKey, b.wrappedKey);
    assert.notDeepEqual(a.ciphertext, b.ciphertext);
  });

  test("the wrong master key is refused, naming both key fingerprints and never the key", () => {
    const sealed = seal(master, secret, "tenant_environments:42");
    assert.throws(
      () => open(other, sealed, "tenant_environments:42"),
      (error: Error) =>
        error instanceof SealError &&
        error.message.includes(master.id) &&
        error.message.includes(other.id) &&
        !error.message.includes(other.key.toString("base64")),
    );
  });

  test("a wrong key that claims the right fingerprint still fails authentication", () => {
    const sealed = seal(master, secret, "tenant_environments:42");
    const impostor = { key: other.key, id: master.id };
    assert.throws(() => open(impostor, sealed, "tenant_environments:42"), /failed authentication/);
  });

  for (const [part, index] of [
    ["nonce of the payload", 1],
    ["ciphertext of the payload", 20],
    ["tag of the payload", -1],
  ] as const) {
    test(`a flipped bit in the ${part} is detected`, () => {
      const sealed = seal(master, secret, "tenant_environments:42");
      const tampered: SealedRecord = { ...sealed, ciphertext: flipped(sealed.ciphertext, index) };
      assert.throws(() => open(master, tampered, "tenant_environments:42"), /payload failed authentication/);
    });
  }

  test("a flipped bit in the wrapped data key is detected", () => {
    const sealed = seal(master, secret, "tenant_environments:42");
    assert.throws(
      () => open(master, { ...sealed, wrappedKey: flipped(sealed.wrappedKey, 15) }, "tenant_environments:42"),
      /wrapped data key failed/,
    );
  });

  test("a truncated or unknown-version record is refused", () => {
    const sealed = seal(master, secret, "c");
    assert.throws(() => open(master, { ...sealed, ciphertext: sealed.ciphertext.subarray(0, 10) }, "c"), /truncated/);
    const versioned = Buffer.from(sealed.ciphertext);
    versioned[0] = 9;
    assert.throws(() => open(master, { ...sealed, ciphertext: versioned }, "c"), /unknown format version 9/);
  });

  test("a record copied onto another row does not open there (the context is authenticated)", () => {
    const sealed = seal(master, secret, "tenant_environments:42");
    assert.throws(() => open(master, sealed, "tenant_environments:43"), /failed authentication/);
  });

  test("swapping the data key of one record into another is detected", () => {
    const a = seal(master, secret, "tenant_environments:42");
    const b = seal(master, Buffer.from("other"), "tenant_environments:42");
    assert.throws(() => open(master, { ...a, wrappedKey: b.wrappedKey }, "tenant_environments:42"), /payload failed authentication/);
  });
});

describe("the master key", () => {
  test("is 32 bytes of base64; anything else is refused without echoing it", () => {
    const short = Buffer.alloc(16, 7).toString("base64");
    assert.throws(
      () => parseMasterKey(short),
      (error: Error) => /32 bytes/.test(error.message) && !error.message.includes(short),
    );
    assert.throws(
      () => parseMasterKey("not base64 at all!"),
      (error: Error) => /not base64/.test(error.message) && !error.message.includes("at all"),
    );
  });

  test("its fingerprint is stable, differs between keys, and is not the key", () => {
    const encoded = generateMasterKey();
    assert.equal(parseMasterKey(encoded).id, parseMasterKey(` ${encoded}\n`).id);
    assert.notEqual(master.id, other.id);
    assert.match(keyFingerprint(master.key), /^[0-9a-f]{16}$/);
    assert.ok(!master.key.toString("hex").includes(master.id));
  });
});
