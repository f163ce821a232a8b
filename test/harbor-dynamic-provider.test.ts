import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { harborProvider, unknownValue } from "../registry/dynamic-provider";
import { harborProject, type ProjectArgs } from "../registry/harbor-project";
import { harborRobotAccount } from "../registry/harbor-robot-account";
import { adminPassword, fastRetry, withHarbor } from "./harbor-test-kit";
import { machinePathsIn } from "./machine-paths";

const tenants: ProjectArgs = {
  name: "tenants",
  public: false,
  vulnerabilityScanning: true,
  deploymentSecurity: "critical",
  storageQuotaBytes: 2 ** 30,
  cveAllowlist: [],
};
const connectionTo = (url: string, password = adminPassword) => ({ url, username: "admin", password });
const provider = harborProvider(harborProject, fastRetry);

describe("the dynamic provider wrapper", () => {
  test("check reports the object's problems and the connection's, by property", async () => {
    const result = await provider.check?.(
      {},
      { connection: { url: "registry", username: "admin", password: "" }, ...tenants, name: "Tenants" },
    );
    assert.deepEqual(result?.failures?.map((f) => f.property).sort(), ["connection.password", "connection.url", "name"]);
  });

  test("in a preview, unknown values are not judged (they are checked again at deploy)", async () => {
    const result = await provider.check?.(
      {},
      { connection: { url: "https://registry.example.com", username: "admin", password: unknownValue }, ...tenants, name: unknownValue },
    );
    assert.deepEqual(result?.failures, []);
  });

  test("diff: a rotated admin password is an in-place update; a renamed project a replacement", async () => {
    const olds = { connection: connectionTo("https://r.example.com"), ...tenants, projectId: 3, __provider: "code" };
    assert.deepEqual(
      await provider.diff?.("3", olds, { connection: connectionTo("https://r.example.com"), ...tenants, __provider: "code" }),
      {
        changes: false,
        replaces: [],
        deleteBeforeReplace: false,
      },
    );
    const rotated = await provider.diff?.("3", olds, { connection: connectionTo("https://r.example.com", "Rotated4Harbor"), ...tenants });
    assert.deepEqual(rotated, { changes: true, replaces: [], deleteBeforeReplace: false });
    const renamed = await provider.diff?.("3", olds, { connection: connectionTo("https://r.example.com"), ...tenants, name: "apps" });
    assert.deepEqual(renamed?.replaces, ["name"]);
  });

  test("create, read, update and delete map onto the object; outputs keep the connection for delete and refresh", async () => {
    await withHarbor(async (fake) => {
      const connection = connectionTo(fake.url);
      const created = await provider.create({ connection, ...tenants });
      assert.equal(created.outs.connection.url, fake.url);
      assert.equal(created.outs.projectId, Number(created.id));
      const read = await provider.read?.(created.id, created.outs);
      assert.deepEqual(read, { id: created.id, props: created.outs });
      const updated = await provider.update?.(created.id, created.outs, { connection, ...tenants, public: true });
      assert.equal(updated?.outs.public, true);
      await provider.delete?.(created.id, updated?.outs);
      assert.deepEqual(await provider.read?.(created.id, created.outs), {}, "a deleted object reads as gone (no id)");
    });
  });
});

describe("the serialized provider (what Pulumi stores in __provider and runs at deploy time)", () => {
  test("serializes without capturing any secret, and the deserialized code creates a robot against Harbor", async () => {
    // As pulumi.dynamic.Resource does it: a closure returning the provider object.
    const robotProvider = harborProvider(harborRobotAccount, fastRetry);
    const serialized = await pulumi.runtime.serializeFunction(() => robotProvider, { allowSecrets: false });
    assert.ok(!serialized.text.includes(adminPassword));
    assert.deepEqual(machinePathsIn(serialized.text), [], "no machine paths: the code must load anywhere");

    // Load it the way Pulumi's dynamic provider host does: a CommonJS module whose handler returns the provider.
    const module = { exports: {} as Record<string, () => ReturnType<typeof harborProvider>> };
    new Function("exports", "require", "module", serialized.text)(module.exports, require, module);
    const deserialized = module.exports[serialized.exportName]();

    await withHarbor(async (fake) => {
      fake.addProject("tenants");
      const created = await deserialized.create({
        connection: connectionTo(fake.url),
        name: "cluster-pull-0a1b2c3d",
        description: "pulls tenant images",
        level: "project",
        durationDays: 60,
        disabled: false,
        permissions: [{ kind: "project", namespace: "tenants", access: [{ resource: "repository", action: "pull" }] }],
      });
      assert.equal(created.outs.fullName, "robot$tenants+cluster-pull-0a1b2c3d");
      assert.equal(created.outs.secret, fake.robots.get(Number(created.id))?.secret);
    });
  });
});
