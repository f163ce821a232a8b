/**
 * The resurrector's image cannot be built here (no Docker engine) and hadolint is not installed, so this lints
 * docker/resurrector/Dockerfile for the rules the image must keep: pinned base images, downloads verified by
 * checksum, a non-root user, no `latest`, no dev dependencies. A small line parser is enough for a file this plain.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { projectDir } from "./harness";

interface Instruction {
  readonly keyword: string;
  readonly argument: string;
  readonly line: number;
}

/** Instructions with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (pending === undefined && (line === "" || line.startsWith("#"))) return;
    if (pending !== undefined && line.startsWith("#")) return;
    const joined = pending === undefined ? { text: line, line: index + 1 } : { text: `${pending.text} ${line}`, line: pending.line };
    if (joined.text.endsWith("\\")) {
      pending = { text: joined.text.slice(0, -1).trim(), line: joined.line };
      return;
    }
    pending = undefined;
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(joined.text);
    if (!match) throw new Error(`line ${joined.line}: not an instruction: ${joined.text}`);
    instructions.push({ keyword: match[1].toUpperCase(), argument: match[2], line: joined.line });
  });
  return instructions;
}

/** Every rule the file breaks, as "line N: what". Pure, so the rules themselves are tested on bad files. */
function dockerfileProblems(text: string): string[] {
  const instructions = parseDockerfile(text);
  const problems: string[] = [];
  const stages = new Set<string>();
  for (const { keyword, argument, line } of instructions) {
    if (keyword === "FROM") {
      const [image, as, stage] = argument.split(/\s+/);
      if (as?.toUpperCase() === "AS" && stage) stages.add(stage);
      if (stages.has(image)) continue;
      const pinned = /@sha256:[0-9a-f]{64}$/.test(image) || /:[0-9]+\.[0-9]+\.[0-9]+[A-Za-z0-9.-]*$/.test(image);
      if (!pinned) problems.push(`line ${line}: base image ${image} is not pinned to a digest or an exact version tag`);
    }
    if (/\blatest\b/.test(argument)) problems.push(`line ${line}: uses latest`);
    if (
      keyword === "RUN" &&
      /\b(curl|wget)\b/.test(argument) &&
      /https?:\/\//.test(argument) &&
      !/sha256sum\s+(-c|--check)\b/.test(argument)
    ) {
      problems.push(`line ${line}: downloads without verifying a checksum in the same RUN (sha256sum -c)`);
    }
    if (keyword === "RUN" && /\bnpm (ci|install)\b/.test(argument) && !/--omit=dev\b/.test(argument)) {
      problems.push(`line ${line}: installs dev dependencies (chdb, eslint, ...): use --omit=dev`);
    }
    if (keyword === "RUN" && /\bchdb\b/.test(argument)) problems.push(`line ${line}: installs chdb, which the resurrector never runs`);
  }
  const lastStageStart = instructions.map((i) => i.keyword).lastIndexOf("FROM");
  const users = instructions.slice(lastStageStart).filter((i) => i.keyword === "USER");
  const user = users.at(-1)?.argument.split(":")[0];
  if (user === undefined) problems.push("the final stage has no USER: it would run as root");
  else if (user === "root" || user === "0") problems.push(`the final stage runs as ${user}`);
  return problems;
}

const dockerfile = join(projectDir, "docker", "resurrector", "Dockerfile");

describe("the resurrector's Dockerfile", () => {
  test("keeps every rule", () => {
    assert.deepEqual(dockerfileProblems(readFileSync(dockerfile, "utf8")), []);
  });

  test("pins the Pulumi CLI and doctl to exact versions", () => {
    const text = readFileSync(dockerfile, "utf8");
    assert.match(text, /^ARG PULUMI_VERSION=\d+\.\d+\.\d+$/m);
    assert.match(text, /^ARG DOCTL_VERSION=\d+\.\d+\.\d+$/m);
  });

  test("the resurrector command the App spec runs is in the image and executable", () => {
    assert.match(readFileSync(dockerfile, "utf8"), /^COPY docker\/resurrector\/resurrector \/usr\/local\/bin\/resurrector$/m);
    assert.ok((statSync(join(projectDir, "docker", "resurrector", "resurrector")).mode & 0o111) !== 0);
  });
});

describe("the Dockerfile rules catch", () => {
  const good = "FROM node:20.19.5-bookworm-slim\nUSER node\n";
  test("an unpinned or latest base image", () => {
    assert.deepEqual(dockerfileProblems("FROM node\nUSER node\n"), [
      "line 1: base image node is not pinned to a digest or an exact version tag",
    ]);
    assert.deepEqual(dockerfileProblems("FROM node:latest\nUSER node\n"), [
      "line 1: base image node:latest is not pinned to a digest or an exact version tag",
      "line 1: uses latest",
    ]);
    assert.deepEqual(dockerfileProblems(`FROM node@sha256:${"a".repeat(64)}\nUSER node\n`), []);
  });

  test("a download without a checksum, across continuation lines", () => {
    const text = `${good}RUN curl -fsSLO https://example.com/x.tgz \\\n && tar -xzf x.tgz\n`;
    assert.deepEqual(dockerfileProblems(text), ["line 3: downloads without verifying a checksum in the same RUN (sha256sum -c)"]);
    assert.deepEqual(dockerfileProblems(`${good}RUN curl -fsSLO https://example.com/x.tgz \\\n && sha256sum -c sums.txt\n`), []);
  });

  test("root or no user in the final stage only", () => {
    assert.deepEqual(dockerfileProblems("FROM node:20.19.5 AS build\nUSER node\nFROM node:20.19.5\n"), [
      "the final stage has no USER: it would run as root",
    ]);
    assert.deepEqual(dockerfileProblems("FROM node:20.19.5\nUSER 0:0\n"), ["the final stage runs as 0"]);
  });

  test("dev dependencies and chdb", () => {
    assert.deepEqual(dockerfileProblems(`${good}RUN npm ci\n`), ["line 3: installs dev dependencies (chdb, eslint, ...): use --omit=dev"]);
  });
});
