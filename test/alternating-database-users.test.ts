/**
 * loco's alternating database users as a sequence of runs of the real program under the mocks, each run fed the
 * `rotation` output the previous one recorded: which user is active, whose password changes, what URL the API sees,
 * and what a failed run in the middle leads to. The mock's RandomPassword returns one value per resource name, so a
 * password change is read where the engine decides it: a change of the password's keepers replaces it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import { AlternatingDatabaseUsers, setupJobName, setupScript } from "../components/alternating-database-users";
import { alternatingUsersStep, type AlternatingUsersState, type UserSlot } from "../components/alternating-users";
import { alternatingUsersRecord, alternatingUsersRotation, recordedState } from "../stacks/alternating-users-rotation";
import { RotationRun } from "../stacks/rotation-state";
import { parseRecordedRotations } from "../stacks/rotation-status";
import { runComponents, runStack, secretValue, valueOf, type RecordedResource } from "./harness";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

interface RunView {
  /** The stack output `rotation.locoApiDatabase`, which the next run is fed. */
  readonly recorded: Record<string, unknown>;
  readonly active: UserSlot;
  /** The keepers of each user's password: a change replaces that password. */
  readonly keepers: Record<UserSlot, string>;
  /** The user in the API's DATABASE_URL. */
  readonly apiUser: string;
  readonly apiChecksum: string;
  readonly jobName: string;
  /** The database user in Harbor's chart values (its own pair, with its own counter). */
  readonly harborUser: string;
  readonly recordedHarbor: Record<string, unknown>;
}

const metadataName = (r: RecordedResource) => (r.inputs.metadata as { name?: string } | undefined)?.name;

/** One run of the dev stack at `now`, from `previous` (the last recorded rotation output), with the manual counter. */
async function run(now: string, previous: Record<string, unknown>, counter: number, harborCounter = 0): Promise<RunView> {
  // The real program, whose StackReference to its own stack reads `previous` as the last run's `rotation` output.
  const registered = await runStack(
    "dev",
    {
      "loco:rotation": { maxAgeDays: 30, overlapHours: 24, counters: { locoApiDatabase: counter, harborDatabaseUser: harborCounter }, now },
    },
    { rotation: previous },
  );
  const rotation = registered.stackOutputs.rotation as Record<string, Record<string, unknown>>;
  const recorded = rotation.locoApiDatabase;
  const password = (slot: UserSlot) =>
    registered.one("random:index/randomPassword:RandomPassword", `loco-dev-control-plane-database-users-${slot}-password`).inputs
      .keepers as {
      passwordSetAt: string;
    };
  const secret = registered.ofType("kubernetes:core/v1:Secret").find((r) => metadataName(r) === "loco-api-env");
  assert.ok(secret, "the API's Secret");
  const databaseUrl = new URL((secretValue(secret.inputs.stringData) as Record<string, string>).DATABASE_URL);
  const api = registered.ofType("kubernetes:apps/v1:Deployment").find((r) => metadataName(r) === "loco-api");
  assert.ok(api, "the API's Deployment");
  const job = registered.one("kubernetes:batch/v1:Job", "loco-dev-control-plane-database-users-setup");
  return {
    recorded,
    active: (recorded.state as { active: UserSlot }).active,
    keepers: { a: password("a").passwordSetAt, b: password("b").passwordSetAt },
    apiUser: databaseUrl.username,
    apiChecksum: (api.inputs.spec as Any).template.metadata.annotations["loco.dev/secret-checksum"] as string,
    jobName: metadataName(job) as string,
    harborUser: (registered.one("kubernetes:helm.sh/v3:Release", "loco-dev-harbor-release").inputs.values as Any).database.external
      .username,
    recordedHarbor: rotation.harborDatabaseUser,
  };
}

