/**
 * Phase 1 of a rebuild (resurrector/rebuild/pulumi-converger.ts) through the real Automation API against a fake
 * `pulumi` executable (test/fake-pulumi.ts): the exact command lines, the environment that turns deleteUnreachable
 * on, and the one-line refusal of a missing or too old CLI before any other command runs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, describe, test } from "node:test";
import { pulumiConverger, PulumiCliError, requirePulumiCli } from "../resurrector/rebuild/pulumi-converger";
import { fakePulumi, type FakePulumi } from "./fake-pulumi";

const projectRoot = resolve(__dirname, "..");
const fakes: FakePulumi[] = [];
const fake = (options: Parameters<typeof fakePulumi>[0] = {}) => {
  const created = fakePulumi(options);
  fakes.push(created);
  return created;
};
after(() => {
  for (const created of fakes) created.close();
});

const certificate = {
  "loco-public-tls": { "tls.crt": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", "tls.key": "key" },
};

describe("the converger drives the Pulumi CLI through the Automation API", () => {
  test("reads the generation, sets it, hands the certificate over as a secret, refreshes, then runs up", async () => {
    const pulumi = fake({ stacks: { prod: { "loco:cluster.generation": "1" } } });
    const converger = pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root });
    assert.equal(await converger.currentGeneration("prod"), 1);
    const lines: string[] = [];
    const report = await converger.converge("prod", { generation: 2, preservedCertificates: certificate, onOutput: (l) => lines.push(l) });

    const calls = pulumi.calls();
    assert.deepEqual(
      calls.map((c) => c.argv),
      [
        ["version"],
        ["stack", "select", "--stack", "prod", "--non-interactive"],
        ["config", "get", "--path", "loco:cluster.generation", "--json", "--stack", "prod", "--non-interactive"],
        ["stack", "output", "--json", "--stack", "prod", "--non-interactive"],
        ["stack", "output", "--json", "--show-secrets", "--stack", "prod", "--non-interactive"],
        ["stack", "select", "--stack", "prod", "--non-interactive"],
        ["config", "set", "--path", "loco:cluster.generation", "--stack", "prod", "--plaintext", "--non-interactive", "--", "2"],
        [
          "config",
          "set",
          "loco:preservedCertificates",
          "--stack",
          "prod",
          "--secret",
          "--non-interactive",
          "--",
          JSON.stringify(certificate),
        ],
        ["refresh", "--skip-preview", "--yes", "--exec-kind", "auto.local", "--stack", "prod", "--non-interactive"],
        ["stack", "history", "--json", "--show-secrets", "--page-size", "1", "--page", "1", "--stack", "prod", "--non-interactive"],
        ["up", "--yes", "--skip-preview", "--exec-kind", "auto.local", "--stack", "prod", "--non-interactive"],
        ["stack", "output", "--json", "--stack", "prod", "--non-interactive"],
        ["stack", "output", "--json", "--show-secrets", "--stack", "prod", "--non-interactive"],
        ["stack", "history", "--json", "--show-secrets", "--page-size", "1", "--page", "1", "--stack", "prod", "--non-interactive"],
      ],
    );
    assert.ok(
      calls.every((c) => c.cwd === projectRoot),
      "every command runs in the project's root",
    );
    for (const call of calls.filter((c) => c.argv[0] === "refresh" || c.argv[0] === "up")) {
      assert.equal(call.env.LOCO_DELETE_UNREACHABLE, "true", call.argv.join(" "));
      assert.equal(call.env.PULUMI_K8S_DELETE_UNREACHABLE, "true", call.argv.join(" "));
    }
    assert.equal(pulumi.config("prod")["loco:cluster.generation"], "2");
    assert.deepEqual(report, {
      generation: 2,
      preservedCertificates: ["loco-public-tls"],
      refresh: { result: "succeeded", durationMs: report.refresh.durationMs },
      up: { result: "succeeded", durationMs: report.up.durationMs, resourceChanges: { create: 3, delete: 2, same: 40 } },
    });
    assert.ok(lines.includes("uping (prod)") && lines.includes("refreshing (prod)"), lines.join("\n"));
  });

  test("a stack file that leaves the generation to its default is generation 1; no certificate, no certificate config", async () => {
    const pulumi = fake();
    const converger = pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root });
    assert.equal(await converger.currentGeneration("prod"), 1);
    await converger.converge("prod", { generation: 2, preservedCertificates: {} });
    assert.ok(!pulumi.calls().some((c) => c.argv.includes("loco:preservedCertificates")));
  });

  test("a second rebuild from a fresh container reads the generation the backend deployed, not its stale stack file", async () => {
    // The first rebuild converged prod to 2 in another container; this one's copy of the project still says 1.
    const pulumi = fake({ stacks: { prod: { "loco:cluster.generation": "1" } }, outputs: { prod: { cluster: { generation: 2 } } } });
    const converger = pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root });
    assert.equal(await converger.currentGeneration("prod"), 2);
  });

  test("a stack file ahead of the backend (an operator raised it, not yet deployed) keeps its generation", async () => {
    const pulumi = fake({ stacks: { prod: { "loco:cluster.generation": "3" } }, outputs: { prod: { cluster: { generation: 2 } } } });
    const converger = pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root });
    assert.equal(await converger.currentGeneration("prod"), 3);
  });

  test("up leaves the converged generation in the backend, where the next rebuild reads it", async () => {
    const pulumi = fake({ stacks: { prod: { "loco:cluster.generation": "1" } } });
    const converger = pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root });
    await converger.converge("prod", { generation: 2, preservedCertificates: {} });
    assert.deepEqual(pulumi.outputs("prod"), { cluster: { generation: 2 } });
    const freshContainer = fake({ stacks: { prod: { "loco:cluster.generation": "1" } }, outputs: { prod: pulumi.outputs("prod") } });
    assert.equal(await pulumiConverger({ workDir: projectRoot, pulumiRoot: freshContainer.root }).currentGeneration("prod"), 2);
  });

  test("a recorded generation that is not a whole number is one line naming the stack and the output", async () => {
    const pulumi = fake({ outputs: { prod: { cluster: { generation: "two" } } } });
    const converger = pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root });
    await assert.rejects(converger.currentGeneration("prod"), (error: Error) => {
      assert.ok(error instanceof PulumiCliError);
      assert.match(error.message, /^stack prod: stack output cluster\.generation is "two", not a whole number from 1/);
      return true;
    });
  });

  test("a failing up is one line naming the step and the CLI's error", async () => {
    const pulumi = fake({ failing: { up: "update failed: the DigitalOcean API said 422" } });
    const converger = pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root });
    await assert.rejects(converger.converge("prod", { generation: 3, preservedCertificates: {} }), (error: Error) => {
      assert.ok(error instanceof PulumiCliError);
      assert.equal(error.message, "up of stack prod failed: error: update failed: the DigitalOcean API said 422");
      return true;
    });
  });

  test("an unknown stack is said plainly", async () => {
    const pulumi = fake();
    const converger = pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root });
    await assert.rejects(
      converger.currentGeneration("staging"),
      /^PulumiCliError: cannot select stack staging in .*no stack named 'staging' found$/,
    );
  });
});

describe("the CLI is checked before anything else happens", () => {
  test("a CLI older than 3.208 is refused in one line, after `pulumi version` and nothing else", async () => {
    const pulumi = fake({ version: "v3.150.0" });
    const converger = pulumiConverger({ workDir: projectRoot, pulumiRoot: pulumi.root });
    await assert.rejects(converger.preflight(), (error: Error) => {
      assert.ok(error instanceof PulumiCliError);
      assert.match(error.message, /^the Pulumi CLI \(.*\/bin\/pulumi\) is 3\.150\.0; a rebuild needs 3\.208\.0 or newer/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
    await assert.rejects(converger.converge("prod", { generation: 2, preservedCertificates: {} }), PulumiCliError);
    assert.deepEqual(
      pulumi.calls().map((c) => c.argv),
      [["version"]],
    );
  });

  test("a missing CLI is refused in one line", async () => {
    const empty = mkdtempSync(join(tmpdir(), "loco-no-pulumi-"));
    try {
      await assert.rejects(requirePulumiCli(empty), (error: Error) => {
        assert.ok(error instanceof PulumiCliError);
        assert.match(error.message, /^the Pulumi CLI was not found \(.*\/bin\/pulumi\): a rebuild needs Pulumi CLI 3\.208\.0 or newer/);
        return true;
      });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test("a CLI at exactly 3.208.0 is accepted", async () => {
    const pulumi = fake({ version: "v3.208.0" });
    assert.equal((await requirePulumiCli(pulumi.root)).version?.version, "3.208.0");
  });
});
