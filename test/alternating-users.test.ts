/** Alternating database users on a real PostgreSQL: a connection opened before a rotation still works after it. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "pg";
import {
  alternatingUsersStep,
  postgresGroupGrantSql,
  postgresRotateSql,
  postgresSetupSql,
  slotUser,
  type AlternatingUsersState,
} from "../components/alternating-users";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";

let server: EmbeddedDatabase;
const clients: Client[] = [];

async function connect(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  clients.push(client);
  return client;
}

function urlAs(user: string, password: string): string {
  const url = new URL(server.url);
  url.username = user;
  url.password = password;
  return url.toString();
}

before(async () => {
  server = await startEmbeddedPostgres("loco");
});

after(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await server?.stop();
});

describe("alternating users", () => {
  test("the step alternates the user and only rotates when asked or aged", () => {
    const first = alternatingUsersStep(undefined, { counter: 0, now: "2026-01-01T00:00:00Z", maxAgeDays: 30 });
    assert.equal(first.rotate, false);
    const quiet = alternatingUsersStep(first.next, { counter: 0, now: "2026-01-10T00:00:00Z", maxAgeDays: 30 });
    assert.equal(quiet.rotate, false);
    const asked = alternatingUsersStep(first.next, { counter: 1, now: "2026-01-10T00:00:00Z", maxAgeDays: 30 });
    assert.deepEqual([asked.rotate, asked.changes, asked.next.active], [true, "b", "b"]);
    const aged = alternatingUsersStep(asked.next, { counter: 1, now: "2026-02-09T00:00:00Z", maxAgeDays: 30 });
    assert.deepEqual([aged.rotate, aged.changes, aged.next.active], [true, "a", "a"]);
  });

  test("a session opened before each rotation keeps working, and the consumer's new user logs in", { timeout: 180_000 }, async () => {
    const admin = await connect(server.url);
    for (const sql of postgresSetupSql("harbor", { a: "first-a", b: "first-b" })) await admin.query(sql);
    await admin.query("CREATE TABLE artifacts (id int)");
    await admin.query("GRANT SELECT, INSERT ON artifacts TO harbor");
    // Running the setup again (every `pulumi up`) changes nothing and fails on nothing.
    for (const sql of postgresSetupSql("harbor", { a: "first-a", b: "first-b" })) await admin.query(sql);

    let state: AlternatingUsersState = alternatingUsersStep(undefined, { counter: 0, now: "2026-01-01T00:00:00Z", maxAgeDays: 30 }).next;
    const passwords = { a: "first-a", b: "first-b" };
    const consumer = await connect(urlAs(slotUser("harbor", state.active), passwords[state.active]));
    await consumer.query("INSERT INTO artifacts VALUES (1)");

    for (const [counter, password] of [
      [1, "second"],
      [2, "third"],
    ] as const) {
      const step = alternatingUsersStep(state, { counter, now: "2026-01-02T00:00:00Z", maxAgeDays: 30 });
      assert.ok(step.rotate && step.changes);
      await admin.query(postgresRotateSql("harbor", step.changes, password));
      passwords[step.changes] = password;
      state = step.next;
      // The session opened before the rotation still works.
      assert.equal((await consumer.query("SELECT count(*)::int AS n FROM artifacts WHERE id = 1")).rows[0].n, 1);
      // The consumer, switched to the other user, logs in with the new password and has the same grants.
      const switched = await connect(urlAs(slotUser("harbor", state.active), passwords[state.active]));
      await switched.query("INSERT INTO artifacts VALUES (2)");
      await switched.end();
    }
    // After two rotations the first user's original password is gone.
    await assert.rejects(connect(urlAs("harbor_a", "first-a")), /password authentication failed/);
  });

  test(
    "loco's pair: a session of the active user survives the rotation; the other user uses its tables through the group",
    { timeout: 180_000 },
    async () => {
      const admin = await connect(server.url);
      const database = new URL(server.url).pathname.slice(1);
      for (const sql of [...postgresSetupSql("loco", { a: "loco-a-1", b: "loco-b-1" }), ...postgresGroupGrantSql("loco", database)]) {
        await admin.query(sql);
      }
      let state = alternatingUsersStep(undefined, { counter: 0, now: "2026-03-01T00:00:00Z", maxAgeDays: 30 }).next;
      assert.equal(state.active, "a");
      const passwords = { a: "loco-a-1", b: "loco-b-1" };

      // The API's pooled connection, opened as the active user, runs a migration: the table belongs to the group.
      const before = await connect(urlAs("loco_a", passwords.a));
      await before.query("CREATE TABLE apps (name text)");
      await before.query("INSERT INTO apps VALUES ('first')");
      const owner = await admin.query("SELECT tableowner FROM pg_tables WHERE tablename = 'apps'");
      assert.equal(owner.rows[0].tableowner, "loco");

      const step = alternatingUsersStep(state, { counter: 1, now: "2026-03-02T00:00:00Z", maxAgeDays: 30 });
      assert.deepEqual([step.changes, step.next.active], ["b", "b"]);
      await admin.query(postgresRotateSql("loco", "b", "loco-b-2"));
      passwords.b = "loco-b-2";
      state = step.next;

      // The session opened before the rotation still reads and writes: its user and password were not touched.
      await before.query("INSERT INTO apps VALUES ('during')");
      // The consumer switched to loco_b logs in with the new password and works on loco_a's table through the group.
      const after = await connect(urlAs(slotUser("loco", state.active), passwords[state.active]));
      await after.query("INSERT INTO apps VALUES ('after')");
      assert.deepEqual(
        (await after.query("SELECT name FROM apps ORDER BY name")).rows.map((row) => row.name),
        ["after", "during", "first"],
      );
      // loco_b's previous password no longer logs in; loco_a's is unchanged until the next rotation.
      await assert.rejects(connect(urlAs("loco_b", "loco-b-1")), /password authentication failed/);
      await (await connect(urlAs("loco_a", passwords.a))).query("SELECT 1 FROM apps LIMIT 1");
    },
  );

  test("a user name that could end the statement is refused", () => {
    assert.throws(() => postgresRotateSql("harbor; DROP TABLE x", "a", "p"), /database user name "harbor; DROP TABLE x_a"/);
    assert.match(postgresRotateSql("harbor", "b", "it's"), /PASSWORD 'it''s'$/);
  });
});
