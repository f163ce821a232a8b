import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runStack, type RecordedResource, type Registered } from "./harness";

const gatewayType = "kubernetes:gateway.networking.k8s.io/v1:Gateway";
const certificateType = "kubernetes:cert-manager.io/v1:Certificate";
const harborTypes = [
  "AdminPassword",
  "Project",
  "RetentionPolicy",
  "ImmutableTagRule",
  "RobotAccount",
  "GarbageCollection",
  "VulnerabilityScanning",
];

const annotations = (resource: RecordedResource) =>
  ((resource.inputs.metadata as { annotations?: Record<string, string> }).annotations ?? {}) as Record<string, string>;

/** The public certificate (the one the Gateway's listeners serve). */
const publicCertificate = (registered: Registered) =>
  registered.ofType(certificateType).find((c) => (c.inputs.metadata as { name: string }).name === "loco-public") as RecordedResource;

describe("Harbor is configured only once its endpoint serves", () => {
  test("Pulumi creates the public Certificate only when cert-manager reports it Ready", async () => {
    const registered = await runStack("dev");
    const certificate = publicCertificate(registered);
    assert.equal(annotations(certificate)["pulumi.com/waitFor"], "condition=Ready");
    assert.ok(Number(annotations(certificate)["pulumi.com/timeoutSeconds"]) >= 600, "DNS-01 issuance takes minutes");
  });

  test("Pulumi creates the Gateway only when its registry and dashboards listeners are Programmed", async () => {
    const registered = await runStack("dev");
    const waitFor = JSON.parse(annotations(registered.one(gatewayType))["pulumi.com/waitFor"] ?? "[]") as string[];
    for (const listener of ["https-registry", "https-dashboards"]) {
      assert.ok(
        waitFor.includes(`jsonpath={.status.listeners[?(@.name=="${listener}")].conditions[?(@.type=="Programmed")].status}=True`),
        `${listener} in ${JSON.stringify(waitFor)}`,
      );
    }
  });

  for (const stack of ["dev", "local"]) {
    test(`${stack}: every Harbor API resource waits for the Certificate and the Gateway, not for retries`, async () => {
      const registered = await runStack(stack);
      const certificate = publicCertificate(registered);
      const gateway = registered.one(gatewayType);
      for (const type of harborTypes) {
        for (const resource of registered.ofType(`pulumi-nodejs:dynamic/harbor:${type}`)) {
          assert.ok(registered.waitsFor(resource, certificate), `${resource.name} must wait for the Certificate`);
          assert.ok(registered.waitsFor(resource, gateway), `${resource.name} must wait for the Gateway`);
        }
      }
    });
  }

  test("Harbor's database users are set up after the database exists, and Harbor waits for them", async () => {
    const registered = await runStack("dev");
    const job = registered.one("kubernetes:batch/v1:Job", "loco-dev-harbor-database-users-setup");
    const database = registered.ofType("digitalocean:index/databaseDb:DatabaseDb").filter((r) => r.inputs.name === "harbor");
    assert.equal(database.length, 1, "Harbor's database");
    assert.ok(registered.waitsFor(job, database[0]), "the setup must wait for the database");
    assert.ok(registered.waitsFor(registered.one("kubernetes:helm.sh/v3:Release", "loco-dev-harbor-release"), job));
  });
});
