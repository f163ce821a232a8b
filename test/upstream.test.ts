/**
 * The upstream reference the strict checks read (test/upstream.ts): present, or a local run says in one line what
 * it skipped, and a CI run fails. The rule itself is proven by running real test files in child processes
 * against an empty reference directory.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { projectDir } from "./harness";
import { isCi, missingUpstreamMessage, missingUpstreamParts, skippedChecksLine, upstreamDirVariable } from "./upstream";

/** Set in the child processes below, so they do not spawn children of their own. */
const childMarker = "LOCO_UPSTREAM_TEST_CHILD";
const isChild = process.env[childMarker] === "1";

const skipped = skippedChecksLine();
// The one line a local run prints about skipped strict checks (each file's skipped tests carry a short reason).
if (skipped && !isCi()) console.log(skipped);

describe("the upstream reference", () => {
  test(
    "every part the strict checks read is there (a local run without it skips them, CI fails)",
    { skip: isCi() || !skipped ? false : "the upstream reference is incomplete: see the line above" },
    () => {
      const missing = missingUpstreamParts();
      assert.deepEqual(missing, [], missing.map((part) => missingUpstreamMessage(part)).join("\n"));
    },
  );
});

// A child run proves the rule on its own tests only; registering nothing here keeps its skip count honest.
if (!isChild)
  describe("strict checks without the upstream reference", () => {
    const empty = mkdtempSync(join(tmpdir(), "loco-upstream-empty-"));
    after(() => rmSync(empty, { recursive: true, force: true }));

    /** Runs test files as `npm test` does, against an empty reference directory; CI as given. */
    const runTests = (ci: string, files: string[]) =>
      new Promise<{ status: number | null; output: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=tap", ...files], {
          cwd: projectDir,
          // Without NODE_TEST_CONTEXT the child is a test run of its own, not a file of this one.
          env: { ...process.env, NODE_TEST_CONTEXT: undefined, CI: ci, [upstreamDirVariable]: empty, [childMarker]: "1" },
          timeout: 180_000,
        });
        let output = "";
        child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
        child.on("error", reject);
        child.on("close", (status) => resolve({ status, output }));
      });

    // Both runs at once: each is a few seconds of start-up, mostly waiting on the loader.
    const files = ["test/chart-values.test.ts", "test/upstream.test.ts"];
    let ciRun: ReturnType<typeof runTests>;
    let localRun: ReturnType<typeof runTests>;
    before(() => {
      ciRun = runTests("true", files);
      localRun = runTests("", files);
    });

    test("under CI=true they fail (not skip), naming the missing file and LOCO_UPSTREAM_DIR", async () => {
      const { status, output } = await ciRun;
      assert.equal(status, 1, output);
      assert.match(output, /^# skipped 0$/m, "nothing is skipped under CI");
      assert.match(output, /the upstream reference is missing \S*charts\/cert-manager\/values\.schema\.json/);
      assert.match(output, /set LOCO_UPSTREAM_DIR to a copy of loco's shared\/upstream directory/);
      assert.match(output, /CI=true never skips them/);
    });

    test("locally they are skipped, and the run prints one line naming them and how to enable them", async () => {
      const { status, output } = await localRun;
      assert.equal(status, 0, output);
      assert.doesNotMatch(output, /^# skipped 0$/m);
      const lines = output.split("\n").filter((line) => /upstream reference not found/.test(line));
      assert.equal(lines.length, 1, lines.join("\n"));
      for (const part of ["pinned CRDs", "values.schema.json", "Harbor's API swagger", "loco's Application CRD", "LOCO_UPSTREAM_DIR"])
        assert.ok(lines[0].includes(part), `the line names ${part}: ${lines[0]}`);
    });
  });
