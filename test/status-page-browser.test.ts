/**
 * The status page in a real browser: headless Chromium from Debian's package (/usr/bin/chromium) driven by
 * playwright-core, never a downloaded browser. What a person sees (states, uptime figures, incidents, the
 * rebuild) with JavaScript off and on, the page's outline for assistive technology, and a screenshot of the demo
 * in out/test-artifacts/status-page.png. Without /usr/bin/chromium the tests skip, except under CI=true.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Pool } from "pg";
import { chromium, type Browser, type Page } from "playwright-core";
import { startStatusService, type StatusService } from "../resurrector/commands/serve-command";
import { connectDatabase } from "../resurrector/db/connect";
import { startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { createDatabasePool } from "../resurrector/db/pool";
import { migrate } from "../resurrector/schema/migrate";
import { recordProbes, type ProbeRecord } from "../resurrector/store/probe-history";
import { setRebuildPhase, startRebuild } from "../resurrector/store/rebuilds";
import { createStatusServer } from "../resurrector/status-page/server";
import { projectDir } from "./harness";

const chromiumPath = "/usr/bin/chromium";
const haveChromium = existsSync(chromiumPath);
if (!haveChromium && process.env.CI === "true") throw new Error(`${chromiumPath} is missing: .ci/run installs Debian's chromium package`);
const skip = haveChromium ? false : `${chromiumPath} is missing (apt-get install chromium); the browser tests are skipped`;
const artifacts = join(projectDir, "out", "test-artifacts");

const now = new Date("2026-11-22T12:00:00Z");
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
let browser: Browser;
let database: EmbeddedDatabase;
let pool: Pool;
let server: Server;
let base: string;
let demo: StatusService | undefined;

const probes = (check: string, state: ProbeRecord["state"], minutes: number[], latencyMs: number | null, detail = ""): ProbeRecord[] =>
  minutes.map((m) => ({ at: minutesAgo(m), check, state, latencyMs, detail }));
const range = (from: number, to: number) => Array.from({ length: from - to + 1 }, (_, i) => from - i);

before(async () => {
  if (skip) return;
  browser = await chromium.launch({ executablePath: chromiumPath });
  database = await startEmbeddedPostgres("loco");
  const client = await connectDatabase(database.url);
  await migrate(client);
  // The API: down for 5 of 100 probes an hour ago (an incident), healthy since. The registry: degraded now.
  await recordProbes(client, [
    ...probes("API", "healthy", range(160, 66), 100),
    ...probes("API", "down", range(65, 61), null, "no answer within 5 seconds"),
    ...probes("API", "healthy", range(60, 1), 100),
    ...probes("Registry", "healthy", range(30, 4), 200),
    ...probes("Registry", "degraded", range(3, 1), 2400, "image pulls are slow"),
    ...probes("Public endpoint", "healthy", range(10, 1), 40),
    ...probes("Dashboard", "healthy", range(10, 1), 150),
    ...probes("Kubernetes control plane", "healthy", range(10, 1), 30),
  ]);
  const rebuild = await startRebuild(client, { cluster: "nyc-prod-1", at: minutesAgo(20), phase: "creating a new cluster" });
  await setRebuildPhase(client, rebuild, { at: minutesAgo(10), phase: "replaying tenant apps" });
  await client.end();
  pool = createDatabasePool(database.url, { applicationName: "status-page-browser-test" });
  server = createStatusServer({ pool, clock: () => now, log: () => undefined });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await browser?.close();
  await demo?.stop();
  if (server) await new Promise((resolve) => server.close(resolve));
  await pool?.end();
  await database?.stop();
});

const text = (page: Page, selector: string) => page.locator(selector).innerText();

async function checkState(page: Page, name: string): Promise<string> {
  return (
    await page
      .locator(".check", { has: page.getByRole("heading", { name, exact: true }) })
      .locator(".state")
      .innerText()
  ).trim();
}

async function uptimeRow(page: Page, name: string): Promise<string[]> {
  const row = page.getByRole("row", { name: new RegExp(`^${name}\\b`) });
  return (await row.locator("td").allInnerTexts()).map((cell) => cell.trim());
}

describe("the status page in Chromium", { skip }, () => {
  for (const javaScriptEnabled of [false, true]) {
    test(`shows states, uptime, incidents and the rebuild with JavaScript ${javaScriptEnabled ? "on" : "off"}`, async () => {
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      const refused: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") refused.push(message.text());
      });
      try {
        const response = await page.goto(`${base}/`);
        assert.equal(response?.status(), 200);
        assert.equal(await page.title(), "loco status: Some systems are degraded");
        assert.equal((await text(page, "#overall-heading")).trim(), "!Some systems are degraded");
        assert.match(await text(page, ".overall"), /As of 2026-11-22 12:00 UTC \(just now\)\./);

        assert.equal(await checkState(page, "API"), "✓Operational");
        assert.equal(await checkState(page, "Registry"), "!Degraded");
        assert.equal(await checkState(page, "Public endpoint"), "✓Operational");
        assert.match(
          await text(page, ".check:has(h3:text-is('Registry')) .meta"),
          /Degraded since 2026-11-22 11:57 UTC \(3 minutes ago\) · answered in 2400 ms · image pulls are slow/,
        );

        // API: 160 probes in the last 24 hours, 5 of them down: 155/160 = 96.875 %, rounded down.
        assert.deepEqual(await uptimeRow(page, "API"), ["96.87 %", "96.87 %", "96.87 %", "median 100 ms, 95th percentile 100 ms"]);
        assert.deepEqual(await uptimeRow(page, "Registry"), ["100.00 %", "100.00 %", "100.00 %", "median 200 ms, 95th percentile 2400 ms"]);

        const rebuild = await text(page, ".rebuild");
        assert.match(rebuild, /Rebuild in progress/);
        assert.match(
          rebuild,
          /Current phase: replaying tenant apps\. Started 2026-11-22 11:40 UTC \(20 minutes ago\), running for 20 min\./,
        );

        const outage = page.locator("article", { has: page.getByRole("heading", { name: "API unavailable" }) });
        assert.match(await outage.innerText(), /✕Down · Resolved · lasted 6 min/);
        assert.match(
          await outage.innerText(),
          /Started 2026-11-22 10:55 UTC \(1 hour ago\); resolved 2026-11-22 11:01 UTC \(59 minutes ago\)\./,
        );
        assert.deepEqual(
          (await outage.locator("ol.timeline li").allInnerTexts()).map((t) => t.trim()),
          [
            "2026-11-22 10:57 UTC (1 hour ago): Opened. Detected automatically after 3 failed probes: API is down: no answer within 5 seconds",
            "2026-11-22 11:01 UTC (59 minutes ago): Resolved. API has answered normally for 2 probes in a row.",
          ],
        );
        const ongoing = page.locator("article", { has: page.getByRole("heading", { name: "Registry degraded" }) });
        assert.match(await ongoing.innerText(), /!Degraded · Ongoing · for 3 min/);

        const bars = page.getByRole("img", { name: /^API, last 90 days:/ });
        assert.equal(
          await bars.getAttribute("aria-label"),
          "API, last 90 days: 0 days without problems, 0 days degraded at times, 1 day down at times, 89 days without data",
        );
        // The inline style ran (its hash is in the policy): the down colour is applied, and nothing was refused.
        assert.equal(
          await page
            .locator(".incident .state-down")
            .first()
            .evaluate(
              (element) => (globalThis as unknown as { getComputedStyle(e: unknown): { color: string } }).getComputedStyle(element).color,
            ),
          "rgb(194, 31, 43)",
        );
        assert.deepEqual(
          refused.filter((m) => /Content Security Policy/.test(m)),
          [],
        );
      } finally {
        await context.close();
      }
    });
  }

  test("the outline: language, landmarks, one h1, and a heading for every section", async () => {
    const page = await browser.newPage({ javaScriptEnabled: false });
    try {
      await page.goto(`${base}/`);
      assert.equal(await page.getAttribute("html", "lang"), "en");
      for (const role of ["banner", "main", "contentinfo"] as const) assert.equal(await page.getByRole(role).count(), 1, role);
      assert.equal(await page.locator("h1").count(), 1);
      assert.deepEqual(
        (await page.locator("h2").allInnerTexts()).map((t) => t.trim()),
        ["!Some systems are degraded", "Rebuild in progress", "Current status", "Incidents", "Uptime and response time"],
      );
      const unlabelled = await page.locator("section:not([aria-labelledby])").count();
      assert.equal(unlabelled, 0);
      assert.equal(await page.getByRole("link", { name: "Skip to the status" }).getAttribute("href"), "#main");
    } finally {
      await page.close();
    }
  });

  test("the demo: what a person sees, and a screenshot in out/test-artifacts/status-page.png", async () => {
    demo = await startStatusService({ demo: true, port: 0, host: "127.0.0.1" }, {}, () => undefined);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    try {
      await page.goto(demo.url);
      assert.equal(await checkState(page, "Registry"), "!Degraded");
      for (const name of ["Public endpoint", "API", "Dashboard", "Kubernetes control plane"])
        assert.equal(await checkState(page, name), "✓Operational", name);
      assert.match(await page.locator("article", { has: page.getByRole("heading", { name: "Registry degraded" }) }).innerText(), /Ongoing/);
      const outage = await page
        .locator("article", { has: page.getByRole("heading", { name: "Kubernetes control plane unavailable" }) })
        .innerText();
      assert.match(outage, /Resolved · lasted 32 min/);
      assert.match(outage, /Update\. The cluster is not coming back; a rebuild from loco's database has started\./);
      assert.match(
        await text(page, "section[aria-labelledby=rebuilds-heading]"),
        /Finished: started .* took 47 min; last phase: replaying tenant apps\./,
      );
      assert.deepEqual((await uptimeRow(page, "Dashboard")).slice(0, 1), ["100.00 %"]);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, "status-page.png"), fullPage: true });
      assert.ok(existsSync(join(artifacts, "status-page.png")));
    } finally {
      await page.close();
    }
  });
});
