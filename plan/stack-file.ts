/**
 * Reads a stack's config the way the Pulumi CLI hands it to a program (project config from Pulumi.yaml, then
 * Pulumi.<stack>.yaml; objects as JSON strings), without the CLI and without decrypting anything: every
 * `secure:` value becomes a deterministic placeholder, so committed example stack files plan as they are.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { placeholderMarker } from "./cloud-placeholders";
import type { ProgramConfig } from "./mock-runtime";

export interface StackFileConfig extends ProgramConfig {
  readonly project: string;
  readonly stack: string;
  readonly file: string;
  /** Keys whose `secure:` values were replaced by placeholders. */
  readonly placeholderKeys: readonly string[];
}

/** Placeholders that must still look like what they stand for, because config validation checks their shape. */
const shapedPlaceholders: Record<string, string> = {
  "loco:databaseUrl": `postgresql://${placeholderMarker}:${placeholderMarker}@postgres.${placeholderMarker}.invalid:5432/loco`,
};

function readYaml(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return (parse(text) ?? {}) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${path} is not valid YAML: ${(error as Error).message}`);
  }
}

const isSecure = (value: unknown): value is { secure: string } =>
  typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;

/** Replaces `secure:` leaves with placeholders; reports whether any were found. */
function withPlaceholders(key: string, value: unknown): { value: unknown; secret: boolean } {
  if (isSecure(value))
    return { value: shapedPlaceholders[key] ?? `${placeholderMarker}-secret-${key.replace(/[^A-Za-z0-9]/g, "-")}`, secret: true };
  if (Array.isArray(value)) {
    const items = value.map((item, i) => withPlaceholders(`${key}[${i}]`, item));
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => [k, withPlaceholders(`${key}.${k}`, v)] as const);
    return { value: Object.fromEntries(entries.map(([k, r]) => [k, r.value])), secret: entries.some(([, r]) => r.secret) };
  }
  return { value, secret: false };
}

/** Pulumi passes strings as they are and everything else as JSON. */
function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Project-level config: `key: value` or `key: { value: ... }`; keys without a namespace belong to the project. */
function projectConfig(project: string, config: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, declared] of Object.entries(config)) {
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    const value =
      declared && typeof declared === "object" && !Array.isArray(declared) && ("value" in declared || "default" in declared)
        ? ((declared as { value?: unknown; default?: unknown }).value ?? (declared as { default?: unknown }).default)
        : declared;
    if (value !== undefined) result[fullKey] = value;
  }
  return result;
}

export function readStackConfig(projectDir: string, stack: string): StackFileConfig {
  const projectFile = readYaml(join(projectDir, "Pulumi.yaml"));
  const project = String(projectFile.name ?? "");
  if (!project) throw new Error(`${join(projectDir, "Pulumi.yaml")} has no project name`);
  const file = `Pulumi.${stack}.yaml`;
  const stackFile = readYaml(join(projectDir, file));

  const merged = {
    ...projectConfig(project, (projectFile.config ?? {}) as Record<string, unknown>),
    ...((stackFile.config ?? {}) as Record<string, unknown>),
  };
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, raw] of Object.entries(merged).sort(([a], [b]) => a.localeCompare(b))) {
    const { value, secret } = withPlaceholders(key, raw);
    values[key] = asConfigString(value);
    if (secret) secretKeys.push(key);
  }
  return { project, stack, file, values, secretKeys, placeholderKeys: secretKeys };
}
