import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { HarborClient } from "../registry/harbor-api";
import { harborAdminPassword } from "../registry/harbor-admin-password";
import { session } from "../registry/harbor-object";
import { harborRobotAccount, isExpired, type RobotAccountArgs } from "../registry/harbor-robot-account";
import { adminPassword, fastRetry, withHarbor } from "./harbor-test-kit";

const builder: RobotAccountArgs = {
  name: "builder-0a1b2c3d",
  description: "pushes tenant images",
  level: "project",
  durationDays: 60,
  disabled: false,
  permissions: [
    {
      kind: "project",
      namespace: "tenants",
      access: [
        { resource: "repository", action: "push" },
        { resource: "repository", action: "pull" },
      ],
    },
  ],
};

describe("Harbor robot account", () => {
  test("create: a project robot limited to one project, its secret returned once, expiring after its duration", async () => {
    await withHarbor(async (fake, harbor) => {
      fake.addProject("tenants");
      const { id, state } = await harborRobotAccount.create(harbor, builder);
      const robot = fake.robots.get(Number(id));
      assert.equal(state.fullName, "robot$tenants+builder-0a1b2c3d");
      assert.equal(state.secret, robot?.secret);
      assert.equal(state.expiresAt, fake.now + 60 * 86_400);
      const body = fake.requestsTo("POST", /\/robots$/)[0].body as {
        level: string;
        permissions: { namespace: string; access: unknown[] }[];
      };
      assert.equal(body.level, "project");
      assert.deepEqual(body.permissions[0].access, [
        { resource: "repository", action: "pull", effect: "allow" },
        { resource: "repository", action: "push", effect: "allow" },
      ]);
      assert.deepEqual(await harborRobotAccount.read(harbor, id, state), state);
    });
  });

  test("adopts a robot that exists under the same name: converges it and refreshes its secret (the old one is unknowable)", async () => {
    await withHarbor(async (fake, harbor) => {
      fake.addProject("tenants");
      const first = await harborRobotAccount.create(harbor, { ...builder, description: "old" });
      const again = await harborRobotAccount.create(harbor, builder);
      assert.equal(again.id, first.id);
      assert.equal(fake.robots.size, 1);
      assert.notEqual(again.state.secret, first.state.secret);
      assert.equal(fake.robots.get(Number(again.id))?.secret, again.state.secret);
      assert.equal(fake.robots.get(Number(again.id))?.description, "pushes tenant images");
      assert.deepEqual(fake.requestsTo("PATCH", /\/robots\/\d+$/)[0].body, { secret: "" });
    });
  });

  test("update: narrowing permissions to pull only happens in place, keeping id and secret", async () => {
    await withHarbor(async (fake, harbor) => {
      fake.addProject("tenants");
      const { id, state } = await harborRobotAccount.create(harbor, builder);
      const pullOnly = { ...builder, permissions: [{ ...builder.permissions[0], access: [{ resource: "repository", action: "pull" }] }] };
      assert.deepEqual(harborRobotAccount.diff(state, pullOnly), { changes: true, replaces: [] });
      const updated = await harborRobotAccount.update(harbor, id, state, pullOnly, harbor.connection);
      assert.equal(updated.secret, state.secret);
      assert.deepEqual(updated.permissions[0].access, [{ resource: "repository", action: "pull" }]);
      assert.equal((fake.requestsTo("PUT", /\/robots\/\d+$/)[0].body as { name: string }).name, "robot$tenants+builder-0a1b2c3d");
    });
  });

  test("drift: a robot disabled in Harbor's UI diffs and is re-enabled by update", async () => {
    await withHarbor(async (fake, harbor) => {
      fake.addProject("tenants");
      const { id, state } = await harborRobotAccount.create(harbor, builder);
      const robot = fake.robots.get(Number(id));
      assert.ok(robot);
      robot.disable = true;
      const drifted = await harborRobotAccount.read(harbor, id, state);
      assert.ok(drifted);
      assert.equal(harborRobotAccount.diff(drifted, builder).changes, true);
      await harborRobotAccount.update(harbor, id, drifted, builder, harbor.connection);
      assert.equal(robot.disable, false);
    });
  });

  test("replaced, not updated, when Harbor cannot change it: name, level, project, or past its expiry", () => {
    const state = {
      ...builder,
      permissions: builder.permissions.map((p) => ({ ...p, access: [...p.access].reverse() })),
      robotId: 1,
      fullName: "robot$tenants+builder-0a1b2c3d",
      secret: "s",
      expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    };
    assert.deepEqual(harborRobotAccount.diff(state, builder), { changes: false, replaces: [] }, "access order is not a change");
    assert.deepEqual(harborRobotAccount.diff(state, { ...builder, name: "builder-ffff0000" }).replaces, ["name"]);
    const otherProject = { ...builder, permissions: [{ ...builder.permissions[0], namespace: "other" }] };
    assert.deepEqual(harborRobotAccount.diff(state, otherProject).replaces, ["permissions"]);
    assert.deepEqual(harborRobotAccount.diff({ ...state, expiresAt: 1 }, builder).replaces, ["expiresAt"]);
    assert.equal(isExpired(-1, Date.now()), false);
  });

  test("delete removes it; a robot already gone is fine and reads as gone", async () => {
    await withHarbor(async (fake, harbor) => {
      fake.addProject("tenants");
      const { id, state } = await harborRobotAccount.create(harbor, builder);
      await harborRobotAccount.remove(harbor, id, state);
      assert.equal(fake.robots.size, 0);
      await harborRobotAccount.remove(harbor, id, state);
      assert.equal(await harborRobotAccount.read(harbor, id, state), undefined);
    });
  });

  test("Harbor's refusal is surfaced, and the error never carries a secret", async () => {
    await withHarbor(async (fake, harbor) => {
      fake.addProject("tenants");
      const { state } = await harborRobotAccount.create(harbor, builder);
      fake.fail({ method: "GET", path: /\/projects\/tenants$/, status: 403, message: "forbidden for this user" });
      const error = await harborRobotAccount.create(harbor, { ...builder, name: "cluster-pull" }).catch((e: Error) => e);
      assert.ok(error instanceof Error);
      assert.match(error.message, /403 FAULT: forbidden for this user/);
      assert.ok(!error.message.includes(state.secret) && !error.message.includes(adminPassword));
    });
  });

  test("validation: Harbor's name rule, duration, one project permission for a project robot", () => {
    const fields = harborRobotAccount
      .validate({ ...builder, name: "Builder+1", durationDays: 0, permissions: [...builder.permissions, ...builder.permissions] })
      .map((p) => p.field);
    assert.deepEqual(fields, ["name", "durationDays", "permissions"]);
  });
});

