/**
 * The config reference table in the README, generated from the schema's descriptions and the per-environment
 * defaults: every `loco:` key, its default in dev, prod and local, and what it means. A test keeps the README's
 * copy identical to this output.
 */
import { configDefaults } from "./config-defaults";
import {
  cloudConfigSchema,
  environments,
  localConfigSchema,
  optionalSecretKeys,
  secretDescriptions,
  secretKeys,
  type Environment,
} from "./config-schema";
import { valueAt } from "../lib/value-at";

interface SchemaNode {
  readonly description?: string;
  readonly def: {
    readonly type: string;
    readonly shape?: Record<string, SchemaNode>;
    readonly element?: SchemaNode;
    readonly innerType?: SchemaNode;
  };
}

interface Row {
  readonly key: string;
  readonly description: string;
  readonly optional: boolean;
}

function rows(node: SchemaNode, prefix: string, optional: boolean): Row[] {
  const description = node.description ?? "";
  if (node.def.type === "optional" && node.def.innerType)
    return rows({ ...node.def.innerType, description: description || node.def.innerType.description }, prefix, true);
  if (node.def.type === "object" && node.def.shape) {
    const children = Object.entries(node.def.shape).flatMap(([key, child]) => rows(child, prefix ? `${prefix}.${key}` : key, false));
    return prefix ? [{ key: prefix, description, optional }, ...children].filter((r) => r.key !== prefix || r.description) : children;
  }
  if (node.def.type === "array" && node.def.element?.def.type === "object") {
    return [{ key: prefix, description, optional }, ...rows(node.def.element, `${prefix}[]`, false).filter((r) => r.key !== `${prefix}[]`)];
  }
  return [{ key: prefix, description, optional }];
}

function cell(environment: Environment, key: string, optional: boolean, known: Set<string>): string {
  if (!known.has(key)) return "—";
  if (key.includes("[]")) return "";
  const value = valueAt(configDefaults[environment], key);
  if (value === undefined) return optional ? "unset" : "**required**";
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return "";
  return `\`${JSON.stringify(value)}\``;
}

export function configReference(): string {
  const cloud = rows(cloudConfigSchema as unknown as SchemaNode, "", false);
  const local = rows(localConfigSchema as unknown as SchemaNode, "", false);
  const known: Record<Environment, Set<string>> = {
    dev: new Set(cloud.map((r) => r.key)),
    prod: new Set(cloud.map((r) => r.key)),
    local: new Set(local.map((r) => r.key)),
  };
  const all = [...cloud, ...local.filter((r) => !known.dev.has(r.key))];
  const escape = (text: string) => text.replace(/\|/g, "\\|");
  const lines = ["| key | dev | prod | local | meaning |", "|---|---|---|---|---|"];
  for (const row of all) {
    const cells = environments.map((env) => cell(env, row.key, row.optional, known[env]));
    lines.push(`| \`loco:${row.key}\` | ${cells.join(" | ")} | ${escape(row.description)} |`);
  }
  for (const [key, description] of Object.entries(secretDescriptions)) {
    const cells = environments.map((env) =>
      (secretKeys[env] as readonly string[]).includes(key)
        ? "**secret, required**"
        : (optionalSecretKeys[env] as readonly string[]).includes(key)
          ? "secret, optional"
          : "—",
    );
    lines.push(`| \`loco:${key}\` | ${cells.join(" | ")} | ${escape(description)}. Set with \`pulumi config set --secret\`. |`);
  }
  return lines.join("\n");
}
