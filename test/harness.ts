/**
 * Runs a component or the whole program under Pulumi's mocks and hands back what was registered (parents,
 * dependencies, providers, protection, secrecy), so tests read like reviews of a preview. Built on the same
 * recorder as the offline plan: what a test sees is what `npm start` shows.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks, SecretValue, type RecordedResource } from "../plan/mock-runtime";
import { readStackConfig } from "../plan/stack-file";
import { ConfigError, parseStackConfig, type StackConfig } from "../stacks/config";

export { SecretValue };
export type { RecordedResource };

export const projectDir = join(__dirname, "..");

export const isSecret = (value: unknown): value is SecretValue => value instanceof SecretValue;

/** Whether an Output is marked secret (what `pulumi preview` would hide). */
export const outputIsSecret = (output: pulumi.Output<unknown>): Promise<boolean> => pulumi.isSecret(output);

/** An Output's value, for assertions. */
export const valueOf = <T>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply((v) => resolve(v)));

/** The value inside a secret; fails when the value is not a secret, so a test cannot pass on plaintext. */
export function secretValue(value: unknown): unknown {
  if (!isSecret(value)) throw new Error(`expected a secret, got ${JSON.stringify(value)}`);
  return value.value;
}

/** A stack's registered resources, with lookups that fail loudly. */
export class Registered {
  constructor(
    readonly all: readonly RecordedResource[],
    readonly stackOutputs: Record<string, unknown> = {},
  ) {}

  ofType(type: string): RecordedResource[] {
    return this.all.filter((r) => r.type === type);
  }

  /** Exactly one resource of `type` (named `name`, if given). */
  one(type: string, name?: string): RecordedResource {
    const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(
        `expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length} (registered: ${names.join(", ") || "none"})`,
      );
    }
    return found[0];
  }

  byUrn(urn: string): RecordedResource {
    const found = this.all.find((r) => r.urn === urn);
    if (!found) throw new Error(`no resource ${urn}`);
    return found;
  }

  /** Whether the engine would wait for `dependency` before creating `resource` (directly or through others). */
  waitsFor(resource: RecordedResource, dependency: RecordedResource): boolean {
    const seen = new Set<string>();
    const stack = [...resource.dependencies];
    while (stack.length > 0) {
      const urn = stack.pop() as string;
      if (urn === dependency.urn) return true;
      if (seen.has(urn)) continue;
      seen.add(urn);
      stack.push(...(this.all.find((r) => r.urn === urn)?.dependencies ?? []));
    }
    return false;
  }
}

/** Runs `build` (which constructs components) under mocks. */
export async function runComponents<T>(build: () => T): Promise<Registered & { result: T }> {
  const run = await runUnderMocks(build, { stack: "test" });
  return Object.assign(new Registered(run.resources), { result: run.result });
}

/** A config override: a plain value, `{ secret }` for a `--secret` value, or `undefined` to remove the key. */
export type ConfigOverride = unknown | { readonly secret: string } | undefined;

/**
 * Runs the real program (index.ts) with a committed stack file's config, after applying `overrides`
 * ("loco:key" -> value). Objects replace the whole key, as `pulumi config set --path` results would.
 */
export async function runStack(
  stack: string,
  overrides: Record<string, ConfigOverride> = {},
  /** The outputs the stack's last run left, as its StackReference to itself reads them (the rotation state). */
  previousOutputs?: Record<string, unknown>,
): Promise<Registered> {
  const config = withOverrides(stack, overrides);
  const program = require(join(projectDir, "index.ts")) as () => Promise<Record<string, unknown>>;
  const run = await runUnderMocks(program, { project: config.project, stack, config, asStack: true, previousOutputs });
  return new Registered(run.resources, run.stackOutputs);
}

/** A committed stack file's config with overrides applied, in the form Pulumi hands a program. */
export function withOverrides(stack: string, overrides: Record<string, ConfigOverride>) {
  const base = readStackConfig(projectDir, stack);
  const values: Record<string, string> = { ...base.values };
  const secretKeys = new Set(base.secretKeys);
  for (const [key, override] of Object.entries(overrides)) {
    secretKeys.delete(key);
    delete values[key];
    if (override === undefined) continue;
    if (override && typeof override === "object" && "secret" in override) {
      values[key] = String((override as { secret: string }).secret);
      secretKeys.add(key);
    } else {
      values[key] = typeof override === "string" ? override : JSON.stringify(override);
    }
  }
  return { ...base, values, secretKeys: [...secretKeys] };
}

/** A committed stack file's config, with overrides, as the program parses it. */
export function parsedConfig(stack: string, overrides: Record<string, ConfigOverride> = {}): StackConfig {
  const config = withOverrides(stack, overrides);
  return parseStackConfig({ stack, values: config.values, secretKeys: new Set(config.secretKeys) });
}

/** The problems config validation reports for a stack file with overrides, or a failure if it accepts them. */
export function configProblems(stack: string, overrides: Record<string, ConfigOverride>): string[] {
  try {
    parsedConfig(stack, overrides);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return [...error.problems];
  }
  assert.fail(`stack ${stack} with ${JSON.stringify(overrides)} was accepted`);
}
