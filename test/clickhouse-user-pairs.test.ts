/**
 * ClickHouse's writer (otel_a / otel_b) and reader (grafana_a / grafana_b) pairs as a sequence of runs of the real
 * program under the mocks, each run fed the `rotation` output the previous one recorded: which user is active, whose
 * password changes, what the gateway collector and Grafana log in as, when each rolls, and what a failed run in the
 * middle leads to. The mock's RandomPassword returns one value per resource name, so a password change is read where
 * the engine decides it: a change of the password's keepers replaces it.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { ClickHouseUserPair, clickhouseUsersJobName, clickhouseUsersScript } from "../components/clickhouse-user-pair";
import { alternatingUsersStep, type UserSlot } from "../components/alternating-users";
import { credentialsIssuedAtAnnotation } from "../components/secrets";
import { runComponents, runStack, secretValue, type RecordedResource, type Registered } from "./harness";

// Values are deep, chart-shaped trees; the tests read them like a reviewer reads the YAML.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tree = any;

/** What the offline mock generates for RandomPassword `name` (plan/cloud-placeholders.ts): one value per name. */
const mockPassword = (name: string) => `offline-placeholder${createHash("sha256").update(name).digest("hex")}`.slice(0, 32);

const metadataName = (r: RecordedResource) => (r.inputs.metadata as { name?: string } | undefined)?.name;
const releaseValues = (registered: Registered, release: string) =>
  registered.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === release)?.inputs.values as Tree;
const named = (registered: Registered, type: string, name: string) => {
  const found = registered.ofType(type).filter((r) => metadataName(r) === name);
  assert.equal(found.length, 1, `one ${type} named ${name}`);
  return found[0];
};

interface PairView {
  /** The `rotation` output entry the next run is fed. */
  readonly recorded: Record<string, unknown>;
  readonly active: UserSlot;
  /** The keepers of each user's password: a change replaces that password. */
  readonly keepers: Record<UserSlot, string>;
  /** The password the consumer's Secret holds, and which slot's generated password it is. */
  readonly secretSlot: UserSlot;
  readonly jobName: string;
  readonly script: string;
}

interface RunView {
  readonly writer: PairView;
  readonly reader: PairView;
  /** The user in the gateway collector's ClickHouse exporter, and its pods' annotation. */
  readonly collectorUser: string;
  readonly collectorStamp: string;
  /** The user in Grafana's ClickHouse datasource, and its pod's annotation. */
  readonly grafanaUser: string;
  readonly grafanaStamp: string;
  /** The ClickHouse server pods' annotation: a pair's rotation must not restart the server. */
  readonly serverStamp: string;
  readonly registered: Registered;
}

function pairView(registered: Registered, rotation: Record<string, Record<string, unknown>>, role: "writer" | "reader"): PairView {
  const credential = role === "writer" ? "clickhouseWriterPassword" : "clickhouseReaderPassword";
  const base = role === "writer" ? "otel" : "grafana";
  const passwords = registered
    .ofType("random:index/randomPassword:RandomPassword")
    .filter((r) => r.name.includes(`-clickhouse-${role}-users-`));
  const password = (slot: UserSlot) => {
    const found = passwords.find((r) => r.name.endsWith(`-${slot}-password`));
    assert.ok(found, `${role} ${slot} password`);
    return found;
  };
  const secret = named(registered, "kubernetes:core/v1:Secret", `clickhouse-${base}`);
  const held = String((secretValue(secret.inputs.stringData) as Record<string, unknown>).password);
  const sql = named(registered, "kubernetes:core/v1:Secret", `clickhouse-users-${base}-sql`);
  const jobs = registered.ofType("kubernetes:batch/v1:Job").filter((j) => metadataName(j)?.startsWith(`clickhouse-users-${base}-`));
  assert.equal(jobs.length, 1, `one setup Job for ${base}`);
  const recorded = rotation[credential];
  return {
    recorded,
    active: (recorded.state as { active: UserSlot }).active,
    keepers: {
      a: (password("a").inputs.keepers as { passwordSetAt: string }).passwordSetAt,
      b: (password("b").inputs.keepers as { passwordSetAt: string }).passwordSetAt,
    },
    secretSlot:
      held === mockPassword(password("a").name) ? "a" : held === mockPassword(password("b").name) ? "b" : assert.fail("neither password"),
    jobName: metadataName(jobs[0]) as string,
    script: (secretValue(sql.inputs.stringData) as Record<string, string>)["setup.sql"],
  };
}

