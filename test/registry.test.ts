import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { alternatingUsersStep } from "../components/alternating-users";
import { AppDatabase } from "../components/app-database";
import { Harbor, harborRoute, type HarborArgs } from "../components/harbor";
import { dailyCron, retentionRules, robotName, TenantRegistry, type TenantRegistryArgs } from "../components/tenant-registry";
import type { TwoSlotState } from "../components/two-slot-rotation";
import { tlsEndpoint } from "../lib/database-connection";
import { platformRoutesLabel } from "../lib/shared-gateway";
import { isSecret, outputIsSecret, runComponents, runStack, secretValue, valueOf, type Registered } from "./harness";

const admin = tlsEndpoint("private-db.internal", 25060, "defaultdb", "doadmin", "admin-password");
const harborAddress = { host: "private-db.internal", port: 25060, database: "harbor" };

const harborArgs = (patch: Partial<HarborArgs> = {}): HarborArgs => ({
  hostname: "registry.example.com",
  replicas: 1,
  imageStorage: {
    kind: "spaces",
    access: pulumi.secret({
      bucket: "loco-dev-registry-abc123",
      region: "nyc3",
      endpoint: "https://nyc3.digitaloceanspaces.com",
      accessKeyId: "KEY",
      secretAccessKey: "spaces-secret",
    }),
    keyGeneration: 3,
  },
  database: {
    kind: "managed",
    alternatingUsers: { admin: pulumi.secret(admin), database: "harbor", pooled: harborAddress, direct: harborAddress },
    step: alternatingUsersStep(undefined, { counter: 0, now: "2026-01-01T00:00:00Z", maxAgeDays: 30 }),
    databaseReady: [],
    maxOpenConnections: 10,
  },
  adminPasswordRotation: { maxAgeDays: 30, counter: 0 },
  routesReady: [],
  ...patch,
});

const buildHarbor = (patch: Partial<HarborArgs> = {}, routesReady = false) =>
  runComponents(() => {
    const provider = new k8s.Provider("k8s", { context: "test" });
    const gateway = routesReady ? [new k8s.core.v1.Namespace("gateway", { metadata: { name: "loco-gateway" } }, { provider })] : [];
    return new Harbor("loco-test", harborArgs({ ...patch, routesReady: gateway }), { providers: [provider] });
  });

const release = (registered: Registered) => registered.one("kubernetes:helm.sh/v3:Release");
const route = (registered: Registered) => registered.one("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute");

