import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HarborApiError } from "../registry/harbor-api";
import { harborImmutableTagRule, type ImmutableTagRuleArgs } from "../registry/harbor-immutable-tag-rule";
import { harborProject, type ProjectArgs } from "../registry/harbor-project";
import { harborRetentionPolicy, type RetentionPolicyArgs } from "../registry/harbor-retention";
import { withHarbor } from "./harbor-test-kit";

const gib = 2 ** 30;
const tenants: ProjectArgs = {
  name: "tenants",
  public: false,
  vulnerabilityScanning: true,
  deploymentSecurity: "critical",
  storageQuotaBytes: 20 * gib,
  cveAllowlist: [],
};

describe("Harbor project", () => {
  test("create: a private project with scan-on-push, prevent-vulnerable and a quota, metadata as Harbor's strings", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborProject.create(harbor, tenants);
      const project = fake.projects.get(Number(id));
      assert.deepEqual(project?.metadata, {
        public: "false",
        auto_scan: "true",
        prevent_vul: "true",
        severity: "critical",
        reuse_sys_cve_allowlist: "false",
      });
      assert.equal([...fake.quotas.values()].find((q) => q.projectId === Number(id))?.hard.storage, 20 * gib);
      assert.deepEqual(await harborProject.read(harbor, id, state), state);
    });
  });

  test("adopts a project that already exists by name instead of failing, and converges it", async () => {
    await withHarbor(async (fake, harbor) => {
      const existing = fake.addProject("tenants", { public: "true", auto_scan: "false" }, 5 * gib);
      const { id } = await harborProject.create(harbor, tenants);
      assert.equal(id, String(existing.project_id));
      assert.equal(fake.requestsTo("POST", /\/projects$/).length, 0);
      assert.equal(existing.metadata.public, "false");
      assert.equal(existing.metadata.auto_scan, "true");
      assert.equal([...fake.quotas.values()].find((q) => q.projectId === existing.project_id)?.hard.storage, 20 * gib);
    });
  });

  test("adopts when the create races another (409 after a lookup that found nothing)", async () => {
    await withHarbor(async (fake, harbor) => {
      const existing = fake.addProject("tenants");
      fake.fail({ method: "GET", path: /\/projects\/tenants$/, status: 404, message: "project tenants not found" });
      const { id } = await harborProject.create(harbor, tenants);
      assert.equal(id, String(existing.project_id));
      assert.equal(fake.projects.size, 1);
    });
  });

  test("update: deployment security, quota and the CVE allowlist change in place; the quota goes through /quotas", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborProject.create(harbor, tenants);
      const wanted = { ...tenants, deploymentSecurity: "high" as const, storageQuotaBytes: 50 * gib, cveAllowlist: ["CVE-2024-3094"] };
      assert.deepEqual(harborProject.diff(state, wanted), { changes: true, replaces: [] });
      await harborProject.update(harbor, id, state, wanted, harbor.connection);
      assert.equal(fake.requestsTo("PUT", /\/quotas\/\d+$/).length, 1);
      const read = await harborProject.read(harbor, id, state);
      assert.deepEqual(read && { ...read, projectId: undefined }, { ...wanted, projectId: undefined });
    });
  });

  test("drift: a setting changed in Harbor's UI shows up on read, diffs, and update puts it back", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborProject.create(harbor, tenants);
      const project = fake.projects.get(Number(id));
      assert.ok(project);
      project.metadata.auto_scan = "false";
      project.metadata.prevent_vul = "false";
      const drifted = await harborProject.read(harbor, id, state);
      assert.ok(drifted);
      assert.equal(drifted.vulnerabilityScanning, false);
      assert.equal(drifted.deploymentSecurity, null);
      assert.equal(harborProject.diff(drifted, tenants).changes, true);
      await harborProject.update(harbor, id, drifted, tenants, harbor.connection);
      assert.deepEqual(await harborProject.read(harbor, id, state), state);
    });
  });

  test("a new name replaces the project; other changes never do", () => {
    const state = { ...tenants, projectId: 1 };
    assert.deepEqual(harborProject.diff(state, { ...tenants, name: "apps" }).replaces, ["name"]);
    assert.deepEqual(harborProject.diff(state, { ...tenants, public: true }).replaces, []);
    assert.deepEqual(harborProject.diff(state, tenants), { changes: false, replaces: [] });
  });

  test("delete: an empty project is deleted; one holding images is refused with Harbor's reason; a gone one is fine", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborProject.create(harbor, tenants);
      const project = fake.projects.get(Number(id));
      assert.ok(project);
      project.repo_count = 3;
      await assert.rejects(harborProject.remove(harbor, id, state), (error: HarborApiError) => {
        assert.equal(error.status, 412);
        assert.match(error.message, /the project contains repositories, can not be deleted/);
        return true;
      });
      assert.ok(fake.projects.has(Number(id)));
      project.repo_count = 0;
      await harborProject.remove(harbor, id, state);
      assert.equal(fake.projects.size, 0);
      await harborProject.remove(harbor, id, state);
      assert.equal(await harborProject.read(harbor, id, state), undefined);
    });
  });

  test("validation names the argument and Harbor's rule", () => {
    const problems = harborProject.validate({ ...tenants, name: "Tenants", storageQuotaBytes: 0, cveAllowlist: ["log4shell"] });
    assert.deepEqual(
      problems.map((p) => p.field),
      ["name", "storageQuotaBytes", "cveAllowlist"],
    );
  });
});