describe("loco's alternating database users, run after run", () => {
  test(
    "first issue, a requested rotation, a quiet run, an aged rotation: one user changes per rotation, never the active one",
    { timeout: 600_000 },
    async () => {
      const first = await run("2026-05-01T00:00:00.000Z", {}, 0);
      assert.deepEqual([first.active, first.apiUser], ["a", "loco_a"]);
      assert.deepEqual(first.keepers, { a: "2026-05-01T00:00:00.000Z", b: "2026-05-01T00:00:00.000Z" });
      assert.equal(first.recorded.activeUser, "loco_a");
      assert.equal(first.recorded.dueAt, "2026-05-31T00:00:00.000Z");

      // `npm run rotate` bumped the counter: loco_b (idle) gets a new password and the API switches to it.
      const requested = await run("2026-05-03T00:00:00.000Z", { locoApiDatabase: first.recorded }, 1);
      assert.deepEqual([requested.active, requested.apiUser], ["b", "loco_b"]);
      assert.equal(requested.keepers.a, first.keepers.a, "the user whose sessions are open keeps its password");
      assert.notEqual(requested.keepers.b, first.keepers.b, "the idle user's password is replaced");
      assert.notEqual(requested.apiChecksum, first.apiChecksum, "the API's pods roll onto the other user");
      assert.notEqual(requested.jobName, first.jobName, "the setup Job runs again");

      // Nothing due: nothing changes, so nothing is replaced or rolled.
      const quiet = await run("2026-05-10T00:00:00.000Z", { locoApiDatabase: requested.recorded }, 1);
      assert.deepEqual(quiet.keepers, requested.keepers);
      assert.equal(quiet.apiChecksum, requested.apiChecksum);
      assert.equal(quiet.jobName, requested.jobName);
      assert.deepEqual(quiet.recorded, requested.recorded);

      // 30 days after loco_b's password was set, the scheduled run re-passwords loco_a and switches back to it.
      const aged = await run("2026-06-02T00:00:00.000Z", { locoApiDatabase: quiet.recorded }, 1);
      assert.deepEqual([aged.active, aged.apiUser], ["a", "loco_a"]);
      assert.equal(aged.keepers.b, quiet.keepers.b);
      assert.equal(aged.keepers.a, "2026-06-02T00:00:00.000Z");
    },
  );

  test("Harbor's pair rotates on its own counter and switches Harbor's user; loco's stays", { timeout: 600_000 }, async () => {
    const first = await run("2026-05-01T00:00:00.000Z", {}, 0);
    assert.equal(first.harborUser, "harbor_a");
    const previous = { locoApiDatabase: first.recorded, harborDatabaseUser: first.recordedHarbor };
    const rotated = await run("2026-05-02T00:00:00.000Z", previous, 0, 1);
    assert.equal(rotated.harborUser, "harbor_b");
    assert.equal(rotated.recordedHarbor.activeUser, "harbor_b");
    assert.deepEqual([rotated.apiUser, rotated.keepers], [first.apiUser, first.keepers]);
  });

  test("a run that fails records nothing: the next run repeats the step on the same idle user", { timeout: 600_000 }, async () => {
    const first = await run("2026-05-01T00:00:00.000Z", {}, 0);
    // This run fails after replacing loco_b's password (the setup Job or the API's rollout failed): its outputs are lost.
    const failed = await run("2026-05-03T00:00:00.000Z", { locoApiDatabase: first.recorded }, 1);
    assert.equal(failed.active, "b");
    // The next run starts from the last recorded state again, and takes the same step: loco_b once more, with a
    // password set anew (the failed run's may or may not have reached the database).
    const retried = await run("2026-05-03T06:00:00.000Z", { locoApiDatabase: first.recorded }, 1);
    assert.deepEqual([retried.active, retried.apiUser], ["b", "loco_b"]);
    assert.equal(retried.keepers.a, first.keepers.a, "loco_a, still in use by the pods that did not roll, is untouched");
    assert.notEqual(retried.keepers.b, failed.keepers.b);
    assert.notEqual(retried.jobName, failed.jobName, "a new Job, so the script runs with the new password");
  });

  test("recorded state that is not the program's is refused with the field named", () => {
    const entry = (state: unknown) => ({ kind: "alternating users", state });
    const times = { a: "2026-01-01T00:00:00Z", b: "2026-01-01T00:00:00Z" };
    assert.throws(
      () => recordedState("locoApiDatabase", entry({ active: "c", passwordSetAt: times, counter: 0 })),
      /^RotationStateError: stack output rotation\.locoApiDatabase\.state\.active must be "a" or "b", got "c": fix or remove/,
    );
    assert.throws(
      () => recordedState("locoApiDatabase", entry({ active: "a", passwordSetAt: { a: "soon" }, counter: 0 })),
      /passwordSetAt must hold/,
    );
    assert.throws(
      () => recordedState("locoApiDatabase", entry({ active: "a", passwordSetAt: times, counter: -1 })),
      /state\.counter must be a non-negative integer, got -1/,
    );
    // Nothing recorded, or an entry from before the credential was a pair: a first issue.
    assert.equal(recordedState("locoApiDatabase", undefined), undefined);
    assert.equal(recordedState("locoApiDatabase", { issuedAt: "2026-01-01T00:00:00Z", dueAt: "2026-02-01T00:00:00Z" }), undefined);
  });

  test("npm run rotate -- status reads a pair's entry as issue, due and overlap times", () => {
    const entry = alternatingUsersRecord(
      "harborDatabaseUser",
      { active: "b", passwordSetAt: { a: "2026-01-01T00:00:00Z", b: "2026-01-10T00:00:00Z" }, counter: 1 },
      30,
    );
    assert.equal(entry.activeUser, "harbor_b");
    const parsed = parseRecordedRotations(JSON.stringify({ rotation: { harborDatabaseUser: entry } }), "outputs.json");
    assert.deepEqual(parsed.harborDatabaseUser, {
      issuedAt: "2026-01-10T00:00:00Z",
      dueAt: "2026-02-09T00:00:00.000Z",
      overlapUntil: "2026-02-09T00:00:00.000Z",
    });
  });

  test("the counter is read from the stack's rotation config", () => {
    const previous = {
      locoApiDatabase: { state: { active: "a", passwordSetAt: { a: "2026-01-01T00:00:00Z", b: "2026-01-01T00:00:00Z" }, counter: 2 } },
    };
    const rotations = (counter: number) =>
      new RotationRun({ now: "2026-01-02T00:00:00Z", maxAgeDays: 90, overlapHours: 24, counters: { locoApiDatabase: counter }, previous });
    assert.equal(alternatingUsersRotation(rotations(2), "locoApiDatabase").rotate, false);
    assert.equal(alternatingUsersRotation(rotations(3), "locoApiDatabase").changes, "b");
  });

  test("whatever the sequence of counters and clocks, a step changes only the idle user and then makes it active", () => {
    // A seeded generator: 300 sequences of up to 30 runs, each bumping the counter or not and 0-60 days apart.
    let seed = 0x2f6b1d;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % below;
    };
    for (let sequence = 0; sequence < 300; sequence += 1) {
      let time = Date.parse("2026-01-01T00:00:00Z");
      let counter = 0;
      let state: AlternatingUsersState = alternatingUsersStep(undefined, {
        counter,
        now: new Date(time).toISOString(),
        maxAgeDays: 30,
      }).next;
      for (let runs = 1 + random(30); runs > 0; runs -= 1) {
        time += random(61) * 86_400_000;
        counter += random(2);
        const step = alternatingUsersStep(state, { counter, now: new Date(time).toISOString(), maxAgeDays: 30 });
        if (step.rotate) {
          assert.notEqual(step.changes, state.active);
          assert.equal(step.next.active, step.changes);
          assert.equal(step.next.passwordSetAt[state.active], state.passwordSetAt[state.active]);
        } else {
          assert.deepEqual(step.next, state);
        }
        state = step.next;
      }
    }
  });
});