describe("Harbor (install)", () => {
  test("its namespace admits Gateway routes and enforces baseline pod security", async () => {
    const namespace = (await buildHarbor()).one("kubernetes:core/v1:Namespace");
    const labels = (namespace.inputs.metadata as { labels: Record<string, string> }).labels;
    assert.equal(labels[platformRoutesLabel.key], platformRoutesLabel.value);
    assert.equal(labels["pod-security.kubernetes.io/enforce"], "baseline");
  });

  test("the release waits for every Secret its values name and for the database users' setup", async () => {
    const registered = await buildHarbor();
    const harbor = release(registered);
    const secrets = registered
      .ofType("kubernetes:core/v1:Secret")
      .filter((s) => s.name.startsWith("loco-test-") && !s.name.includes("database-users"));
    assert.equal(secrets.length, 8);
    for (const secret of secrets) assert.ok(registered.waitsFor(harbor, secret), `${secret.name} before the release`);
    assert.ok(registered.waitsFor(harbor, registered.one("kubernetes:batch/v1:Job")));
  });

  test("every Secret's values are Pulumi secrets, and the release holds none", async () => {
    const registered = await buildHarbor();
    for (const secret of registered.ofType("kubernetes:core/v1:Secret")) assert.ok(isSecret(secret.inputs.stringData), secret.name);
    const values = JSON.stringify(release(registered).inputs.values, (_key, value: unknown) =>
      isSecret(value) ? "<a secret leaf>" : value,
    );
    assert.ok(!values.includes("<a secret leaf>"), "a secret in the Helm values would end up in Helm's release record");
    assert.ok(!values.includes("admin-password") && !values.includes("spaces-secret"));
  });

  test("the htpasswd line is the registry user and a bcrypt hash of its password", async () => {
    const registered = await buildHarbor();
    const credentials = registered.all.find((r) => r.name === "loco-test-registry-credentials");
    const data = secretValue(credentials?.inputs.stringData) as Record<string, string>;
    assert.match(data.REGISTRY_HTPASSWD, /^harbor_registry_user:\$2a\$10\$/);
  });

  test("the database users' setup runs as the admin, on Harbor's database, with no secret in its command line", async () => {
    const registered = await buildHarbor();
    const job = registered.one("kubernetes:batch/v1:Job");
    const container = (job.inputs.spec as { template: { spec: { containers: { command: string[] }[] } } }).template.spec.containers[0];
    assert.ok(!container.command.join(" ").includes("admin-password"));
    const grantSecret = registered.all.find((r) => r.name === "loco-test-database-users-admin");
    const env = secretValue(grantSecret?.inputs.stringData) as Record<string, string>;
    assert.deepEqual(env, {
      PGHOST: "private-db.internal",
      PGPORT: "25060",
      PGUSER: "doadmin",
      PGPASSWORD: "admin-password",
      PGDATABASE: "harbor",
      PGSSLMODE: "require",
    });
  });

  test("the route attaches to the shared Gateway's registry listener and waits for what routesReady lists", async () => {
    const registered = await buildHarbor({}, true);
    const harborRouteResource = route(registered);
    const spec = harborRouteResource.inputs.spec as { parentRefs: unknown[]; hostnames: string[] };
    assert.deepEqual(spec.parentRefs, [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "loco", namespace: "loco-gateway", sectionName: "https-registry" },
    ]);
    assert.deepEqual(spec.hostnames, ["registry.example.com"]);
    const gateway = registered.all.find((r) => r.name === "gateway");
    assert.ok(gateway && registered.waitsFor(harborRouteResource, gateway));
    assert.ok(registered.waitsFor(harborRouteResource, release(registered)));
  });

  test("pushes and pulls of layers have no request timeout; the portal keeps the default", () => {
    const rules = harborRoute("registry.example.com").spec.rules ?? [];
    assert.deepEqual(
      rules.map((r) => [r.matches?.[0].path?.value, r.timeouts?.request]),
      [
        ["/v2/", "0s"],
        ["/", undefined],
      ],
    );
  });

  test("local: a volume and the chart's database, and no grant Job", async () => {
    const registered = await buildHarbor({ imageStorage: { kind: "volume", sizeGiB: 20 }, database: { kind: "in-cluster", sizeGiB: 5 } });
    assert.deepEqual(registered.ofType("kubernetes:batch/v1:Job"), []);
    const values = release(registered).inputs.values as { database: { type: string } };
    assert.equal(values.database.type, "internal");
  });

  test("bad args are refused before anything is registered", async () => {
    await assert.rejects(buildHarbor({ hostname: "https://registry.example.com" }), /hostname must be a DNS name/);
    await assert.rejects(buildHarbor({ replicas: 0 }), /replicas must be a positive integer/);
  });
});

const firstIssue: TwoSlotState = { active: "a", counter: 0, slots: { a: { generation: 0, issuedAt: "2026-01-01T00:00:00Z" } } };

const tenantArgs = (patch: Partial<TenantRegistryArgs> = {}): TenantRegistryArgs => ({
  apiUrl: "https://registry.example.com",
  registryHost: "registry.example.com",
  adminUser: "admin",
  adminPassword: pulumi.secret("Admin1Password"),
  harborReady: [],
  project: { name: "tenants", storageQuotaGiB: 20, blockPullsAtSeverity: "critical", cveAllowlist: [] },
  retention: { keepLatestPushed: 2, keepPushedWithinDays: 180, runAt: "02:00" },
  garbageCollection: { runAt: "04:00", workers: 1 },
  rescanAt: "03:00",
  immutableTags: { pattern: "[0-9a-f]*", enforced: false },
  robots: { expiryDays: 60, builder: firstIssue, pull: firstIssue },
  protect: false,
  ...patch,
});

const buildTenants = (patch: Partial<TenantRegistryArgs> = {}) => runComponents(() => new TenantRegistry("loco-test", tenantArgs(patch)));
const harborType = (type: string) => `pulumi-nodejs:dynamic/harbor:${type}`;

