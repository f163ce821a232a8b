/**
 * `npm run resurrector -- serve`: its command line, the refusals at start (weak webhook secret, a database
 * without the status tables), and the demo as a real process stopped by SIGTERM: it answers, then exits 0 with
 * its embedded PostgreSQL stopped and its directory removed.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { resurrectorCommand } from "../cli/resurrector";
import { freePort, startEmbeddedPostgres, type EmbeddedDatabase } from "../resurrector/db/embedded-postgres";
import { projectDir } from "./harness";

let database: EmbeddedDatabase;

before(async () => {
  database = await startEmbeddedPostgres("loco");
});

after(async () => {
  await database?.stop();
});

describe("serve's command line", () => {
  test("needs --demo or --database-url, not both, and a port number", async () => {
    const cases: [string[], RegExp][] = [
      [["serve"], /^error: serve needs --database-url \(or LOCO_DATABASE_URL\), or --demo\n/],
      [
        ["serve", "--demo", "--database-url", "postgres://x@h/db"],
        /^error: option '--database-url <url>' cannot be used with option '--demo'\n/,
      ],
      [
        ["serve", "--demo", "--port", "70000"],
        /^error: option '--port <n>' argument '70000' is invalid\. It must be a whole number from 0 to 65535\.\n/,
      ],
      [
        ["serve", "--demo", "--port", "http"],
        /^error: option '--port <n>' argument 'http' is invalid\. It must be a whole number from 0 to 65535\.\n/,
      ],
      [["serve", "--demo", "--verbose"], /^error: unknown option '--verbose'/],
    ];
    for (const [argv, message] of cases) {
      const result = await resurrectorCommand(argv, {});
      assert.equal(result.code, 64, argv.join(" "));
      assert.match(result.stderr, message);
    }
  });

  test("a webhook secret too short to be safe stops it before anything starts", async () => {
    const result = await resurrectorCommand(["serve", "--database-url", database.url, "--port", "0"], {
      LOCO_STATUS_WEBHOOK_SECRET: "hunter2",
    });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "resurrector serve: LOCO_STATUS_WEBHOOK_SECRET must be at least 32 characters (it has 7); e.g. openssl rand -hex 32",
    );
  });

  test("a database without the status page's tables is refused, saying to migrate", async () => {
    const result = await resurrectorCommand(["serve", "--port", "0"], { LOCO_DATABASE_URL: database.url });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "resurrector serve: the resurrector schema is at version none, the status page needs 2: run npm run resurrector -- migrate first",
    );
  });

  test("an unreachable database is one line naming where, without the password", async () => {
    const url = `postgresql://postgres:pa55word@127.0.0.1:${await freePort()}/loco`;
    const result = await resurrectorCommand(["serve", "--database-url", url, "--port", "0"], {});
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^resurrector serve: cannot read the database: /);
    assert.ok(!result.stderr.includes("pa55word"));
  });
});

describe("serve --demo as a process", () => {
  test("serves the page, and on SIGTERM stops its PostgreSQL, removes its directory and exits 0", { timeout: 180_000 }, async () => {
    // Its own temp dir, so what the demo leaves behind can be seen (readable by the postgres user when run as root).
    const temp = mkdtempSync(join(tmpdir(), "loco-serve-test-"));
    chmodSync(temp, 0o755);
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", "cli/resurrector.ts", "serve", "--demo", "--port", String(port)], {
      cwd: projectDir,
      env: { ...process.env, TMPDIR: temp, LOCO_STATUS_WEBHOOK_SECRET: "0123456789abcdef0123456789abcdef" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve --demo did not start in 150 s: ${stdout}${stderr}`)), 150_000);
        child.stdout.on("data", () => {
          if (stdout.includes("Status page on")) {
            clearTimeout(timer);
            resolve();
          }
        });
        void exited.then((code) => reject(new Error(`serve --demo exited (${code}): ${stderr}`)));
      });
      assert.match(stdout, new RegExp(`^Status page on http://127\\.0\\.0\\.1:${port}/ .*Webhook on at /api/alerts/grafana\\.`));
      const status = (await (await fetch(`http://127.0.0.1:${port}/api/status`)).json()) as { version: number; incidents: unknown[] };
      assert.equal(status.version, 1);
      assert.ok(status.incidents.length > 0);
      assert.equal(readdirSync(temp).filter((name) => name.startsWith("loco-resurrector-pg-")).length, 1);
      child.kill("SIGTERM");
      assert.equal(await exited, 0, stderr);
      assert.match(stdout, /Stopped on SIGTERM\.\n$/);
      // (tsx keeps its cache beside it, in tsx-*.)
      assert.deepEqual(
        readdirSync(temp).filter((name) => !name.startsWith("tsx-")),
        [],
      );
    } finally {
      child.kill("SIGKILL");
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
