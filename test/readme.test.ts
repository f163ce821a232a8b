import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { configReference } from "../stacks/config-reference";
import { projectDir } from "./harness";

const readme = readFileSync(join(projectDir, "README.md"), "utf8");

test("the README starts with the two commands a newcomer runs", () => {
  const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  assert.match(firstBlock, /^npm ci && npm start\b/m);
  assert.match(firstBlock, /^npm test\b/m);
  assert.ok(readme.indexOf("```sh") < readme.indexOf("## "), "the commands come before the first section");
});

test("the README's config reference is the generated one (npm run config:reference)", () => {
  const section = /<!-- config-reference:start -->\n([\s\S]*?)<!-- config-reference:end -->/.exec(readme)?.[1];
  assert.equal(section?.trim(), configReference());
});
