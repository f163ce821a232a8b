/**
 * The stack's registry lifecycle settings reach Harbor: from `loco:registry` in a stack file, through the config
 * loader, the registry layer and TenantRegistry, to the inputs of the Harbor resources, and from those inputs (as
 * the engine hands them to the dynamic provider) to the requests a Harbor receives. Every expected value is
 * written out from the settings below, not computed by the code under test.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { harborProvider } from "../registry/dynamic-provider";
import { harborGarbageCollection } from "../registry/harbor-garbage-collection";
import { harborRetentionPolicy } from "../registry/harbor-retention";
import { adminPassword, fastRetry, withHarbor } from "./harbor-test-kit";
import { isSecret, runStack, type Registered } from "./harness";

/** Not the defaults (keep 2, 180 days, 02:00; GC 04:00 with 1 worker), so a setting that is dropped shows. */
const settings = {
  retention: { keepLatestPushed: 5, keepPushedWithinDays: 45, runAt: "01:15" },
  garbageCollection: { runAt: "03:40", workers: 3 },
};

const harborType = (type: string) => `pulumi-nodejs:dynamic/harbor:${type}`;

/** What the engine passes the provider at create: the recorded inputs, the connection pointing at the fake. */
function providerInputs(registered: Registered, type: string, url: string, patch: Record<string, unknown> = {}) {
  const inputs = registered.one(harborType(type)).inputs;
  assert.ok(isSecret(inputs.connection), `${type}: the connection is a secret input`);
  return { ...inputs, connection: { url, username: "admin", password: adminPassword }, ...patch };
}

describe("loco:registry lifecycle settings reach Harbor", () => {
  let stack: Promise<Registered> | undefined;
  const dev = () => (stack ??= runStack("dev", { "loco:registry": settings }));

  test("retention: the policy's inputs say keep 5, keep 45 days, daily at 01:15 UTC", async () => {
    const retention = (await dev()).one(harborType("RetentionPolicy")).inputs;
    assert.equal(retention.schedule, "0 15 1 * * *");
    assert.deepEqual(retention.rules, [
      { retain: { mostRecentlyPushed: 5 }, repositories: "**", tags: "**", untaggedArtifacts: false },
      { retain: { pushedWithinDays: 45 }, repositories: "**", tags: "**", untaggedArtifacts: false },
    ]);
  });

  test("retention: Harbor receives those rules and that schedule", async () => {
    const registered = await dev();
    await withHarbor(async (fake) => {
      const project = fake.addProject("tenants");
      const provider = harborProvider(harborRetentionPolicy, fastRetry);
      await provider.create(providerInputs(registered, "RetentionPolicy", fake.url, { projectId: project.project_id }));
      const selectors = (untagged: boolean) => ({
        tag_selectors: [{ kind: "doublestar", decoration: "matches", pattern: "**", extras: JSON.stringify({ untagged }) }],
        scope_selectors: { repository: [{ kind: "doublestar", decoration: "repoMatches", pattern: "**" }] },
      });
      assert.deepEqual(
        fake.requestsTo("POST", /\/retentions$/).map((r) => r.body),
        [
          {
            algorithm: "or",
            rules: [
              { disabled: false, action: "retain", template: "latestPushedK", params: { latestPushedK: 5 }, ...selectors(false) },
              {
                disabled: false,
                action: "retain",
                template: "nDaysSinceLastPush",
                params: { nDaysSinceLastPush: 45 },
                ...selectors(false),
              },
            ],
            trigger: { kind: "Schedule", settings: { cron: "0 15 1 * * *" }, references: {} },
            scope: { level: "project", ref: project.project_id },
          },
        ],
      );
    });
  });

  test("garbage collection: Harbor's schedule runs daily at 03:40 UTC with 3 workers, deleting untagged artifacts", async () => {
    const registered = await dev();
    await withHarbor(async (fake) => {
      await harborProvider(harborGarbageCollection, fastRetry).create(providerInputs(registered, "GarbageCollection", fake.url));
      assert.deepEqual(fake.gcSchedule, {
        type: "Custom",
        cron: "0 40 3 * * *",
        parameters: { delete_untagged: true, workers: 3, dry_run: false },
      });
    });
  });
});
