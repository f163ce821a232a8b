/**
 * The project's own modules import one way: a circle (a layer importing back from what composes it) makes load order
 * decide whether a value is defined yet, and makes every file in the circle a place a change has to be checked.
 * Type-only imports count too: they tie the files together just the same for a reader.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { describe, test } from "node:test";
import * as ts from "typescript";
import { projectDir } from "./harness";

/** Folders that are not the project's own program: dependencies, generated output, and the tests themselves. */
const skipped = new Set(["node_modules", "out", "test", ".git"]);

function sourceFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith(".") || skipped.has(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The project files a file imports (import, export-from, require, import()); packages are left out. */
function localImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles
    .map((imported) => imported.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => resolve(dirname(file), specifier))
    .map((base) => [`${base}.ts`, join(base, "index.ts"), base].find((candidate) => candidate.endsWith(".ts") && existsSync(candidate)))
    .filter((found): found is string => found !== undefined);
}

/**
 * Every knot of mutually importing `.ts` files under `root`, each as one circle through it (a path of files that
 * returns to its start), followed by the knot's other files when the circle does not pass through all of them.
 */
function importCycles(root: string): string[] {
  const graph = new Map(sourceFiles(root).map((file) => [file, localImports(file)]));
  // Tarjan's strongly connected components: a component of more than one file (or a file importing itself) is a circle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (file: string) => {
    indexOf.set(file, index);
    lowLink.set(file, index);
    index++;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        lowLink.set(file, Math.min(lowLink.get(file) as number, lowLink.get(next) as number));
      } else if (onStack.has(next)) {
        lowLink.set(file, Math.min(lowLink.get(file) as number, indexOf.get(next) as number));
      }
    }
    if (lowLink.get(file) === indexOf.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || (graph.get(file) ?? []).includes(file)) components.push(component);
    }
  };
  for (const file of [...graph.keys()].sort()) if (!indexOf.has(file)) visit(file);
  return components.map((component) => {
    const circle = shortestCircle(component, graph);
    const others = component.filter((file) => !circle.includes(file)).map((file) => relative(root, file));
    const path = circle.map((file) => relative(root, file)).join(" -> ");
    return others.length > 0 ? `${path} (also in this knot: ${others.sort().join(", ")})` : path;
  });
}

/** One concrete circle through a component's alphabetically first file, for a message a reader can follow. */
function shortestCircle(component: readonly string[], graph: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0];
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const next of graph.get(file) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [file];
        while (path[0] !== start) path.unshift(previous.get(path[0]) as string);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

describe("the import graph", () => {
  test("no import circle among the project's own modules", () => {
    const cycles = importCycles(projectDir);
    assert.deepEqual(
      cycles,
      [],
      "each line is a circle: move what both sides need into a module both import (lib/ or a stacks/ module of its own)",
    );
  });

  test("the check finds a circle, through type-only imports and require too, and names its files", () => {
    const root = mkdtempSync(join(tmpdir(), "loco-imports-"));
    try {
      mkdirSync(join(root, "stacks"));
      writeFileSync(join(root, "stacks", "platform.ts"), 'import { layer } from "./layer";\nexport const rotation = 1;\nlayer();\n');
      writeFileSync(join(root, "stacks", "layer.ts"), 'import type { Foundation } from "./foundation";\nexport const layer = () => 1;\n');
      writeFileSync(
        join(root, "stacks", "foundation.ts"),
        'const { rotation } = require("./platform");\nexport type Foundation = typeof rotation;\n',
      );
      writeFileSync(join(root, "stacks", "leaf.ts"), 'import { layer } from "./layer";\nlayer();\n');
      assert.deepEqual(importCycles(root), ["stacks/foundation.ts -> stacks/platform.ts -> stacks/layer.ts -> stacks/foundation.ts"]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
