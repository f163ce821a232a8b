import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { runUnderMocks } from "../plan/mock-runtime";
import { minimumPulumiVersion, requireEngineSupport } from "../stacks/engine-version";
import { projectDir, withOverrides } from "./harness";

describe("the Pulumi engine must honour replacementTrigger", () => {
  test("3.208.0 is the oldest CLI that does (rotation of issued credentials depends on it)", () => {
    assert.equal(minimumPulumiVersion, "3.208.0");
  });

  test("Pulumi.yaml requires it, so a CLI that reads requiredPulumiVersion refuses before running anything", () => {
    const project = parse(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as { requiredPulumiVersion?: string };
    assert.equal(project.requiredPulumiVersion, ">=3.208.0");
  });

  test("the README asks for that version, not the one that silently never rotates", () => {
    const readme = readFileSync(join(projectDir, "README.md"), "utf8");
    assert.match(readme, /Pulumi CLI\]\([^)]*\) 3\.208 or newer/);
    assert.doesNotMatch(readme, /3\.170/);
  });

  test("an older engine stops the run with one line saying what to do", async () => {
    const older = async (range: string) => {
      throw new Error(`Pulumi CLI version 3.170.0 does not satisfy the version range "${range}"`);
    };
    await assert.rejects(requireEngineSupport(older), (error: Error) => {
      assert.match(error.message, /^this program needs Pulumi CLI 3\.208\.0 or newer/);
      assert.match(error.message, /3\.170\.0 does not satisfy/);
      assert.match(error.message, /never rotate/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });

  test("an engine too old to report its version is refused too", async () => {
    const ancient = async () => {
      throw new Error("The installed version of the CLI does not support the `RequirePulumiVersion` RPC. Please upgrade the Pulumi CLI.");
    };
    await assert.rejects(requireEngineSupport(ancient), /needs Pulumi CLI 3\.208\.0 or newer: this CLI is too old to report its version/);
  });

  test("a recent engine passes, asked for exactly that range", async () => {
    const asked: string[] = [];
    await requireEngineSupport(async (range) => {
      asked.push(range);
    });
    assert.deepEqual(asked, [">=3.208.0"]);
  });

  test("the program checks the engine before it registers anything", async () => {
    const settings = require("@pulumi/pulumi/runtime/settings") as { requirePulumiVersion: (range: string) => Promise<void> };
    const real = settings.requirePulumiVersion;
    settings.requirePulumiVersion = async (range) => {
      throw new Error(`Pulumi CLI version 3.200.0 does not satisfy the version range "${range}"`);
    };
    try {
      const program = require(join(projectDir, "index.ts")) as () => Promise<unknown>;
      const run = await runUnderMocks(
        () =>
          program().then(
            () => undefined,
            (error: unknown) => error,
          ),
        { stack: "dev", config: withOverrides("dev", {}) },
      );
      assert.match(String(run.result), /needs Pulumi CLI 3\.208\.0 or newer/);
      assert.deepEqual(run.resources, []);
    } finally {
      settings.requirePulumiVersion = real;
    }
  });
});
