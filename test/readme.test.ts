import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { configReference } from "../stacks/config-reference";
import { projectDir } from "./harness";

const readme = readFileSync(join(projectDir, "README.md"), "utf8");
const configReferenceDoc = readFileSync(join(projectDir, "docs", "config-reference.md"), "utf8");

test("the README starts with the two commands a newcomer runs", () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  assert.match(firstBlock, /^npm ci && npm start\b/m);
  assert.match(firstBlock, /^npm test\b/m);
  assert.ok(readme.indexOf("```sh") < readme.indexOf("## "), "the commands come before the first section");
});

test("docs/config-reference.md is the generated one (npm run config:reference)", () => {
  const section = /<!-- config-reference:start -->\n([\s\S]*?)<!-- config-reference:end -->/.exec(configReferenceDoc)?.[1];
  assert.equal(section?.trim(), configReference());
});

test("every relative link in the README and docs/ points at a file that exists", () => {
  // Markdown only: docs/ also holds images (docs/status-page.png).
  const files = [
    "README.md",
    ...readdirSync(join(projectDir, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => join("docs", f)),
  ];
  for (const file of files) {
    const text = readFileSync(join(projectDir, file), "utf8");
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      assert.ok(existsSync(join(projectDir, dirname(file), target)), `${file} links to ${target}, which does not exist`);
    }
  }
});