describe("TenantRegistry (Harbor configuration)", () => {
  test("a private project with scan-on-push, pulls blocked at the severity, and the quota in bytes", async () => {
    const project = (await buildTenants()).one(harborType("Project")).inputs;
    assert.deepEqual(
      [project.name, project.public, project.vulnerabilityScanning, project.deploymentSecurity, project.storageQuotaBytes],
      ["tenants", false, true, "critical", 20 * 2 ** 30],
    );
  });

  test("retention keeps the latest 2 and anything pushed in 180 days, never untagged, daily at 02:00; GC at 04:00 deletes untagged", async () => {
    const registered = await buildTenants();
    const retention = registered.one(harborType("RetentionPolicy")).inputs;
    assert.equal(retention.schedule, "0 0 2 * * *");
    assert.deepEqual(retention.rules, [
      { retain: { mostRecentlyPushed: 2 }, repositories: "**", tags: "**", untaggedArtifacts: false },
      { retain: { pushedWithinDays: 180 }, repositories: "**", tags: "**", untaggedArtifacts: false },
    ]);
    assert.ok((retention.rules as { untaggedArtifacts: boolean }[]).every((r) => r.untaggedArtifacts === false));
    const gc = registered.one(harborType("GarbageCollection")).inputs;
    assert.deepEqual([gc.schedule, gc.deleteUntagged], ["0 0 4 * * *", true]);
    assert.ok(registered.waitsFor(registered.one(harborType("RetentionPolicy")), registered.one(harborType("Project"))));
  });

  test("keepPushedWithinDays null leaves only the latest-N rule", () => {
    assert.deepEqual(
      retentionRules({ keepLatestPushed: 2, keepPushedWithinDays: null, runAt: "02:00" }).map((r) => r.retain),
      [{ mostRecentlyPushed: 2 }],
    );
  });

  test("the immutability rule is present, and disabled unless enforced", async () => {
    assert.equal((await buildTenants()).one(harborType("ImmutableTagRule")).inputs.disabled, true);
    const enforced = await buildTenants({ immutableTags: { pattern: "[0-9a-f]*", enforced: true } });
    assert.equal(enforced.one(harborType("ImmutableTagRule")).inputs.disabled, false);
  });

  test("two project robots on the tenant project only: the builder pushes and pulls, the cluster's only pulls", async () => {
    const robots = (await buildTenants()).ofType(harborType("RobotAccount")).map((r) => r.inputs);
    const access = (name: RegExp) =>
      (robots.find((r) => name.test(String(r.name)))?.permissions as { namespace: string; access: { action: string }[] }[]).map((p) => [
        p.namespace,
        p.access.map((a) => a.action).sort(),
      ]);
    assert.deepEqual(access(/^builder-/), [["tenants", ["pull", "push"]]]);
    assert.deepEqual(access(/^cluster-pull-/), [["tenants", ["pull"]]]);
    assert.ok(robots.every((r) => r.level === "project" && r.durationDays === 60));
  });

  test("a robot per existing slot, named by its generation; consumers get the active slot's robot", async () => {
    const builder: TwoSlotState = {
      active: "b",
      counter: 1,
      slots: { a: { generation: 0, issuedAt: "2026-01-01T00:00:00Z" }, b: { generation: 1, issuedAt: "2026-01-31T00:00:00Z" } },
      overlapUntil: "2026-02-02T00:00:00Z",
    };
    const registered = await buildTenants({ robots: { expiryDays: 60, builder, pull: firstIssue } });
    const robots = registered
      .ofType(harborType("RobotAccount"))
      .map((r) => `${r.name}=${String(r.inputs.name)}`)
      .sort();
    assert.deepEqual(robots, [
      "loco-test-builder-robot-a=builder-g0",
      "loco-test-builder-robot-b=builder-g1",
      "loco-test-pull-robot-a=cluster-pull-g0",
    ]);
    assert.equal((await valueOf(registered.result.builder)).username, "robot$tenants+builder-g1");
    assert.equal((await valueOf(registered.result.puller)).username, "robot$tenants+cluster-pull-g0");
    assert.equal(robotName("pull", 7), "cluster-pull-g7");
  });

  test("robot secrets, the pull secret and the Harbor connection are Pulumi secrets; the provider code captured none", async () => {
    const registered = await buildTenants();
    const tenants = registered.result;
    for (const output of [tenants.builder, tenants.puller, tenants.pullSecretDockerConfigJson, tenants.connection]) {
      assert.equal(await outputIsSecret(output as pulumi.Output<unknown>), true);
    }
    const pull = JSON.parse(await valueOf(tenants.pullSecretDockerConfigJson)) as { auths: Record<string, { username: string }> };
    assert.equal(pull.auths["registry.example.com"].username, "robot$tenants+cluster-pull-g0");
    for (const resource of registered.all.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/harbor:"))) {
      assert.ok(isSecret(resource.inputs.connection), `${resource.name} connection`);
      assert.equal(typeof resource.inputs.__provider, "string", `${resource.name} provider code holds no secret`);
    }
  });

  test("every Harbor object waits for Harbor's release and route, through the admin password", async () => {
    const registered = await runComponents(() => {
      const ready = new k8s.core.v1.Namespace(
        "release-stand-in",
        { metadata: { name: "x" } },
        { provider: new k8s.Provider("k8s", { context: "t" }) },
      );
      return new TenantRegistry("loco-test", tenantArgs({ harborReady: [ready] }));
    });
    const ready = registered.all.find((r) => r.name === "release-stand-in");
    assert.ok(ready);
    for (const resource of registered.all.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/harbor:"))) {
      assert.ok(registered.waitsFor(resource, ready), resource.name);
    }
  });

  test("the project is protected in prod", async () => {
    assert.equal((await buildTenants({ protect: true })).one(harborType("Project")).protect, true);
  });

  test("daily times become Harbor's 6-field crons; anything else is refused", async () => {
    assert.equal(dailyCron("04:30"), "0 30 4 * * *");
    assert.throws(() => dailyCron("4:30"), /HH:MM/);
    await assert.rejects(buildTenants({ rescanAt: "25:00" }), /rescanAt must be HH:MM/);
  });
});

