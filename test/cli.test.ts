/**
 * Every command of this project, run as a user runs it (`npm run <script> -- ...`, a real process): `--help`
 * lists the options and exits 0, a bad command line exits 64 with one error line and a pointer to `--help`, and a
 * user's mistake never shows a stack trace. The benchmarks' cleanup is proven on a real signal.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { projectDir } from "./harness";

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: projectDir, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const npmRun = (script: string, ...args: string[]) => run("npm", ["run", "-s", script, "--", ...args]);

/** A Node stack frame ("    at fn (file:line:col)"): what a user's mistake must never print. */
const stackFrame = /^\s+at .+:\d+:\d+\)?$/m;

const scripts = (JSON.parse(readFileSync(join(projectDir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
/** Scripts that run a tool of their own rather than one of this project's commands. */
const notCommands = ["test", "test:unit", "typecheck", "lint"];
const commands = Object.keys(scripts).filter((script) => !notCommands.includes(script));
/** The options a command requires, given with the bad one so the unknown option is what commander refuses. */
const requiredOptions: Readonly<Record<string, readonly string[]>> = {
  rotate: ["--stack", "dev"],
  "stack:secrets": ["--stack", "dev"],
  "plan:diff": ["--base", "out", "--head", "out"],
};

describe("every command answers --help and refuses a bad command line the same way", { concurrency: 2, timeout: 600_000 }, () => {
  test("the commands are every script but the test and lint tools, and include each the README lists", () => {
    for (const expected of ["plan", "deps", "rotate", "config:reference", "clickhouse:schema", "resurrector", "bench:plan"]) {
      assert.ok(commands.includes(expected), expected);
    }
    assert.ok(commands.filter((c) => c.startsWith("bench:")).length >= 3);
  });

  for (const script of commands) {
    test(`npm run ${script}`, async () => {
      // Required options are checked before unknown options: give them, so the unknown option is what is wrong.
      const required = requiredOptions[script] ?? [];
      const [help, bad] = await Promise.all([npmRun(script, "--help"), npmRun(script, ...required, "--no-such-option")]);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /^Usage: npm run [\w:]+ -- /);
      if (script !== "start") assert.ok(help.stdout.startsWith(`Usage: npm run ${script} -- `), help.stdout.split("\n")[0]);
      assert.match(help.stdout, /\nOptions:\n/);

      assert.equal(bad.code, 64, bad.stderr);
      assert.equal(bad.stdout, "");
      assert.match(bad.stderr, /^error: unknown option '--no-such-option'\n/);
      assert.match(bad.stderr, /Run `npm run [\w:]+ -- (\w+ )?--help` for the options\.\n$/);
      assert.doesNotMatch(bad.stderr, stackFrame);
    });
  }

  test("npm run plan -- --stack nope: exit 1, the stacks that exist, no stack trace", async () => {
    const result = await npmRun("plan", "--stack", "nope");
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'Pulumi.nope.yaml: not found: "nope" is not a stack of this project (its stacks: dev, local, prod, resurrector-prod)\n',
    );
  });

  test("npm run bench:clickhouse -- --rows abc: exit 64, naming the option", async () => {
    const result = await npmRun("bench:clickhouse", "--rows", "abc");
    assert.equal(result.code, 64);
    assert.match(
      result.stderr,
      /^error: option '--rows <n>' argument 'abc' is invalid\. It must be a whole number from 500000 to 1000000000\.\n/,
    );
    assert.doesNotMatch(result.stderr, stackFrame);
  });

  test("npm run resurrector -- status --timeout never: exit 64, naming the subcommand's help", async () => {
    const result = await npmRun("resurrector", "status", "--kubeconfig", "x", "--timeout", "never");
    assert.equal(result.code, 64);
    assert.match(result.stderr, /^error: option '--timeout <seconds>' argument 'never' is invalid\./);
    assert.match(result.stderr, /Run `npm run resurrector -- status --help` for the options\.\n$/);
  });
});

describe("benchmarks clean up after themselves", { timeout: 120_000 }, () => {
  const scratch = mkdtempSync(join(tmpdir(), "loco-cli-test-"));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  /** A script that makes a temporary directory through the benchmarks' cleanup, reports it, then waits or fails. */
  function benchLike(ending: "wait" | "fail"): string {
    const file = join(scratch, `bench-like-${ending}.ts`);
    writeFileSync(
      file,
      `import { withCleanup } from ${JSON.stringify(join(projectDir, "bench", "cleanup"))};
void withCleanup(async (cleanup) => {
  process.stdout.write(cleanup.temporaryDirectory("loco-cli-test-bench-") + "\\n");
  ${ending === "wait" ? "await new Promise((resolve) => setTimeout(resolve, 60_000));" : 'throw new Error("the benchmark failed");'}
}).catch(() => { process.exitCode = 1; });
`,
    );
    return file;
  }

  test("on Ctrl-C (SIGINT) the temporary directory is removed and the exit code is 130", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", benchLike("wait")], { cwd: projectDir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const directory = await new Promise<string>((resolve) => {
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.endsWith("\n")) resolve(stdout.trim());
      });
    });
    assert.ok(existsSync(directory), "the benchmark made its directory");
    const ended = new Promise<number | null>((resolve) => child.on("close", resolve));
    child.kill("SIGINT");
    assert.equal(await ended, 130, stderr);
    assert.match(stderr, /SIGINT: stopping, removing what the benchmark created/);
    assert.ok(!existsSync(directory), `${directory} was left behind`);
  });

  test("when the benchmark fails the temporary directory is removed too", async () => {
    const result = await run(process.execPath, ["--import", "tsx", benchLike("fail")]);
    assert.equal(result.code, 1);
    const directory = result.stdout.trim();
    assert.match(directory, /loco-cli-test-bench-/);
    assert.ok(!existsSync(directory), `${directory} was left behind`);
  });
});