/** One run of the local stack at `now`, from `previous` (the last recorded rotation output), with the counters. */
async function run(now: string, previous: Record<string, unknown>, counters: { writer?: number; reader?: number } = {}): Promise<RunView> {
  const registered = await runStack(
    "local",
    {
      "loco:rotation": {
        maxAgeDays: 30,
        overlapHours: 24,
        counters: { clickhouseWriterPassword: counters.writer ?? 0, clickhouseReaderPassword: counters.reader ?? 0 },
        now,
      },
    },
    { rotation: previous },
  );
  const rotation = registered.stackOutputs.rotation as Record<string, Record<string, unknown>>;
  const gateway = releaseValues(registered, "otel-gateway");
  const grafana = releaseValues(registered, "grafana");
  const datasource = (grafana.datasources["datasources.yaml"].datasources as Tree[]).find((d) => d.uid === "loco-clickhouse");
  return {
    writer: pairView(registered, rotation, "writer"),
    reader: pairView(registered, rotation, "reader"),
    collectorUser: gateway.config.exporters.clickhouse.username,
    collectorStamp: gateway.podAnnotations[credentialsIssuedAtAnnotation],
    grafanaUser: datasource.jsonData.username,
    grafanaStamp: grafana.podAnnotations[credentialsIssuedAtAnnotation],
    serverStamp: releaseValues(registered, "clickhouse").clickhouse.podAnnotations[credentialsIssuedAtAnnotation],
    registered,
  };
}

const previousOf = (view: RunView) => ({ clickhouseWriterPassword: view.writer.recorded, clickhouseReaderPassword: view.reader.recorded });

