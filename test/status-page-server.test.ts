/**
 * The status page's HTTP server, over real HTTP against a real PostgreSQL: the JSON format (version 1), the
 * page's headers, methods and paths, and the Grafana webhook's authentication and payload handling.
 */
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import type { Pool } from "pg";
import { connectDatabase } from "../resurrector/db/connect";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { createDatabasePool } from "../resurrector/db/pool";
import { migrate } from "../resurrector/schema/migrate";
import { recordProbes, type ProbeRecord } from "../resurrector/store/probe-history";
import { setRebuildPhase, startRebuild } from "../resurrector/store/rebuilds";
import { createStatusServer } from "../resurrector/status-page/server";

const secret = "s3cr3t-for-tests-0123456789abcdef-xyz";
const now = new Date("2026-11-22T12:00:00Z");
let database: EmbeddedDatabase;
let pool: Pool;
const servers: Server[] = [];
const logs: string[] = [];
let base: string;

async function serve(options: Partial<Parameters<typeof createStatusServer>[0]> = {}): Promise<string> {
  const server = createStatusServer({ pool, webhookSecret: secret, clock: () => now, log: (line) => logs.push(line), ...options });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const probes = (check: string, state: ProbeRecord["state"], minutes: number[], latencyMs: number | null, detail = ""): ProbeRecord[] =>
  minutes.map((m) => ({ at: new Date(now.getTime() - m * 60_000), check, state, latencyMs, detail }));

before(async () => {
  database = await startEmbeddedPostgres("loco");
  const client = await connectDatabase(database.url);
  await migrate(client);
  await recordProbes(client, [
    ...probes("API", "healthy", [50, 40, 30, 20, 10, 5], 120),
    ...probes("Registry", "degraded", [4, 3, 2], 2400, "image pulls are slow"),
    ...probes("Public endpoint", "healthy", [2], 45),
  ]);
  const rebuild = await startRebuild(client, {
    cluster: "nyc-prod-1",
    at: new Date(now.getTime() - 20 * 60_000),
    phase: "creating a new cluster",
  });
  await setRebuildPhase(client, rebuild, { at: new Date(now.getTime() - 10 * 60_000), phase: "replaying tenant apps" });
  await client.end();
  pool = createDatabasePool(database.url, { applicationName: "status-page-test" });
  base = await serve();
});

after(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await pool?.end();
  await database?.stop();
});

const grafana = (status: "firing" | "resolved", labels: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  receiver: "loco-webhook",
  status,
  orgId: 1,
  alerts: [
    {
      status,
      labels,
      annotations: { summary: "internal detail for on-call" },
      startsAt: "2026-11-22T11:58:00Z",
      endsAt: "0001-01-01T00:00:00Z",
      fingerprint: "f1",
      ...extra,
    },
  ],
  groupLabels: { alertname: labels.alertname },
  version: "1",
});

