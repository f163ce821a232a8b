import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { GeneratedSecret, type RotationPolicy } from "../components/secrets";
import { outputIsSecret, runComponents, valueOf } from "./harness";

const build = (rotation: RotationPolicy, length?: number) => runComponents(() => new GeneratedSecret("api-key", { rotation, length }));

describe("GeneratedSecret", () => {
  test("its value is a secret of the requested length", async () => {
    const registered = await build({ maxAgeDays: 30, counter: 0 }, 24);
    assert.equal(await outputIsSecret(registered.result.value), true);
    assert.equal(registered.one("random:index/randomPassword:RandomPassword").inputs.length, 24);
  });

  test("age-based rotation: the password's keeper is the age's base time, and the age lasts maxAgeDays", async () => {
    const registered = await build({ maxAgeDays: 45, counter: 0 });
    const age = registered.one("time:index/rotating:Rotating");
    assert.equal(age.inputs.rotationDays, 45);
    const keepers = registered.one("random:index/randomPassword:RandomPassword").inputs.keepers as { rotation: string };
    assert.match(keepers.rotation, /^2026-01-01T00:00:00Z#0$/);
    assert.ok(registered.waitsFor(registered.one("random:index/randomPassword:RandomPassword"), age));
  });

  test("manual rotation: bumping the counter changes the keepers (Pulumi replaces the password)", async () => {
    const keepers = async (counter: number) =>
      (await build({ maxAgeDays: 30, counter })).one("random:index/randomPassword:RandomPassword").inputs.keepers;
    assert.notDeepEqual(await keepers(1), await keepers(0));
  });

  test("changing maxAgeDays re-times rotation without rotating now", async () => {
    const keepers = async (maxAgeDays: number) =>
      (await build({ maxAgeDays, counter: 0 })).one("random:index/randomPassword:RandomPassword").inputs.keepers;
    assert.deepEqual(await keepers(90), await keepers(30));
  });

  for (const [policy, length, message] of [
    [{ maxAgeDays: 0, counter: 0 }, 32, /maxAgeDays must be an integer from 1 to 365, got 0/],
    [{ maxAgeDays: 30, counter: -1 }, 32, /counter must be a non-negative integer/],
    [{ maxAgeDays: 30, counter: 0 }, 8, /length must be an integer from 16 to 128, got 8/],
  ] as const) {
    test(`rejects ${message.source.split(" ")[0]} out of range`, async () => {
      await assert.rejects(build(policy, length), message);
    });
  }
});

describe("GeneratedSecret that never rotates", () => {
  const buildNever = () => runComponents(() => new GeneratedSecret("encryption-key", { rotation: "never", length: 16 }));

  test("has no age and no keepers, so no refresh or counter ever replaces it", async () => {
    const registered = await buildNever();
    assert.deepEqual(registered.ofType("time:index/rotating:Rotating"), []);
    assert.equal(registered.one("random:index/randomPassword:RandomPassword").inputs.keepers, undefined);
    assert.equal(await valueOf(registered.result.rotationDueAt), "never");
    assert.equal(await valueOf(registered.result.generatedAt), "2026-01-01T00:00:00Z");
  });
});

describe("GeneratedSecret for a consumer with a password policy", () => {
  test("requires each character class, and exposes a secret bcrypt hash", async () => {
    const registered = await runComponents(
      () => new GeneratedSecret("admin", { rotation: { maxAgeDays: 30, counter: 0 }, requireEachClass: true }),
    );
    const password = registered.one("random:index/randomPassword:RandomPassword").inputs;
    assert.deepEqual([password.minUpper, password.minLower, password.minNumeric, password.minSpecial], [1, 1, 1, undefined]);
    assert.equal(await outputIsSecret(registered.result.bcryptHash), true);
  });

  test("without it, the password's inputs are exactly what they were (no replacement of existing secrets)", async () => {
    const registered = await build({ maxAgeDays: 30, counter: 0 });
    const password = registered.one("random:index/randomPassword:RandomPassword").inputs;
    assert.deepEqual(Object.keys(password).sort(), ["keepers", "length", "special"]);
  });
});