const retention = (projectId: number, patch: Partial<RetentionPolicyArgs> = {}): RetentionPolicyArgs => ({
  projectId,
  schedule: "0 0 2 * * *",
  rules: [
    { retain: { mostRecentlyPushed: 2 }, repositories: "**", tags: "**", untaggedArtifacts: false },
    { retain: { pushedWithinDays: 180 }, repositories: "**", tags: "**", untaggedArtifacts: false },
  ],
  ...patch,
});

describe("Harbor retention policy", () => {
  test("create: rules as Harbor templates, untagged artifacts excluded, a daily schedule, bound to the project", async () => {
    await withHarbor(async (fake, harbor) => {
      const project = fake.addProject("tenants");
      const { id, state } = await harborRetentionPolicy.create(harbor, retention(project.project_id));
      assert.equal(project.metadata.retention_id, id);
      const policy = fake.retentions.get(Number(id))?.policy as {
        rules: { template: string; params: unknown; tag_selectors: { extras: string }[] }[];
      };
      assert.deepEqual(
        policy.rules.map((r) => [r.template, r.params, r.tag_selectors[0].extras]),
        [
          ["latestPushedK", { latestPushedK: 2 }, '{"untagged":false}'],
          ["nDaysSinceLastPush", { nDaysSinceLastPush: 180 }, '{"untagged":false}'],
        ],
      );
      assert.deepEqual(await harborRetentionPolicy.read(harbor, id, state), state);
    });
  });

  test("adopts the policy already bound to the project instead of failing on Harbor's one-policy rule", async () => {
    await withHarbor(async (fake, harbor) => {
      const project = fake.addProject("tenants");
      const first = await harborRetentionPolicy.create(harbor, retention(project.project_id, { schedule: "0 0 5 * * *" }));
      const second = await harborRetentionPolicy.create(harbor, retention(project.project_id));
      assert.equal(second.id, first.id);
      assert.equal(fake.retentions.size, 1);
      assert.equal((fake.retentions.get(Number(first.id))?.policy.trigger as { settings: { cron: string } }).settings.cron, "0 0 2 * * *");
    });
  });

  test("drift: a rule edited in Harbor diffs against the args and update restores it", async () => {
    await withHarbor(async (fake, harbor) => {
      const project = fake.addProject("tenants");
      const args = retention(project.project_id);
      const { id, state } = await harborRetentionPolicy.create(harbor, args);
      const stored = fake.retentions.get(Number(id))?.policy as { rules: { params: Record<string, number> }[] };
      stored.rules[0].params = { latestPushedK: 10 };
      const drifted = await harborRetentionPolicy.read(harbor, id, state);
      assert.ok(drifted);
      assert.deepEqual(harborRetentionPolicy.diff(drifted, args), { changes: true, replaces: [] });
      await harborRetentionPolicy.update(harbor, id, drifted, args, harbor.connection);
      assert.deepEqual(await harborRetentionPolicy.read(harbor, id, state), state);
    });
  });

  test("moving the policy to another project replaces it", () => {
    const state = { ...retention(1), policyId: 7 };
    assert.deepEqual(harborRetentionPolicy.diff(state, retention(2)).replaces, ["projectId"]);
  });

  test("delete unbinds it from the project; reading it afterwards finds nothing", async () => {
    await withHarbor(async (fake, harbor) => {
      const project = fake.addProject("tenants");
      const { id, state } = await harborRetentionPolicy.create(harbor, retention(project.project_id));
      await harborRetentionPolicy.remove(harbor, id, state);
      assert.equal(project.metadata.retention_id, undefined);
      assert.equal(await harborRetentionPolicy.read(harbor, id, state), undefined);
    });
  });

  test("Harbor's refusal is surfaced: a policy for a project that does not exist", async () => {
    await withHarbor(async (_fake, harbor) => {
      await assert.rejects(harborRetentionPolicy.create(harbor, retention(99)), /404 NOT_FOUND: project 99 not found/);
    });
  });

  test("validation: rule count, positive counts, 6-field cron, no duplicate rules", () => {
    const rule = { retain: { mostRecentlyPushed: 0 }, repositories: "**", tags: "**", untaggedArtifacts: false };
    const fields = harborRetentionPolicy.validate({ projectId: 1, schedule: "0 2 * * *", rules: [rule, rule] }).map((p) => p.field);
    assert.deepEqual(fields, ["schedule", "rules[0].retain.mostRecentlyPushed", "rules[1].retain.mostRecentlyPushed", "rules"]);
  });
});

