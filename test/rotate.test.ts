import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { parseStackConfig } from "../stacks/config";
import { rotateCredential } from "../stacks/rotate-credential";
import { projectDir, withOverrides } from "./harness";

function copyOfStack(stack: string): string {
  const dir = mkdtempSync(join(tmpdir(), "loco-rotate-"));
  copyFileSync(join(projectDir, `Pulumi.${stack}.yaml`), join(dir, `Pulumi.${stack}.yaml`));
  return dir;
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
    assert.deepEqual(parsed.rotation, { maxAgeDays: 30, counters: { cloudflareDnsToken: 1 } });
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

  test("a missing stack file is named", () => {
    assert.throws(() => rotateCredential(copyOfStack("dev"), "staging", "cloudflareDnsToken"), /Pulumi\.staging\.yaml not found/);
  });
});
