/** Alternating database users on a real PostgreSQL: a connection opened before a rotation still works after it. */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Client } from "pg";
import {
  alternatingUsersStep,
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

  test("a user name that could end the statement is refused", () => {
    assert.throws(() => postgresRotateSql("harbor; DROP TABLE x", "a", "p"), /database user name "harbor; DROP TABLE x_a"/);
    assert.match(postgresRotateSql("harbor", "b", "it's"), /PASSWORD 'it''s'$/);
  });
});