describe("Harbor admin password", () => {
  const rotated = "Rotated4Harbor";

  test("create verifies Harbor accepts the password and that the account is a system administrator", async () => {
    await withHarbor(async (_fake, harbor) => {
      const { id, state } = await harborAdminPassword.create(harbor, { password: adminPassword });
      assert.equal(id, "1");
      assert.equal(state.userId, 1);
    });
  });

  test("rotation changes the password in Harbor with the old one, and only the new one works afterwards", async () => {
    await withHarbor(async (fake, harbor) => {
      const { id, state } = await harborAdminPassword.create(harbor, { password: adminPassword });
      assert.deepEqual(harborAdminPassword.diff(state, { password: rotated }), { changes: true, replaces: [] });
      const next = session({ ...harbor.connection, password: rotated }, fastRetry);
      await harborAdminPassword.update(next, id, state, { password: rotated }, harbor.connection);
      assert.deepEqual(fake.requestsTo("PUT", /\/users\/1\/password$/)[0].body, { old_password: adminPassword, new_password: rotated });
      assert.equal(fake.adminPassword, rotated);
      await assert.rejects(harbor.client.request("GET", "/users/current"), /401/);
      const fresh = new HarborClient({ ...harbor.connection, password: rotated }, fastRetry);
      assert.equal((await fresh.request<{ username: string }>("GET", "/users/current")).body.username, "admin");
    });
  });

  test("a password Harbor does not have fails with what to do about it", async () => {
    await withHarbor(async (fake) => {
      const wrong = session({ url: fake.url, username: "admin", password: "NotHarbors1" }, fastRetry);
      await assert.rejects(
        harborAdminPassword.create(wrong, { password: "NotHarbors1" }),
        /keeps the admin password its database was first initialised with/,
      );
    });
  });

  test("Harbor's password policy is checked before any request", () => {
    assert.deepEqual(
      harborAdminPassword.validate({ password: "alllowercase1" }).map((p) => p.field),
      ["password"],
    );
    assert.deepEqual(harborAdminPassword.validate({ password: rotated }), []);
  });
});
