/**
 * The stacks CI knows about: every Pulumi.<stack>.yaml in the project, so a new stack file is planned, checked,
 * previewed and deployed without touching a workflow. A stack's environment decides which GitHub environment
 * (and so which secrets and which approval rule) its CI jobs run in; `local` stacks run on a laptop, never in CI.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { environmentOfStack } from "../policy/stack-environment";

export interface StackFile {
  readonly stack: string;
  /** Pulumi.<stack>.yaml, relative to the project. */
  readonly file: string;
  /** `loco:environment` when the file sets it, else what the stack's name says (see policy/stack-environment.ts). */
  readonly environment: string;
  /**
   * Config keys whose committed `secure:` value is the placeholder `v1:placeholder:...`: CI must provide each one
   * from the GitHub environment's secrets (delivery/stack-secrets.ts) before a real run.
   */
  readonly placeholderSecretKeys: readonly string[];
}

const stackFilePattern = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/;
export const secretPlaceholderPrefix = "v1:placeholder:";

const isSecure = (value: unknown): value is { secure: unknown } =>
  !!value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;

/** Paths (`loco:key` or `loco:key.nested`) of every placeholder `secure:` value, however deep. */
function placeholderKeys(value: unknown, path: string): string[] {
  if (isSecure(value)) return typeof value.secure === "string" && value.secure.startsWith(secretPlaceholderPrefix) ? [path] : [];
  if (!value || typeof value !== "object" || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([key, child]) => placeholderKeys(child, path ? `${path}.${key}` : key));
}

export function readStackFile(projectDir: string, stack: string): StackFile {
  const file = `Pulumi.${stack}.yaml`;
  if (!existsSync(join(projectDir, file))) throw new Error(`there is no stack ${stack}: ${file} does not exist`);
  let document: { config?: Record<string, unknown> } | null;
  try {
    document = parse(readFileSync(join(projectDir, file), "utf8")) as { config?: Record<string, unknown> } | null;
  } catch (error) {
    throw new Error(`${file} is not valid YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const config = document?.config ?? {};
  const declared = config["loco:environment"];
  return {
    stack,
    file,
    environment: typeof declared === "string" ? declared : environmentOfStack(stack),
    placeholderSecretKeys: placeholderKeys(config, "").sort(),
  };
}

/** Every stack file of the project, sorted by stack name. */
export function listStacks(projectDir: string): StackFile[] {
  return readdirSync(projectDir)
    .map((name) => stackFilePattern.exec(name)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort()
    .map((stack) => readStackFile(projectDir, stack));
}

/** The environment whose stacks run only on a developer's machine. */
export const localEnvironment = "local";

/** Stacks CI deploys, grouped by environment: `{ dev: ["dev", "resurrector-dev"], prod: [...] }`. */
export function deployedStacksByEnvironment(stacks: readonly StackFile[]): Record<string, string[]> {
  const byEnvironment: Record<string, string[]> = {};
  for (const s of stacks) {
    if (s.environment === localEnvironment) continue;
    (byEnvironment[s.environment] ??= []).push(s.stack);
  }
  return byEnvironment;
}
