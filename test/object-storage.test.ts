import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as digitalocean from "@pulumi/digitalocean";
import { ObjectStorageBucket, type ObjectStorageBucketArgs } from "../components/object-storage";
import { outputIsSecret, runComponents, valueOf } from "./harness";

const build = (patch: Partial<ObjectStorageBucketArgs> = {}) =>
  runComponents(
    () =>
      new ObjectStorageBucket(
        "registry",
        { region: "nyc3", namePrefix: "loco-test-registry", protect: true, ...patch },
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

  test("an expiry becomes a lifecycle rule; none by default", async () => {
    assert.equal((await build()).one("digitalocean:index/spacesBucket:SpacesBucket").inputs.lifecycleRules, undefined);
    const rules = (await build({ expireAfterDays: 30 })).one("digitalocean:index/spacesBucket:SpacesBucket").inputs.lifecycleRules;
    assert.deepEqual(rules, [{ enabled: true, expiration: { days: 30 } }]);
  });
});
