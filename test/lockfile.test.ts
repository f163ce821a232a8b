import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectDir } from "./harness";

test("the lockfile lists every optional dependency, so `npm ci` on a clean clone accepts it (npm run lock:platforms)", () => {
  const lock = JSON.parse(readFileSync(join(projectDir, "package-lock.json"), "utf8")) as {
    packages: Record<string, { optionalDependencies?: Record<string, string> }>;
  };
  const missing: string[] = [];
  for (const [location, entry] of Object.entries(lock.packages)) {
    for (const dependency of Object.keys(entry.optionalDependencies ?? {})) {
      if (!lock.packages[`node_modules/${dependency}`] && !lock.packages[`${location}/node_modules/${dependency}`])
        missing.push(dependency);
    }
  }
  assert.deepEqual(missing, []);
});