describe("AlternatingDatabaseUsers", () => {
  const database = {
    admin: {
      host: "db.internal",
      port: 25060,
      database: "defaultdb",
      user: "doadmin",
      password: "admin-secret-9z",
      sslmode: "require" as const,
      uri: "x",
    },
    database: "loco",
    pooled: { host: "pool.internal", port: 25061, database: "loco-api" },
    direct: { host: "db.internal", port: 25060, database: "loco" },
  };
  const step = alternatingUsersStep(
    { active: "a", passwordSetAt: { a: "2026-01-01T00:00:00Z", b: "2026-01-01T00:00:00Z" }, counter: 0 },
    { counter: 1, now: "2026-01-05T00:00:00Z", maxAgeDays: 30 },
  );
  const build = () =>
    runComponents(
      () =>
        new AlternatingDatabaseUsers("users", { namespace: "loco-system", jobName: "loco-database-users", database, base: "loco", step }),
    );

  test("the connection is the active user's only, through the pool and direct, and secret", async () => {
    const registered = await build();
    const users = registered.result;
    assert.equal(users.activeUser, "loco_b");
    const connection = await valueOf(users.connection);
    assert.equal(connection.pooled.user, "loco_b");
    assert.match(connection.pooled.uri, /^postgresql:\/\/loco_b:.+@pool\.internal:25061\/loco-api\?sslmode=require$/);
    assert.equal(connection.direct.database, "loco");
    const bPassword = registered.one("random:index/randomPassword:RandomPassword", "users-b-password");
    assert.deepEqual(bPassword.inputs.keepers, { passwordSetAt: "2026-01-05T00:00:00Z" });
  });

  test("the Job runs the setup script from a mounted Secret, as the admin, with no password on its command line", async () => {
    const registered = await build();
    const job = registered.one("kubernetes:batch/v1:Job");
    assert.equal(metadataName(job), setupJobName("loco-database-users", step.next));
    const pod = (job.inputs.spec as Any).template.spec;
    const command = (pod.containers[0].command as string[]).join(" ");
    assert.match(command, /--single-transaction --file \/etc\/alternating-users\/setup\.sql$/);
    const sql = registered.ofType("kubernetes:core/v1:Secret").find((r) => metadataName(r) === "loco-database-users-sql");
    assert.ok(sql);
    const script = (secretValue(sql.inputs.stringData) as Record<string, string>)["setup.sql"];
    assert.match(script, /CREATE ROLE loco NOLOGIN/);
    assert.match(script, /GRANT ALL ON SCHEMA public TO loco;/);
    assert.ok(!command.includes("admin-secret-9z"));
    assert.ok(registered.waitsFor(job, sql));
  });

  test("the Job waits for what the caller waits for (the namespace, the database), though it is a child", async () => {
    const registered = await runComponents(() => {
      const namespace = new k8s.core.v1.Namespace("namespace", { metadata: { name: "loco-system" } });
      return new AlternatingDatabaseUsers(
        "users",
        { namespace: "loco-system", jobName: "loco-database-users", database, base: "loco", step },
        { dependsOn: [namespace] },
      );
    });
    assert.ok(registered.waitsFor(registered.one("kubernetes:batch/v1:Job"), registered.one("kubernetes:core/v1:Namespace")));
  });

  test("a bad name is refused before anything is created", async () => {
    await assert.rejects(
      runComponents(
        () => new AlternatingDatabaseUsers("users", { namespace: "n", jobName: "loco-database-users", database, base: "Loco", step }),
      ),
      /AlternatingDatabaseUsers users: database user name "Loco" must be lowercase/,
    );
    assert.throws(() => setupScript("loco", "loco; DROP", { a: "x", b: "y" }), /database name "loco; DROP" must be lowercase/);
  });
});
