import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as digitalocean from "@pulumi/digitalocean";
import { ManagedDatabase, type ManagedDatabaseArgs } from "../components/database";
import { connectionFromUrl, postgresUrlProblem } from "../lib/database-connection";
import { outputIsSecret, runComponents, secretValue, valueOf } from "./harness";

const args = (patch: Partial<ManagedDatabaseArgs> = {}): ManagedDatabaseArgs => ({
  region: "nyc3",
  postgresVersion: "17",
  size: "db-s-2vcpu-4gb",
  nodeCount: 2,
  vpcId: "vpc-123",
  clusterId: "cluster-123",
  connectionPoolSize: 40,
  maintenance: { day: "sunday", startTime: "05:00" },
  protect: true,
  tags: ["loco"],
  ...patch,
});

const build = (patch: Partial<ManagedDatabaseArgs> = {}) =>
  runComponents(() => new ManagedDatabase("loco-test", args(patch), { providers: [new digitalocean.Provider("do", { token: "t" })] }));

describe("ManagedDatabase", () => {
  test("pinned PostgreSQL on the VPC's private network, sized from args", async () => {
    const cluster = (await build()).one("digitalocean:index/databaseCluster:DatabaseCluster");
    assert.equal(cluster.inputs.engine, "pg");
    assert.equal(cluster.inputs.version, "17");
    assert.equal(cluster.inputs.nodeCount, 2);
    assert.equal(cluster.inputs.privateNetworkUuid, "vpc-123");
    assert.deepEqual(cluster.inputs.maintenanceWindows, [{ day: "sunday", hour: "05:00:00" }]);
  });

  test("the database of record and its database are protected in prod", async () => {
    const registered = await build({ protect: true });
    assert.equal(registered.one("digitalocean:index/databaseCluster:DatabaseCluster").protect, true);
    assert.equal(registered.one("digitalocean:index/databaseDb:DatabaseDb").protect, true);
  });

  test("the DB firewall admits only the cluster", async () => {
    const firewall = (await build()).one("digitalocean:index/databaseFirewall:DatabaseFirewall");
    assert.deepEqual(firewall.inputs.rules, [{ type: "k8s", value: "cluster-123" }]);
  });

  test("trusted sources (the resurrector seam) are admitted next to the cluster, nothing else", async () => {
    const firewall = (await build({ trustedSources: [{ type: "ip_addr", value: "198.51.100.7" }] })).one(
      "digitalocean:index/databaseFirewall:DatabaseFirewall",
    );
    assert.deepEqual(firewall.inputs.rules, [
      { type: "k8s", value: "cluster-123" },
      { type: "ip_addr", value: "198.51.100.7" },
    ]);
  });

  test("the API gets its own database and a transaction-mode pool on it, with no fixed user", async () => {
    const registered = await build();
    const pool = registered.one("digitalocean:index/databaseConnectionPool:DatabaseConnectionPool");
    assert.equal(pool.inputs.mode, "transaction");
    assert.equal(pool.inputs.size, 40);
    assert.equal(pool.inputs.dbName, "loco");
    // Sessions log in as the inbound user: whichever of loco's alternating users is active.
    assert.equal(pool.inputs.user, undefined);
    assert.equal(registered.ofType("digitalocean:index/databaseUser:DatabaseUser").length, 0);
    assert.ok(registered.waitsFor(pool, registered.one("digitalocean:index/databaseDb:DatabaseDb")));
  });

  test("the addresses carry no credential: the pool by its name, the database directly; the admin endpoint is secret", async () => {
    const database = (await build()).result;
    const addresses = await valueOf(database.addresses);
    assert.equal(addresses.pooled.database, "loco-api");
    assert.equal(addresses.direct.database, "loco");
    assert.equal(addresses.direct.port, 25060);
    assert.deepEqual(Object.keys(addresses.pooled).sort(), ["database", "host", "port"]);
    assert.equal(await outputIsSecret(database.admin), true);
  });

  test("a single-node size cannot be given more nodes by direct use", async () => {
    await assert.rejects(build({ nodeCount: 4 }), /nodeCount must be 1 to 3/);
  });
});

describe("an existing Postgres URL (local stack)", () => {
  test("becomes the same connection shape, with the password decoded", () => {
    const connection = connectionFromUrl("postgresql://loco:p%40ss@127.0.0.1:5433/loco_local");
    assert.deepEqual(
      { ...connection.direct, uri: undefined },
      { host: "127.0.0.1", port: 5433, database: "loco_local", user: "loco", password: "p@ss", sslmode: "disable", uri: undefined },
    );
    assert.equal(connection.pooled, connection.direct);
  });

  test("a bad URL is reported without echoing it", () => {
    const problem = postgresUrlProblem("redis://:topsecret@cache:6379");
    assert.match(String(problem), /postgres:\/\//);
    assert.doesNotMatch(String(problem), /topsecret/);
    assert.throws(
      () => connectionFromUrl("not a url at all"),
      (e: Error) => !e.message.includes("not a url at all"),
    );
  });
});

test("the DigitalOcean token is a secret on the provider", async () => {
  const registered = await build();
  assert.equal(secretValue(registered.one("pulumi:providers:digitalocean").inputs.token), "t");
});

test("the cluster's admin endpoint is exposed for platform services' own databases: private address, secret", async () => {
  const database = (await build()).result;
  assert.equal(await outputIsSecret(database.admin), true);
  const admin = await valueOf(database.admin);
  assert.equal(admin.user, "doadmin");
  assert.match(admin.host, /private-/);
  assert.equal(admin.sslmode, "require");
});