describe("ClickHouse's writer and reader pairs, run after run", () => {
  test(
    "first issue, a requested writer rotation, a quiet run, an aged rotation of both: one user changes per pair, never the active one",
    { timeout: 600_000 },
    async () => {
      const first = await run("2026-05-01T00:00:00.000Z", {});
      assert.deepEqual([first.writer.active, first.collectorUser, first.writer.secretSlot], ["a", "otel_a", "a"]);
      assert.deepEqual([first.reader.active, first.grafanaUser, first.reader.secretSlot], ["a", "grafana_a", "a"]);
      assert.deepEqual(first.writer.keepers, { a: "2026-05-01T00:00:00.000Z", b: "2026-05-01T00:00:00.000Z" });
      assert.equal(first.writer.recorded.activeUser, "otel_a");
      assert.equal(first.reader.recorded.dueAt, "2026-05-31T00:00:00.000Z");
      assert.match(first.writer.script, /^CREATE ROLE IF NOT EXISTS otel;\nGRANT INSERT, SELECT ON otel\.\* TO otel;\n/);
      assert.match(first.reader.script, /^CREATE ROLE IF NOT EXISTS grafana;\nGRANT SELECT ON otel\.\* TO grafana;\n/);

      // `npm run rotate` bumped the writer's counter: otel_b (idle) gets a new password and the collector switches.
      const requested = await run("2026-05-03T00:00:00.000Z", previousOf(first), { writer: 1 });
      assert.deepEqual([requested.writer.active, requested.collectorUser, requested.writer.secretSlot], ["b", "otel_b", "b"]);
      assert.equal(requested.writer.keepers.a, first.writer.keepers.a, "otel_a, whose inserts are in flight, keeps its password");
      assert.notEqual(requested.writer.keepers.b, first.writer.keepers.b, "the idle user's password is replaced");
      assert.notEqual(requested.collectorStamp, first.collectorStamp, "the gateway's pods roll onto otel_b");
      assert.notEqual(requested.writer.jobName, first.writer.jobName, "the setup Job runs again");
      assert.equal(requested.serverStamp, first.serverStamp, "the ClickHouse server does not restart");
      // The reader's pair is untouched: Grafana neither switches nor rolls.
      assert.deepEqual(
        [requested.grafanaUser, requested.grafanaStamp, requested.reader.jobName],
        [first.grafanaUser, first.grafanaStamp, first.reader.jobName],
      );

      // Nothing due: nothing is replaced, re-run or rolled.
      const quiet = await run("2026-05-10T00:00:00.000Z", previousOf(requested), { writer: 1 });
      assert.deepEqual(quiet.writer.keepers, requested.writer.keepers);
      assert.deepEqual([quiet.collectorStamp, quiet.grafanaStamp], [requested.collectorStamp, requested.grafanaStamp]);
      assert.deepEqual([quiet.writer.jobName, quiet.reader.jobName], [requested.writer.jobName, requested.reader.jobName]);
      assert.deepEqual(quiet.writer.recorded, requested.writer.recorded);

      // The scheduled run: the reader's password (set May 1) is 30 days old on May 31, the writer's (May 3) on June 2.
      const aged = await run("2026-06-02T00:00:00.000Z", previousOf(quiet), { writer: 1 });
      assert.deepEqual([aged.writer.active, aged.collectorUser, aged.writer.secretSlot], ["a", "otel_a", "a"]);
      assert.equal(aged.writer.keepers.b, quiet.writer.keepers.b);
      assert.equal(aged.writer.keepers.a, "2026-06-02T00:00:00.000Z");
      assert.deepEqual([aged.reader.active, aged.grafanaUser, aged.reader.secretSlot], ["b", "grafana_b", "b"]);
      assert.equal(aged.reader.keepers.a, quiet.reader.keepers.a);
      assert.notEqual(aged.grafanaStamp, quiet.grafanaStamp, "Grafana rolls onto grafana_b");
      assert.equal(aged.serverStamp, first.serverStamp);
    },
  );

  test("a run that fails records nothing: the next run repeats the step on the same idle user", { timeout: 600_000 }, async () => {
    const first = await run("2026-05-01T00:00:00.000Z", {});
    // This run fails after replacing grafana_b's password (the setup Job or Grafana's rollout failed): its outputs are lost.
    const failed = await run("2026-05-03T00:00:00.000Z", previousOf(first), { reader: 1 });
    assert.deepEqual([failed.reader.active, failed.grafanaUser], ["b", "grafana_b"]);
    // The next run starts from the last recorded state again and takes the same step: grafana_b once more, with a
    // password set anew (the failed run's may or may not have reached ClickHouse).
    const retried = await run("2026-05-03T06:00:00.000Z", previousOf(first), { reader: 1 });
    assert.deepEqual([retried.reader.active, retried.grafanaUser, retried.reader.secretSlot], ["b", "grafana_b", "b"]);
    assert.equal(retried.reader.keepers.a, first.reader.keepers.a, "grafana_a, still used by a Grafana that did not roll, is untouched");
    assert.notEqual(retried.reader.keepers.b, failed.reader.keepers.b);
    assert.notEqual(retried.reader.jobName, failed.reader.jobName, "a new Job, so the script runs with the new password");
    assert.deepEqual([retried.writer.keepers, retried.collectorUser], [first.writer.keepers, first.collectorUser]);
  });

  test(
    "the pair's state is recorded only once its consumer's release is in place; consumers wait for the setup",
    { timeout: 300_000 },
    async () => {
      const view = await run("2026-05-01T00:00:00.000Z", {});
      const { registered } = view;
      const gateway = registered.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "otel-gateway")!;
      const grafana = registered.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "grafana")!;
      const job = (base: string) =>
        registered.ofType("kubernetes:batch/v1:Job").find((j) => metadataName(j)?.startsWith(`clickhouse-users-${base}-`))!;
      assert.ok(registered.waitsFor(gateway, job("otel")), "the gateway logs in as otel_* only once the setup made it");
      assert.ok(registered.waitsFor(grafana, job("grafana")), "Grafana logs in as grafana_* only once the setup made it");
      const migrate = registered.ofType("kubernetes:batch/v1:Job").find((j) => j.name.endsWith("-clickhouse-migrate"))!;
      assert.ok(registered.waitsFor(job("otel"), migrate), "the users are made on a server that is up");
    },
  );
});

