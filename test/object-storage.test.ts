import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as digitalocean from "@pulumi/digitalocean";
import { ObjectStorageBucket, type ObjectStorageBucketArgs } from "../components/object-storage";
import type { TwoSlotState } from "../components/two-slot-rotation";
import { outputIsSecret, runComponents, valueOf } from "./harness";

const firstIssue: TwoSlotState = { active: "a", counter: 0, slots: { a: { generation: 0, issuedAt: "2026-01-01T00:00:00Z" } } };

const build = (patch: Partial<ObjectStorageBucketArgs> = {}) =>
  runComponents(
    () =>
      new ObjectStorageBucket(
        "registry",
        { region: "nyc3", namePrefix: "loco-test-registry", protect: true, keySlots: firstIssue, ...patch },
        { providers: [new digitalocean.Provider("do", { token: "t" })] },
      ),
  );

describe("ObjectStorageBucket", () => {
  test("a private, protected bucket that refuses to be destroyed while it holds objects", async () => {
    const bucket = (await build()).one("digitalocean:index/spacesBucket:SpacesBucket");
    assert.equal(bucket.inputs.acl, "private");
    assert.equal(bucket.inputs.forceDestroy, false);
    assert.equal(bucket.protect, true);
    assert.match(String(bucket.inputs.name), /^loco-test-registry-[a-z0-9]{6}$/);
  });

  test("its key can read and write that bucket and nothing else", async () => {
    const registered = await build();
    const key = registered.one("digitalocean:index/spacesKey:SpacesKey");
    const bucket = registered.one("digitalocean:index/spacesBucket:SpacesBucket");
    assert.deepEqual(key.inputs.grants, [{ bucket: bucket.inputs.name, permission: "readwrite" }]);
    assert.ok(registered.waitsFor(key, bucket));
  });

  test("access details are one secret object with an S3 endpoint", async () => {
    const storage = (await build()).result;
    assert.equal(await outputIsSecret(storage.access), true);
    const access = await valueOf(storage.access);
    assert.equal(access.endpoint, "https://nyc3.digitaloceanspaces.com");
    assert.ok(access.accessKeyId && access.secretAccessKey);
  });

  test("a key per existing slot, named by its generation; consumers get the active slot's key", async () => {
    const keySlots: TwoSlotState = {
      active: "b",
      counter: 1,
      slots: { a: { generation: 0, issuedAt: "2026-01-01T00:00:00Z" }, b: { generation: 1, issuedAt: "2026-01-31T00:00:00Z" } },
      overlapUntil: "2026-02-02T00:00:00Z",
    };
    const registered = await build({ keySlots });
    const keys = registered.ofType("digitalocean:index/spacesKey:SpacesKey");
    assert.deepEqual(keys.map((k) => k.name).sort(), ["registry-key-a", "registry-key-b"]);
    const bucketName = String(registered.one("digitalocean:index/spacesBucket:SpacesBucket").inputs.name);
    assert.deepEqual(keys.map((k) => String(k.inputs.name)).sort(), [`${bucketName}-rw-g0`, `${bucketName}-rw-g1`]);
    // The mocks derive a key's id from its resource name (plan/cloud-placeholders.ts): the active one is slot b's.
    const access = await valueOf(registered.result.access);
    const alone = await valueOf((await build()).result.access);
    assert.notEqual(access.accessKeyId, alone.accessKeyId, "slot b's key, not slot a's");
    assert.equal(registered.result.keyGeneration, 1);
  });

  test("an expiry becomes a lifecycle rule; none by default", async () => {
    assert.equal((await build()).one("digitalocean:index/spacesBucket:SpacesBucket").inputs.lifecycleRules, undefined);
    const rules = (await build({ expireAfterDays: 30 })).one("digitalocean:index/spacesBucket:SpacesBucket").inputs.lifecycleRules;
    assert.deepEqual(rules, [{ enabled: true, expiration: { days: 30 } }]);
  });
});
