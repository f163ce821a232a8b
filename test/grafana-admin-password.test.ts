import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { grafanaAdminPasswordProvider, type AttemptPolicy } from "../observability/grafana-admin-password";
import { fakeGrafana, type FakeGrafana } from "./fake-grafana";
import { isSecret, runStack, secretValue } from "./harness";

const quick: AttemptPolicy = { attempts: 3, delayMs: 10, timeoutMs: 5_000 };
const provider = grafanaAdminPasswordProvider(quick);

let grafana: FakeGrafana;
before(async () => {
  grafana = await fakeGrafana("admin", "Installed1");
});
after(() => grafana.close());

const props = (password: string) => ({ url: grafana.url, username: "admin", password });

describe("Grafana's admin password, applied through its API", () => {
  test("first management checks that the password Grafana was installed with logs in", async () => {
    grafana.password = "Installed1";
    const created = await provider.create(props("Installed1"));
    assert.equal(created.id, "admin");
  });

  test("a password Grafana does not accept is refused at once, saying why and never echoing it", async () => {
    grafana.password = "Installed1";
    await assert.rejects(provider.create(props("NotThePassword9")), (error: Error) => {
      assert.match(error.message, /rejected the admin password it was installed with for admin/);
      assert.doesNotMatch(error.message, /NotThePassword9|Installed1/);
      return true;
    });
  });

  test("rotation changes the password inside Grafana, authenticated with the previous one", async () => {
    grafana.password = "Installed1";
    const updated = await provider.update("admin", props("Installed1"), props("Rotated22"));
    assert.equal(grafana.password, "Rotated22", "Grafana must hold the rotated password");
    assert.equal(updated.outs.password, "Rotated22");
    assert.ok(grafana.requests.includes("PUT /api/user/password"));
  });

  test("a Grafana that already has the new password (a database created after the rotation) needs nothing", async () => {
    grafana.password = "Rotated22";
    await provider.update("admin", props("Installed1"), props("Rotated22"));
    assert.equal(grafana.password, "Rotated22");
  });

  test("when neither the previous nor the new password logs in, the update fails naming the account", async () => {
    grafana.password = "ChangedInTheUi3";
    await assert.rejects(provider.update("admin", props("Installed1"), props("Rotated22")), (error: Error) => {
      assert.match(error.message, /rejected the previous admin password for admin/);
      assert.doesNotMatch(error.message, /Installed1|Rotated22|ChangedInTheUi3/);
      return true;
    });
  });

  test("a Grafana that is still starting is waited for, a bounded number of times", async () => {
    grafana.password = "Installed1";
    grafana.failWith = 502;
    await assert.rejects(provider.create(props("Installed1")), /GET \/api\/user .* failed: HTTP 502/);
    grafana.failWith = undefined;
  });

  test("a new password is an in-place update, never a replacement", async () => {
    const diff = await provider.diff("admin", props("Installed1"), props("Rotated22"));
    assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
    assert.equal((await provider.diff("admin", props("Same1aaaa"), props("Same1aaaa"))).changes, false);
  });
});

describe("the stack applies it", () => {
  for (const stack of ["dev", "local"]) {
    test(`${stack}: Grafana's admin password is a managed object, applied after Grafana serves, and published from it`, async () => {
      const registered = await runStack(stack);
      const applier = registered.one("pulumi-nodejs:dynamic/grafana:AdminPassword");
      assert.ok(isSecret(applier.inputs.password), "the password input is secret");
      const release = registered.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "grafana");
      assert.ok(release && registered.waitsFor(applier, release), "after Grafana's release");
      assert.ok(registered.waitsFor(applier, registered.one("kubernetes:gateway.networking.k8s.io/v1:Gateway")));
      const published = (registered.stackOutputs.observability as { grafanaAdminPassword: unknown }).grafanaAdminPassword;
      assert.equal(secretValue(published), secretValue(applier.inputs.password), "the stack publishes what Grafana accepts");
    });
  }
});