describe("ClickHouseUserPair", () => {
  const step = alternatingUsersStep(
    { active: "a", passwordSetAt: { a: "2026-01-01T00:00:00Z", b: "2026-01-01T00:00:00Z" }, counter: 0 },
    { counter: 1, now: "2026-01-05T00:00:00Z", maxAgeDays: 30 },
  );
  const args = {
    namespace: "observability",
    base: "otel",
    grants: ["INSERT, SELECT ON otel.*"],
    step,
    host: "clickhouse.observability.svc.cluster.local",
    adminPasswordSecret: "clickhouse-admin",
    serverReady: [],
  };

  test("the Job runs the script from a mounted Secret as `default`, with no pair password in its spec", async () => {
    const registered = await runComponents(() => new ClickHouseUserPair("pair", args));
    assert.equal(registered.result.activeUser, "otel_b");
    assert.equal(registered.result.consumerStamp, "otel_b@2026-01-05T00:00:00Z");
    const job = registered.one("kubernetes:batch/v1:Job");
    assert.equal(metadataName(job), clickhouseUsersJobName("otel", step.next));
    const pod = (job.inputs.spec as Tree).template.spec;
    const container = pod.containers[0];
    assert.match(container.command.join(" "), /--queries-file \/etc\/clickhouse-users\/setup\.sql$/);
    assert.deepEqual(container.env.find((e: Tree) => e.name === "CLICKHOUSE_PASSWORD").valueFrom.secretKeyRef, {
      name: "clickhouse-admin",
      key: "password",
    });
    assert.equal(container.env.find((e: Tree) => e.name === "CLICKHOUSE_USER").value, "default");
    for (const slot of ["a", "b"]) {
      assert.ok(!JSON.stringify(job.inputs).includes(mockPassword(`pair-${slot}-password`)), "no generated password in the Job");
    }
    const active = named(registered, "kubernetes:core/v1:Secret", "clickhouse-otel");
    assert.equal((secretValue(active.inputs.stringData) as Record<string, string>).password, mockPassword("pair-b-password"));
    const sql = named(registered, "kubernetes:core/v1:Secret", "clickhouse-users-otel-sql");
    assert.ok(registered.waitsFor(job, sql));
  });

  test("the script is the role, its grants and both users, each statement ended", () => {
    const script = clickhouseUsersScript("grafana", ["SELECT ON otel.*"], { a: "pa", b: "pb" });
    assert.equal(
      script,
      [
        "CREATE ROLE IF NOT EXISTS grafana;",
        "GRANT SELECT ON otel.* TO grafana;",
        "CREATE USER IF NOT EXISTS grafana_a IDENTIFIED WITH sha256_password BY 'pa';",
        "ALTER USER grafana_a IDENTIFIED WITH sha256_password BY 'pa';",
        "GRANT grafana TO grafana_a;",
        "ALTER USER grafana_a DEFAULT ROLE grafana;",
        "CREATE USER IF NOT EXISTS grafana_b IDENTIFIED WITH sha256_password BY 'pb';",
        "ALTER USER grafana_b IDENTIFIED WITH sha256_password BY 'pb';",
        "GRANT grafana TO grafana_b;",
        "ALTER USER grafana_b DEFAULT ROLE grafana;",
        "",
      ].join("\n"),
    );
  });

  test("a bad base or grant is refused before anything is created", async () => {
    await assert.rejects(
      runComponents(() => new ClickHouseUserPair("pair", { ...args, base: "Otel" })),
      /ClickHouseUserPair pair: base must be/,
    );
    await assert.rejects(
      runComponents(() => new ClickHouseUserPair("pair", { ...args, grants: ["ALL ON *.*; DROP TABLE x"] })),
      /ClickHouseUserPair pair: ClickHouse grant "ALL ON \*\.\*; DROP TABLE x"/,
    );
  });
});