const hashTags = (projectId: number, disabled = false): ImmutableTagRuleArgs => ({
  projectId,
  repositoryPattern: "**",
  tagPattern: "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]*",
  disabled,
});

describe("Harbor immutable tag rule", () => {
  test("create, read, toggle in place, delete", async () => {
    await withHarbor(async (fake, harbor) => {
      const project = fake.addProject("tenants");
      const { id, state } = await harborImmutableTagRule.create(harbor, hashTags(project.project_id, true));
      assert.deepEqual(await harborImmutableTagRule.read(harbor, id, state), state);
      const enforced = hashTags(project.project_id, false);
      assert.deepEqual(harborImmutableTagRule.diff(state, enforced), { changes: true, replaces: [] });
      await harborImmutableTagRule.update(harbor, id, state, enforced, harbor.connection);
      assert.equal(fake.immutableRules.get(Number(id))?.rule.disabled, false);
      await harborImmutableTagRule.remove(harbor, id, state);
      assert.equal(await harborImmutableTagRule.read(harbor, id, state), undefined);
    });
  });

  test("adopts a rule with the same selectors rather than creating a duplicate Harbor would refuse", async () => {
    await withHarbor(async (fake, harbor) => {
      const project = fake.addProject("tenants");
      const first = await harborImmutableTagRule.create(harbor, hashTags(project.project_id));
      const second = await harborImmutableTagRule.create(harbor, hashTags(project.project_id, true));
      assert.equal(second.id, first.id);
      assert.equal(fake.immutableRules.size, 1);
      assert.equal(fake.immutableRules.get(Number(first.id))?.rule.disabled, true);
    });
  });

  test("drift: a rule deleted in Harbor reads as gone, so the next up recreates it", async () => {
    await withHarbor(async (fake, harbor) => {
      const project = fake.addProject("tenants");
      const { id, state } = await harborImmutableTagRule.create(harbor, hashTags(project.project_id));
      fake.immutableRules.clear();
      assert.equal(await harborImmutableTagRule.read(harbor, id, state), undefined);
    });
  });
});
