import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { harborGarbageCollection, type GarbageCollectionArgs } from "../registry/harbor-garbage-collection";
import { harborVulnerabilityScanning } from "../registry/harbor-vulnerability-scanning";
import { withHarbor } from "./harbor-test-kit";

const gc: GarbageCollectionArgs = { schedule: "0 0 4 * * *", deleteUntagged: true, workers: 1 };

describe("Harbor garbage collection schedule", () => {
  test("create: a custom cron, deleting untagged artifacts, with the parameters Harbor's handler requires", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborGarbageCollection.create(harbor, gc);
      assert.deepEqual(fake.gcSchedule, {
        type: "Custom",
        cron: "0 0 4 * * *",
        parameters: { delete_untagged: true, workers: 1, dry_run: false },
      });
      assert.deepEqual(await harborGarbageCollection.read(harbor, id, state), gc);
    });
  });

  test("adopts whatever schedule Harbor has (there is always exactly one) by replacing it", async () => {
    await withHarbor(async (fake, harbor) => {
      fake.gcSchedule = { type: "Weekly", cron: "0 0 0 * * 6", parameters: { delete_untagged: false } };
      await harborGarbageCollection.create(harbor, gc);
      assert.equal(fake.gcSchedule.cron, "0 0 4 * * *");
    });
  });

  test("drift: a schedule removed in Harbor reads as gone; one changed diffs and is restored", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborGarbageCollection.create(harbor, gc);
      fake.gcSchedule = { type: "Custom", cron: "0 0 1 * * *", parameters: { delete_untagged: false, workers: 1 } };
      const drifted = await harborGarbageCollection.read(harbor, id, state);
      assert.ok(drifted);
      assert.deepEqual(harborGarbageCollection.diff(drifted, gc), { changes: true, replaces: [] });
      await harborGarbageCollection.update(harbor, id, drifted, gc, harbor.connection);
      assert.deepEqual(await harborGarbageCollection.read(harbor, id, state), gc);
      fake.gcSchedule = undefined;
      assert.equal(await harborGarbageCollection.read(harbor, id, state), undefined);
    });
  });

  test("delete sets the schedule to None", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborGarbageCollection.create(harbor, gc);
      await harborGarbageCollection.remove(harbor, id, state);
      assert.equal(fake.gcSchedule, undefined);
    });
  });

  test("validation: Harbor's 6-field cron and its 1 to 5 workers", () => {
    assert.deepEqual(
      harborGarbageCollection.validate({ schedule: "0 4 * * *", deleteUntagged: true, workers: 9 }).map((p) => p.field),
      ["schedule", "workers"],
    );
  });
});

describe("Harbor vulnerability scanning", () => {
  const scanning = { defaultScanner: "Trivy", scanAllSchedule: "0 0 3 * * *" };

  test("create makes the chart's Trivy registration the default and schedules the daily rescan", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborVulnerabilityScanning.create(harbor, scanning);
      assert.equal(fake.scanners[0].is_default, true);
      assert.deepEqual(fake.scanAllSchedule, { type: "Custom", cron: "0 0 3 * * *" });
      assert.deepEqual(await harborVulnerabilityScanning.read(harbor, id, state), scanning);
    });
  });

  test("a scanner that is not registered fails with the registrations Harbor has", async () => {
    await withHarbor(async (_fake, harbor) => {
      await assert.rejects(
        harborVulnerabilityScanning.create(harbor, { ...scanning, defaultScanner: "Clair" }),
        /no scanner registration named "Clair" \(registered: Trivy\)/,
      );
    });
  });

  test("drift: a removed rescan schedule diffs and is restored; delete removes it and keeps the scanner", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborVulnerabilityScanning.create(harbor, scanning);
      fake.scanAllSchedule = undefined;
      const drifted = await harborVulnerabilityScanning.read(harbor, id, state);
      assert.ok(drifted);
      assert.equal(drifted.scanAllSchedule, "(None)");
      assert.equal(harborVulnerabilityScanning.diff(drifted, scanning).changes, true);
      await harborVulnerabilityScanning.update(harbor, id, drifted, scanning, harbor.connection);
      // Read through a cast: the assignment above narrowed the field's type to undefined.
      assert.equal((fake.scanAllSchedule as { cron: string } | undefined)?.cron, "0 0 3 * * *");
      await harborVulnerabilityScanning.remove(harbor, id, state);
      assert.equal(fake.scanAllSchedule, undefined);
      assert.equal(fake.scanners[0].is_default, true);
    });
  });
});