describe("database for Harbor on the managed cluster", () => {
  test("its own database, protected in prod, on the private address; no DigitalOcean user (the pair is made in SQL)", async () => {
    const registered = await runComponents(
      () =>
        new AppDatabase(
          "harbor",
          { clusterId: "c-1", privateHost: "private-db.internal", port: 25060, databaseName: "harbor", protect: true },
          { providers: [new (require("@pulumi/digitalocean") as typeof import("@pulumi/digitalocean")).Provider("do", { token: "t" })] },
        ),
    );
    assert.equal(registered.one("digitalocean:index/databaseDb:DatabaseDb").protect, true);
    assert.equal(registered.ofType("digitalocean:index/databaseUser:DatabaseUser").length, 0);
    assert.deepEqual(await valueOf(registered.result.address), { host: "private-db.internal", port: 25060, database: "harbor" });
  });
});

describe("the registry layer in each stack", () => {
  test("dev: Harbor's blobs in a private Spaces bucket and its metadata in its own database; registry outputs keep secrets secret", async () => {
    const registered = await runStack("dev");
    const bucket = registered
      .ofType("digitalocean:index/spacesBucket:SpacesBucket")
      .find((b) => String(b.inputs.name).startsWith("loco-dev-registry-"));
    assert.equal(bucket?.inputs.acl, "private");
    const databases = registered.ofType("digitalocean:index/databaseDb:DatabaseDb").map((d) => d.inputs.name);
    assert.deepEqual(databases.sort(), ["harbor", "loco"]);
    const outputs = registered.stackOutputs.registry as Record<string, unknown>;
    assert.ok(isSecret(outputs.builder) && isSecret(outputs.admin));
    assert.ok(isSecret((outputs.pullSecret as { dockerConfigJson: unknown }).dockerConfigJson));
    assert.equal((outputs.pullSecret as { name: string }).name, "loco-registry-pull");
    assert.equal(outputs.repositoryPrefix, "registry.dev.loco.example.com/tenants");
  });

  test("prod: the bucket, Harbor's database and the tenant project are protected", async () => {
    const registered = await runStack("prod");
    const bucket = registered
      .ofType("digitalocean:index/spacesBucket:SpacesBucket")
      .find((b) => String(b.inputs.name).startsWith("loco-prod-registry-"));
    assert.equal(bucket?.protect, true);
    assert.equal(registered.ofType("digitalocean:index/databaseDb:DatabaseDb").find((d) => d.inputs.name === "harbor")?.protect, true);
    assert.equal(registered.one(harborType("Project")).protect, true);
  });

  test("local: nothing on DigitalOcean, Harbor's own database, and the same configuration", async () => {
    const registered = await runStack("local");
    assert.equal(registered.ofType(harborType("RobotAccount")).length, 2);
    const values = registered.one("kubernetes:helm.sh/v3:Release", "loco-local-harbor-release").inputs.values as {
      database: { type: string };
    };
    assert.equal(values.database.type, "internal");
  });
});
