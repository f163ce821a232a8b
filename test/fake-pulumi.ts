/**
 * A fake `pulumi` executable for the rebuild's converge phase: a node script written into `<root>/bin/pulumi`
 * (where `PulumiCommand.get({ root })` looks), which records every call (argv, cwd, the environment variables a
 * rebuild sets) as a JSON line and answers the commands the Automation API sends as the CLI does
 * (node_modules/@pulumi/pulumi/automation/{cmd,localWorkspace,stack}.js): `version`, `stack select`,
 * `config get/set`, `refresh`, `up`, `stack history`, `stack output`. Config lives in a state file of its own,
 * never in the project's Pulumi.<stack>.yaml; outputs live beside it, as the backend keeps them apart from any working
 * copy. A command can be told to fail.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FakePulumiCall {
  readonly argv: readonly string[];
  readonly cwd: string;
  /** Only the variables a rebuild cares about. */
  readonly env: Readonly<Record<string, string>>;
}

export interface FakePulumiOptions {
  /** What `pulumi version` prints. @default "v3.210.0" */
  readonly version?: string;
  /** Stacks that exist, with their config ("loco:cluster.generation" -> "1"). @default { prod: {} } */
  readonly stacks?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /**
   * Each stack's outputs as its last run left them in the backend (`stack output --json`), e.g. a rebuild from
   * another container: { prod: { cluster: { generation: 2 } } }. An `up` records the generation it deployed in
   * `cluster.generation`, as the program does. @default none
   */
  readonly outputs?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Commands (first word, e.g. "up") that fail with this message on stderr. */
  readonly failing?: Readonly<Record<string, string>>;
}

export interface FakePulumi {
  /** Pass as `pulumiRoot`. */
  readonly root: string;
  calls(): FakePulumiCall[];
  /** The config of a stack now (values as strings). */
  config(stack: string): Record<string, string>;
  /** The outputs the backend holds for a stack now. */
  outputs(stack: string): Record<string, unknown>;
  close(): void;
}

const recordedEnv = ["LOCO_DELETE_UNREACHABLE", "PULUMI_K8S_DELETE_UNREACHABLE", "PULUMI_AUTOMATION_API", "PULUMI_SKIP_UPDATE_CHECK"];

const script = (logFile: string, stateFile: string, options: FakePulumiOptions) => `#!${process.execPath}
"use strict";
const fs = require("node:fs");
const argv = process.argv.slice(2);
const env = {};
for (const name of ${JSON.stringify(recordedEnv)}) if (process.env[name] !== undefined) env[name] = process.env[name];
fs.appendFileSync(${JSON.stringify(logFile)}, JSON.stringify({ argv, cwd: process.cwd(), env }) + "\\n");
const failing = ${JSON.stringify(options.failing ?? {})};
const state = JSON.parse(fs.readFileSync(${JSON.stringify(stateFile)}, "utf8"));
const save = () => fs.writeFileSync(${JSON.stringify(stateFile)}, JSON.stringify(state));
const flag = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
const fail = (message) => { process.stderr.write("error: " + message + "\\n"); process.exit(255); };
const positional = argv.filter((a, i) => !a.startsWith("--") && !["--stack", "--page-size", "--page", "--event-log", "--exec-kind"].includes(argv[i - 1]));
const verb = positional[0] === "stack" || positional[0] === "config" ? positional[0] + " " + (positional[1] ?? "") : positional[0];
if (failing[positional[0]] !== undefined) fail(failing[positional[0]]);
if (verb === "version") { process.stdout.write(${JSON.stringify(options.version ?? "v3.210.0")} + "\\n"); process.exit(0); }
const stack = flag("--stack");
if (stack !== undefined && !(stack in state)) fail("no stack named '" + stack + "' found");
switch (verb) {
  case "stack select":
    break;
  case "config get": {
    const key = positional[2];
    if (!(key in state[stack])) fail("configuration key '" + key + "' not found for stack '" + stack + "'");
    process.stdout.write(JSON.stringify({ value: state[stack][key], secret: false }) + "\\n");
    break;
  }
  case "config set": {
    const dash = argv.indexOf("--");
    state[stack][positional[2]] = argv[dash + 1];
    save();
    break;
  }
  case "refresh":
  case "up":
    process.stdout.write(verb + "ing (" + stack + ")\\n");
    process.stdout.write("    pulumi:pulumi:Stack loco-platform-" + stack + " running\\n");
    process.stdout.write("Resources:\\n    42 unchanged\\n");
    state.__history = (state.__history ?? 0) + 1;
    state.__last = verb;
    if (verb === "up") {
      const outputs = (state.__outputs[stack] ??= {});
      outputs.cluster = { ...(outputs.cluster ?? {}), generation: Number(state[stack]["loco:cluster.generation"] ?? 1) };
    }
    save();
    break;
  case "stack history":
    process.stdout.write(JSON.stringify([{ version: state.__history ?? 0, kind: state.__last ?? "update", startTime: "2026-11-22T00:00:00Z", endTime: "2026-11-22T00:01:00Z", message: "", environment: {}, config: {}, result: "succeeded", resourceChanges: state.__last === "up" ? { create: 3, delete: 2, same: 40 } : { same: 45 } }]) + "\\n");
    break;
  case "stack output":
    process.stdout.write(JSON.stringify(state.__outputs[stack] ?? {}) + "\\n");
    break;
  default:
    fail("the fake pulumi does not know \`" + argv.join(" ") + "\`");
}
`;

export function fakePulumi(options: FakePulumiOptions = {}): FakePulumi {
  const root = mkdtempSync(join(tmpdir(), "loco-fake-pulumi-"));
  mkdirSync(join(root, "bin"));
  const logFile = join(root, "calls.jsonl");
  const stateFile = join(root, "state.json");
  writeFileSync(stateFile, JSON.stringify({ ...(options.stacks ?? { prod: {} }), __outputs: options.outputs ?? {} }));
  writeFileSync(join(root, "bin", "pulumi"), script(logFile, stateFile, options));
  chmodSync(join(root, "bin", "pulumi"), 0o755);
  return {
    root,
    calls: () =>
      existsSync(logFile)
        ? readFileSync(logFile, "utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => JSON.parse(line) as FakePulumiCall)
        : [],
    config: (stack) => (JSON.parse(readFileSync(stateFile, "utf8")) as Record<string, Record<string, string>>)[stack],
    outputs: (stack) =>
      (JSON.parse(readFileSync(stateFile, "utf8")) as { __outputs: Record<string, Record<string, unknown>> }).__outputs[stack] ?? {},
    close: () => rmSync(root, { recursive: true, force: true }),
  };
}
