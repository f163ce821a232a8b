/**
 * Reads a stack's config the way the Pulumi CLI hands it to a program (project config from Pulumi.yaml, then
 * Pulumi.<stack>.yaml; objects as JSON strings), without the CLI and without decrypting anything: every
 * `secure:` value becomes a deterministic placeholder, so committed example stack files plan as they are.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseYamlFile, YamlFileError } from "../lib/yaml-file";
import { assertStackName, stacksHint } from "../stacks/stack-name";
import { isResurrectorStack } from "../stacks/resurrector-config";
import { placeholderEpoch, placeholderMarker } from "./cloud-placeholders";
import type { ProgramConfig } from "./mock-runtime";

/** The rotation settings; their `now` is the rotation run's clock (stacks/rotation-state.ts). */
const rotationConfigKey = "loco:rotation";

export interface StackFileConfig extends ProgramConfig {
  readonly project: string;
  readonly stack: string;
  readonly file: string;
  /** Keys whose `secure:` values were replaced by placeholders. */
  readonly placeholderKeys: readonly string[];
}

/** A stack file (or Pulumi.yaml) that is missing or is not the YAML it should be: the message says where and what. */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

/**
 * Placeholders that must still look like what they stand for, because config validation checks their shape:
 * a URL where a URL is required, a JSON object (restoring no certificate) where JSON is.
 */
export const shapedPlaceholders: Readonly<Record<string, string>> = {
  "loco:databaseUrl": `postgresql://${placeholderMarker}:${placeholderMarker}@postgres.${placeholderMarker}.invalid:5432/loco`,
  "loco:databaseAdminUrl": `postgresql://doadmin:${placeholderMarker}@postgres.${placeholderMarker}.invalid:25060/defaultdb?sslmode=require`,
  "loco:alertWebhookUrl": `https://${placeholderMarker}.invalid/alert-webhook`,
  "loco:preservedCertificates": "{}",
};

/** `file` (a name inside `projectDir`) as a map; missing, unreadable or broken files get one message per problem. */
function readYamlMap(projectDir: string, file: string, missing: () => string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(join(projectDir, file), "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") throw new StackFileError(missing());
    throw new StackFileError(`${file}: cannot be read (${(error as { code?: string }).code ?? "unknown error"})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYamlFile(file, text);
  } catch (error) {
    if (error instanceof YamlFileError) throw new StackFileError(error.message);
    throw error;
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== "object" || Array.isArray(parsed))
    throw new StackFileError(`${file}: must be a map (key: value lines), not ${Array.isArray(parsed) ? "a list" : "a single value"}`);
  return parsed as Record<string, unknown>;
}

/** The `config:` section of a parsed file: a map, or absent. */
function configSection(file: string, parsed: Record<string, unknown>): Record<string, unknown> {
  const config = parsed.config ?? {};
  if (typeof config !== "object" || config === null || Array.isArray(config)) {
    throw new StackFileError(
      `${file}: config: must be a map of settings (loco:key: value), not ${Array.isArray(config) ? "a list" : "a single value"}`,
    );
  }
  return config as Record<string, unknown>;
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
    const fullKey = namespaced(project, key);
    const value =
      declared && typeof declared === "object" && !Array.isArray(declared) && ("value" in declared || "default" in declared)
        ? ((declared as { value?: unknown; default?: unknown }).value ?? (declared as { default?: unknown }).default)
        : declared;
    if (value !== undefined) result[fullKey] = value;
  }
  return result;
}

/** A key as Pulumi reads it: one without a namespace belongs to the project (`region` is `<project>:region`). */
const namespaced = (project: string, key: string) => (key.includes(":") ? key : `${project}:${key}`);

function readProjectFile(projectDir: string): { project: string; projectFile: Record<string, unknown> } {
  const projectFile = readYamlMap(projectDir, "Pulumi.yaml", () => "Pulumi.yaml: not found: run this from the project's folder");
  const project = typeof projectFile.name === "string" ? projectFile.name : "";
  if (!project) throw new StackFileError("Pulumi.yaml: has no project name (name: ...)");
  return { project, projectFile };
}

/** The project's name, from Pulumi.yaml. */
export const readStackProjectName = (projectDir: string): string => readProjectFile(projectDir).project;

export function readStackConfig(projectDir: string, stack: string): StackFileConfig {
  assertStackName(stack);
  const { project, projectFile } = readProjectFile(projectDir);
  const file = `Pulumi.${stack}.yaml`;
  const stackFile = readYamlMap(
    projectDir,
    file,
    () => `${file}: not found: "${stack}" is not a stack of this project (${stacksHint(projectDir)})`,
  );

  const merged = {
    ...projectConfig(project, configSection("Pulumi.yaml", projectFile)),
    ...Object.fromEntries(Object.entries(configSection(file, stackFile)).map(([key, value]) => [namespaced(project, key), value])),
  };
  // A plan is a first rotation run at a fixed instant, so two plans of one stack are byte-identical.
  const rotation = merged[rotationConfigKey];
  const isObject = typeof rotation === "object" && rotation !== null && !Array.isArray(rotation);
  // Anything else is left for config validation to report.
  if (!isResurrectorStack(stack) && (rotation === undefined || isObject))
    merged[rotationConfigKey] = { now: placeholderEpoch, ...rotation };
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, raw] of Object.entries(merged).sort(([a], [b]) => a.localeCompare(b))) {
    const { value, secret } = withPlaceholders(key, raw);
    values[key] = asConfigString(value);
    if (secret) secretKeys.push(key);
  }
  return { project, stack, file, values, secretKeys, placeholderKeys: secretKeys };
}
