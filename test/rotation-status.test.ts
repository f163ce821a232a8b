/** `npm run rotate -- status` and `table`, and the credentials table in docs/credentials.md kept current. */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { rotateCommand } from "../cli/rotate";
import { credentialModel, credentialsTable } from "../stacks/credential-model";
import { rotatingCredentialNames } from "../stacks/rotating-credentials";
import { parseRecordedRotations } from "../stacks/rotation-status";
import { isSecret, runStack } from "./harness";

const projectDir = join(__dirname, "..");
const tempDirs: string[] = [];
after(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function copyOfStack(stack: string): string {
  const dir = mkdtempSync(join(tmpdir(), "loco-rotation-status-"));
  tempDirs.push(dir);
  copyFileSync(join(projectDir, `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
  return dir;
}

/** Table rows as trimmed cells, so the comparison ignores the column padding prettier adds. */
const rows = (markdown: string): string[][] =>
  markdown
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|[\s-|]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );

describe("the credentials table", () => {
  test("docs/credentials.md holds the generated table (npm run rotate -- table --write, then prettier)", () => {
    const doc = readFileSync(join(projectDir, "docs", "credentials.md"), "utf8");
    const section = /<!-- credentials-table:start -->\n([\s\S]*?)<!-- credentials-table:end -->/.exec(doc)?.[1];
    assert.ok(section, "docs/credentials.md has its credentials-table markers");
    assert.deepEqual(rows(section), rows(credentialsTable()));
  });

  test("every credential the program rotates is in the model, with at least one consumer", () => {
    for (const name of rotatingCredentialNames) assert.ok(credentialModel[name].consumers.length > 0, name);
  });

  test("table --write refuses a doc without markers", async () => {
    const dir = mkdtempSync(join(tmpdir(), "loco-rotation-docs-"));
    tempDirs.push(dir);
    mkdirSync(join(dir, "docs"));
    writeFileSync(join(dir, "docs", "credentials.md"), "# no markers\n");
    const result = await rotateCommand(["table", "--write"], dir);
    assert.equal(result.code, 1);
  });
});

describe("rotate status", () => {
  test("offline it lists every credential from the stack file, with unknown issue dates", async () => {
    const dir = copyOfStack("dev");
    const result = await rotateCommand(["status", "--stack", "dev", "--json", "--outputs", join(dir, "none.json")], dir);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), `--outputs ${join(dir, "none.json")}: cannot read the file`);

    writeFileSync(join(dir, "outputs.json"), JSON.stringify({ registry: { url: "x" } }));
    const offline = await rotateCommand(["status", "--stack", "dev", "--json", "--outputs", join(dir, "outputs.json")], dir);
    assert.equal(offline.code, 0, offline.stderr);
    const report = JSON.parse(offline.stdout) as { credentials: { name: string; issued: string; overlapOpen: unknown; kind: string }[] };
    const dns = report.credentials.find((c) => c.name === "cloudflareDnsToken");
    assert.deepEqual([dns?.kind, dns?.issued, dns?.overlapOpen], ["two valid at once", "unknown", "unknown"]);
    assert.equal(report.credentials.length, Object.keys(credentialModel).length);
  });

  test("with the recorded rotation output it reports issue, due and an open overlap", async () => {
    const dir = copyOfStack("prod");
    const overlapUntil = new Date(Date.now() + 3_600_000).toISOString();
    writeFileSync(
      join(dir, "outputs.json"),
      JSON.stringify({
        rotation: {
          registryPullRobot: { issuedAt: "2026-01-01T00:00:00Z", dueAt: "2026-03-02T00:00:00Z", overlapUntil },
          grafanaAdminPassword: { issuedAt: "2026-01-01T00:00:00Z", dueAt: "2026-03-02T00:00:00Z" },
        },
      }),
    );
    const result = await rotateCommand(["status", "--stack", "prod", "--outputs", join(dir, "outputs.json")], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /registryPullRobot \(two valid at once; applied: yes\)\n {2}issued 2026-01-01T00:00:00Z, due 2026-03-02T00:00:00Z, overlap open/,
    );
    assert.match(
      result.stdout,
      /grafanaAdminPassword \(single; applied: yes\)\n {2}issued 2026-01-01T00:00:00Z, due 2026-03-02T00:00:00Z, overlap closed/,
    );
  });

  test("a malformed rotation output is refused naming the entry", async () => {
    const dir = copyOfStack("dev");
    writeFileSync(join(dir, "outputs.json"), JSON.stringify({ rotation: { registryPullRobot: { issuedAt: 5 } } }));
    const result = await rotateCommand(["status", "--stack", "dev", "--outputs", join(dir, "outputs.json")], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /rotation\.registryPullRobot must have string issuedAt and dueAt/);
  });

  test("a two-slot credential shows the generation in use, the valid ones, its last step and what the next run does", async () => {
    const dir = copyOfStack("prod");
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const state = {
      active: "b",
      counter: 1,
      slots: { a: { generation: 0, issuedAt: "2026-01-01T00:00:00Z" }, b: { generation: 1, issuedAt: "2026-02-01T00:00:00Z" } },
      overlapUntil: soon,
    };
    const entry = { kind: "two valid at once", phase: "promote", issuedAt: "2026-02-01T00:00:00Z", dueAt: "2026-05-02T00:00:00Z", state };
    writeFileSync(join(dir, "outputs.json"), JSON.stringify({ rotation: { cloudflareDnsToken: { ...entry, overlapUntil: soon } } }));
    const text = await rotateCommand(["status", "--stack", "prod", "--outputs", join(dir, "outputs.json")], dir);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      new RegExp(
        `cloudflareDnsToken \\(two valid at once; applied: yes\\)\n {2}issued 2026-02-01T00:00:00Z, due 2026-05-02T00:00:00Z, overlap open, counter 0\n` +
          ` {2}in use: generation 1; valid: 1, 0; last run: promote; next run: slot a \\(generation 0\\) stays valid until ${soon.replaceAll(".", "\\.")}\n`,
      ),
    );
    const json = await rotateCommand(["status", "--stack", "prod", "--json", "--outputs", join(dir, "outputs.json")], dir);
    const token = (JSON.parse(json.stdout) as { credentials: { name: string; overlapOpen: unknown; steps?: unknown }[] }).credentials.find(
      (c) => c.name === "cloudflareDnsToken",
    );
    assert.deepEqual(token?.steps, {
      last: "promote",
      next: `slot a (generation 0) stays valid until ${soon}`,
      activeGeneration: 1,
      validGenerations: [1, 0],
    });

    writeFileSync(
      join(dir, "outputs.json"),
      JSON.stringify({ rotation: { cloudflareDnsToken: { ...entry, state: { ...state, active: "c" } } } }),
    );
    const broken = await rotateCommand(["status", "--stack", "prod", "--outputs", join(dir, "outputs.json")], dir);
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /rotation\.cloudflareDnsToken\.state\.active must be "a" or "b", got "c"/);
  });

  test("an unknown stack is refused, naming the file", async () => {
    const dir = copyOfStack("dev");
    writeFileSync(join(dir, "outputs.json"), "{}");
    const result = await rotateCommand(["status", "--stack", "staging", "--outputs", join(dir, "outputs.json")], dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^Pulumi\.staging\.yaml not found: "staging" is not a stack of this project/);
  });
});

describe("the stack output rotation status reads", () => {
  test("the program exports issue and due times, not secret, in the shape status parses", { timeout: 300_000 }, async () => {
    const outputs = (await runStack("dev")).stackOutputs;
    const rotation = outputs.rotation as Record<string, unknown>;
    assert.ok(!isSecret(rotation), "the rotation output is readable without --show-secrets");
    const parsed = parseRecordedRotations(JSON.stringify({ rotation }), "stack output");
    assert.deepEqual(Object.keys(parsed).sort(), [
      "clickhouseAdminPassword",
      "clickhouseReaderPassword",
      "clickhouseWriterPassword",
      "cloudflareDnsToken",
      "grafanaAdminPassword",
      "harborDatabaseUser",
      "locoApiDatabase",
      "locoApiSigningKeys",
      "registryBuilderRobot",
      "registryPullRobot",
      "spacesKeys",
    ]);
    for (const entry of Object.values(parsed)) assert.ok(!Number.isNaN(Date.parse(entry.issuedAt)), entry.issuedAt);
  });
});
