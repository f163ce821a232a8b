import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { parse } from "yaml";
import { rotateCommand } from "../cli/rotate";
import { parseStackConfig } from "../stacks/config";
import { rotateCredential, RotationRefusedError } from "../stacks/rotate-credential";
import { projectDir, withOverrides } from "./harness";

const tempDirs: string[] = [];
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function copyOfStack(stack: string): string {
  const dir = mkdtempSync(join(tmpdir(), "loco-rotate-"));
  tempDirs.push(dir);
  copyFileSync(join(projectDir, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  copyFileSync(join(projectDir, `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
  return dir;
}

/** Every file under `dir` with its contents, to prove a refused request changed nothing. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => {
        const path = join(entry.parentPath, entry.name);
        return [path, readFileSync(path, "utf8")];
      }),
  );
}

describe("npm run rotate", () => {
  test("bumps the credential's counter, twice, keeping the file's comments", () => {
    const dir = copyOfStack("prod");
    assert.deepEqual(rotateCredential(dir, "prod", "cloudflareDnsToken"), {
      file: "Pulumi.prod.yaml",
      credential: "cloudflareDnsToken",
      from: 0,
      to: 1,
    });
    assert.equal(rotateCredential(dir, "prod", "cloudflareDnsToken").to, 2);
    const text = readFileSync(join(dir, "Pulumi.prod.yaml"), "utf8");
    assert.equal(parse(text).config["loco:rotation"].counters.cloudflareDnsToken, 2);
    assert.ok(text.startsWith("# loco prod."), "the header comment survives");
  });

  test("the bumped file is still valid config, with the other rotation defaults kept", () => {
    const dir = copyOfStack("dev");
    rotateCredential(dir, "dev", "cloudflareDnsToken");
    const rotation = parse(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8")).config["loco:rotation"];
    const config = withOverrides("dev", { "loco:rotation": rotation });
    const parsed = parseStackConfig({ stack: "dev", values: config.values, secretKeys: new Set(config.secretKeys) });
    assert.deepEqual(parsed.rotation, { maxAgeDays: 30, overlapHours: 24, counters: { cloudflareDnsToken: 1 } });
  });

  test("an unknown credential is refused and the file is untouched", () => {
    const dir = copyOfStack("dev");
    const before = readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8");
    assert.throws(() => rotateCredential(dir, "dev", "cloudflareToken"), /known: .*cloudflareDnsToken/);
    assert.equal(readFileSync(join(dir, "Pulumi.dev.yaml"), "utf8"), before);
  });

  test("a counter that is not a number is not overwritten", () => {
    const dir = copyOfStack("dev");
    writeFileSync(join(dir, "Pulumi.dev.yaml"), "config:\n  loco:rotation:\n    counters:\n      cloudflareDnsToken: soon\n");
    assert.throws(() => rotateCredential(dir, "dev", "cloudflareDnsToken"), /not a non-negative integer/);
  });

  test("a missing stack file is named, with the stacks that exist", () => {
    assert.throws(
      () => rotateCredential(copyOfStack("dev"), "staging", "cloudflareDnsToken"),
      new RotationRefusedError('Pulumi.staging.yaml not found: "staging" is not a stack of this project (its stacks: dev)'),
    );
  });

  test("a stack name with ../ never reaches a file outside the project", () => {
    const root = mkdtempSync(join(tmpdir(), "loco-rotate-"));
    tempDirs.push(root);
    const project = join(root, "project");
    mkdirSync(project);
    copyFileSync(join(projectDir, "Pulumi.dev.yaml"), join(project, "Pulumi.dev.yaml"));
    // A stack file beside the project: `Pulumi.${stack}.yaml` with stack x/../../Pulumi.victim is ../Pulumi.victim.yaml.
    writeFileSync(join(root, "Pulumi.victim.yaml"), "config:\n  loco:rotation:\n    counters: {}\n");
    const before = snapshot(root);
    for (const stack of ["x/../../Pulumi.victim", "../Pulumi.victim", "..", "dev/../dev", ""]) {
      assert.throws(() => rotateCredential(project, stack, "cloudflareDnsToken"), RotationRefusedError, JSON.stringify(stack));
    }
    assert.deepEqual(snapshot(root), before);
  });

  test("a broken stack file is refused with its line, not its content", () => {
    const dir = copyOfStack("dev");
    writeFileSync(join(dir, "Pulumi.dev.yaml"), "config:\n  loco:digitaloceanToken: dop_v1_abc: x\n");
    assert.throws(
      () => rotateCredential(dir, "dev", "cloudflareDnsToken"),
      new RotationRefusedError("Pulumi.dev.yaml:2:27: not valid YAML: a second ': ' on one line: quote a value that contains ': '"),
    );
  });
});

describe("the rotate command line", () => {
  test("bumps the counter and says what to run next", async () => {
    const dir = copyOfStack("dev");
    const result = await rotateCommand(["--stack", "dev", "grafanaAdminPassword"], dir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Pulumi\.dev\.yaml: loco:rotation\.counters\.grafanaAdminPassword 0 -> 1\.\nNext: `pulumi preview -s dev`/,
    );
  });

  test("a credential it does not rotate is a bad command line, with a suggestion", async () => {
    const result = await rotateCommand(["--stack", "dev", "grafanaAdminPasword"], copyOfStack("dev"));
    assert.equal(result.code, 64);
    assert.match(result.stderr, /It is not a credential this platform rotates \(did you mean grafanaAdminPassword\?\)/);
  });

  test("--stack ../x is refused as a bad command line and nothing is touched", async () => {
    const dir = copyOfStack("dev");
    const before = snapshot(dir);
    const result = await rotateCommand(["--stack", "../x", "grafanaAdminPassword"], dir);
    assert.equal(result.code, 64);
    assert.match(result.stderr, /The stack "\.\.\/x" looks like a path/);
    assert.deepEqual(snapshot(dir), before);
  });

  test("a refusal from the stack file exits 1 with its message alone", async () => {
    const result = await rotateCommand(["--stack", "staging", "grafanaAdminPassword"], copyOfStack("dev"));
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'Pulumi.staging.yaml not found: "staging" is not a stack of this project (its stacks: dev)');
  });
});