function postAlert(body: unknown, headers: Record<string, string> = { authorization: `Bearer ${secret}` }) {
  return fetch(`${base}/api/alerts/grafana`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("GET /api/status", () => {
  test("is format version 1 with each check's state, uptime, response time, incidents and the rebuild", async () => {
    const response = await fetch(`${base}/api/status`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    const body = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(body.version, 1);
    assert.equal(body.generatedAt, "2026-11-22T12:00:00.000Z");
    assert.equal(body.state, "degraded");
    assert.deepEqual(
      body.checks.map((c: { name: string; state: string }) => [c.name, c.state]),
      [
        ["Public endpoint", "healthy"],
        ["API", "healthy"],
        ["Dashboard", "unknown"],
        ["Registry", "degraded"],
        ["Kubernetes control plane", "unknown"],
      ],
    );
    const api = body.checks[1];
    assert.deepEqual(Object.keys(api), [
      "name",
      "description",
      "state",
      "since",
      "lastProbeAt",
      "latencyMs",
      "detail",
      "uptime",
      "responseTimeMs",
      "days",
    ]);
    assert.equal(api.since, "2026-11-22T11:10:00.000Z");
    assert.equal(api.lastProbeAt, "2026-11-22T11:55:00.000Z");
    assert.equal(api.latencyMs, 120);
    assert.deepEqual(api.uptime["24h"], { percent: 100, probes: 6, healthy: 6, degraded: 0, down: 0 });
    assert.deepEqual(api.uptime["7d"], { percent: 100, probes: 6, healthy: 6, degraded: 0, down: 0 });
    assert.deepEqual(api.uptime["90d"], { percent: 100, probes: 6, healthy: 6, degraded: 0, down: 0 });
    // Six answers of 120 ms: exact over 24 hours; over 90 days interpolated in the (100, 150] bucket, ranks 3 and 5.7 of 6.
    assert.deepEqual(api.responseTimeMs, { "24h": { p50: 120, p95: 120 }, "90d": { p50: 125, p95: 148 } });
    assert.equal(api.days.length, 90);
    assert.deepEqual(api.days[89], { date: "2026-11-22", healthy: 6, degraded: 0, down: 0 });
    const dashboard = body.checks[2];
    assert.deepEqual(dashboard.uptime["24h"], { percent: null, probes: 0, healthy: 0, degraded: 0, down: 0 });
    assert.deepEqual(body.incidents.length, 1);
    const [incident] = body.incidents;
    assert.deepEqual(
      { ...incident, id: typeof incident.id },
      {
        id: "string",
        title: "Registry degraded",
        impact: "degraded",
        state: "open",
        source: "probe",
        check: "Registry",
        startedAt: "2026-11-22T11:56:00.000Z",
        resolvedAt: null,
        updates: [
          {
            at: "2026-11-22T11:58:00.000Z",
            kind: "opened",
            message: "Detected automatically after 3 failed probes: Registry is degraded: image pulls are slow",
          },
        ],
      },
    );
    assert.deepEqual(body.rebuild, {
      state: "running",
      phase: "replaying tenant apps",
      startedAt: "2026-11-22T11:40:00.000Z",
      finishedAt: null,
    });
    assert.ok(!JSON.stringify(body).includes("nyc-prod-1"), "the guarded cluster's name is not published");
  });
});

describe("the page's HTTP", () => {
  test("GET / is HTML with a policy that admits only its own inline style and script", async () => {
    const response = await fetch(`${base}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/html; charset=utf-8");
    const policy = response.headers.get("content-security-policy") ?? "";
    assert.match(policy, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; script-src 'sha256-[A-Za-z0-9+/=]+';/);
    assert.match(policy, /frame-ancestors 'none'/);
    assert.equal(response.headers.get("x-content-type-options"), "nosniff");
    assert.equal(response.headers.get("referrer-policy"), "no-referrer");
    assert.equal(response.headers.get("x-frame-options"), "DENY");
    const html = await response.text();
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.match(html, /Current phase: <strong>replaying tenant apps<\/strong>/);
  });

  test("HEAD answers as GET without a body", async () => {
    const get = await fetch(`${base}/api/status`);
    const head = await fetch(`${base}/api/status`, { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), get.headers.get("content-length"));
    assert.equal(await head.text(), "");
  });

  test("an unknown path is 404, a wrong method 405 with Allow", async () => {
    assert.equal((await fetch(`${base}/admin`)).status, 404);
    const put = await fetch(`${base}/`, { method: "PUT", body: "x" });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get("allow"), "GET, HEAD");
    const get = await fetch(`${base}/api/alerts/grafana`);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get("allow"), "POST");
    assert.equal((await fetch(`${base}/?q=<script>`)).status, 200);
  });

  test("/healthz answers when the database does; the page says so when it does not", async () => {
    assert.equal(await (await fetch(`${base}/healthz`)).text(), "ok\n");
    const deadPool = createDatabasePool(`postgresql://postgres:x@127.0.0.1:${await freePort()}/loco`, { applicationName: "dead" });
    const dead = await serve({ pool: deadPool });
    try {
      const response = await fetch(`${dead}/`);
      assert.equal(response.status, 503);
      assert.equal(response.headers.get("retry-after"), "30");
      assert.equal(await response.text(), "The status is unavailable right now; try again in a minute.\n");
      assert.equal((await fetch(`${dead}/healthz`)).status, 503);
      assert.ok(logs.some((line) => /^status page: GET \/ failed: /.test(line)));
    } finally {
      await deadPool.end();
    }
  });
});

describe("POST /api/alerts/grafana", () => {
  test("without credentials it is refused with 401 and logged, saying why", async () => {
    const response = await postAlert(grafana("firing", { alertname: "Unauthenticated" }), {});
    assert.equal(response.status, 401);
    assert.equal(response.headers.get("www-authenticate"), 'Bearer realm="loco-status"');
    assert.deepEqual(await response.json(), { error: "unauthorized" });
    assert.match(logs.at(-1) ?? "", /^webhook: refused POST \/api\/alerts\/grafana from 127\.0\.0\.1: no Authorization header$/);
  });

  test("a wrong secret is refused, and neither it nor the real one reaches the log", async () => {
    const presented = "a-guess-that-is-wrong-but-long-enough-0000";
    for (const headers of [
      { authorization: `Bearer ${presented}` },
      { authorization: `Basic ${Buffer.from(`grafana:${presented}`).toString("base64")}` },
      { authorization: `Token ${secret}` },
      { authorization: `Bearer ${secret.slice(0, -1)}` },
    ]) {
      const response = await postAlert(grafana("firing", { alertname: "Wrong secret" }), headers);
      assert.equal(response.status, 401, headers.authorization);
    }
    const refusals = logs.filter((line) => line.startsWith("webhook: refused"));
    assert.ok(refusals.some((line) => line.endsWith("wrong credentials")));
    assert.ok(refusals.some((line) => line.endsWith("unsupported Authorization scheme (use Bearer or Basic)")));
    for (const line of logs) {
      assert.ok(!line.includes(presented) && !line.includes(secret.slice(0, 12)), line);
    }
    const status = (await (await fetch(`${base}/api/status`)).json()) as { incidents: { title: string }[] };
    assert.ok(!status.incidents.some((i) => i.title === "Wrong secret"));
  });

  test("with the secret, a firing alert opens an incident and its resolution closes it", async () => {
    const firing = await postAlert(
      grafana(
        "firing",
        { alertname: "Telemetry ingest stopped", team: "platform" },
        { annotations: { public_summary: "Logs arrive late." } },
      ),
    );
    assert.equal(firing.status, 200);
    const opened = (await firing.json()) as { accepted: number; opened: string[] };
    assert.equal(opened.accepted, 1);
    assert.equal(opened.opened.length, 1);
    const basic = `Basic ${Buffer.from(`grafana:${secret}`).toString("base64")}`;
    const resolved = await postAlert(grafana("resolved", { alertname: "Telemetry ingest stopped", team: "platform" }), {
      authorization: basic,
    });
    assert.equal(resolved.status, 200);
    assert.deepEqual(((await resolved.json()) as { resolved: string[] }).resolved, opened.opened);
    const status = (await (await fetch(`${base}/api/status`)).json()) as {
      incidents: { id: string; title: string; source: string; state: string; updates: { message: string }[] }[];
    };
    const incident = status.incidents.find((i) => i.id === opened.opened[0]);
    assert.equal(incident?.title, "Telemetry ingest stopped");
    assert.equal(incident?.source, "alert");
    assert.equal(incident?.state, "resolved");
    assert.equal(incident?.updates[0].message, "Logs arrive late.");
    assert.ok(!JSON.stringify(status).includes("internal detail for on-call"), "Grafana's own summary is not published");
  });

  test("an alert about one tenant is acknowledged but opens nothing", async () => {
    const response = await postAlert(grafana("firing", { alertname: "App 5xx rate above 5%", AppName: "acme-shop", WorkspaceId: "7" }));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { accepted: 0, skipped: 1, opened: [], updated: [], resolved: [] });
    assert.match(logs.at(-1) ?? "", /skipped alerts\[0\] about one tenant \(label AppName\), not the platform/);
    const status = await (await fetch(`${base}/api/status`)).text();
    assert.ok(!status.includes("acme-shop") && !status.includes("App 5xx"));
  });

  test("a body that is not a Grafana notification is a 400 naming what is wrong", async () => {
    const notJson = await postAlert("{nope");
    assert.equal(notJson.status, 400);
    assert.deepEqual(await notJson.json(), { error: "the body is not JSON" });
    const badStatus = await postAlert({ status: "firing", alerts: [{ status: "burning", labels: {} }] });
    assert.equal(badStatus.status, 400);
    assert.match(((await badStatus.json()) as { error: string }).error, /^not a Grafana webhook notification: alerts\[0\]\.status: /);
  });

  test("a body of the wrong type is a 415, one over the limit a 413", async () => {
    const text = await fetch(`${base}/api/alerts/grafana`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "text/plain" },
      body: "{}",
    });
    assert.equal(text.status, 415);
    const small = await serve({ maxBodyBytes: 1024 });
    const large = await fetch(`${small}/api/alerts/grafana`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify(grafana("firing", { alertname: "x".repeat(2000) })),
    });
    assert.equal(large.status, 413);
    assert.deepEqual(await large.json(), { error: "the body is larger than 1024 bytes" });
  });

  test("without a secret the webhook is not served; a weak secret is refused at start", async () => {
    const open = await serve({ webhookSecret: undefined });
    const response = await fetch(`${open}/api/alerts/grafana`, {
      method: "POST",
      body: "{}",
      headers: { "content-type": "application/json" },
    });
    assert.equal(response.status, 404);
    assert.throws(
      () => createStatusServer({ pool, webhookSecret: "short" }),
      /LOCO_STATUS_WEBHOOK_SECRET must be at least 32 characters \(it has 5\)/,
    );
  });
});
