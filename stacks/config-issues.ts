/**
 * zod's issues in the words of a person editing a stack file: one problem per unknown key with a "did you mean",
 * the allowed values spelled out, bounds and formats said plainly. Pure; config.ts formats the problems.
 *
 * An unknown key's value is never carried into its problem: a mistyped key may well hold a secret
 * (`loco:digitalOceanToken: dop_v1_...`), and nothing is known about it that would make it safe to print.
 */
import type { z } from "zod";
import { closest } from "../lib/did-you-mean";
import type { ConfigProblem } from "./config-rules";

type ZodIssue = z.core.$ZodIssue;

/**
 * Turns one zod issue on the config validated against `root` into problems. `secretKeys` are the top-level keys
 * read outside the schema (the secrets), so a mistyped secret is told which one it probably is.
 */
export function issueToProblems(issue: ZodIssue, root: z.ZodType, secretKeys: readonly string[] = []): ConfigProblem[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = path.length === 0 ? [...knownKeysAt(root, path), ...secretKeys].sort() : knownKeysAt(root, path);
      return issue.keys.map((key) => ({ path: [...path, key], hasValue: false, message: unknownKeyMessage(key, known) }));
    }
    case "invalid_value": {
      const values = issue.values.map(String);
      const listed =
        values.length <= 12
          ? `must be one of ${values.join(", ")}`
          : `must be one of the ${values.length} values in data/digitalocean-catalog.json`;
      const suggestion = typeof input === "string" ? closest(input, values) : undefined;
      return [{ path, value: input, hasValue: true, message: suggestion ? `${listed} (did you mean "${suggestion}"?)` : listed }];
    }
    case "invalid_type":
      return input === undefined
        ? [{ path, hasValue: false, message: `is required (${issue.expected})` }]
        : [{ path, value: input, hasValue: true, message: `must be ${article(issue.expected)}, not ${describeType(input)}` }];
    case "too_small":
    case "too_big":
      return [{ path, value: input, hasValue: true, message: boundMessage(issue) }];
    case "invalid_format":
      return [{ path, value: input, hasValue: true, message: formatMessage(issue) }];
    default:
      return [{ path, value: input, hasValue: input !== undefined, message: issue.message }];
  }
}

/**
 * Why an unknown key is refused, and what was probably meant. A dotted top-level key (`cluster.kubernetesVersion`)
 * is what `pulumi config set` without `--path` writes for a nested setting.
 */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const refused = "is not a known setting (a typo would be silently ignored otherwise)";
  const [head] = key.split(".");
  if (key.includes(".") && known.includes(head)) {
    return `${refused}: a nested setting is set with \`pulumi config set --path 'loco:${key}' <value>\``;
  }
  const suggestion = closest(key, known);
  return `${refused}: ${suggestion ? `did you mean "${suggestion}"?` : `known keys here: ${known.join(", ")}`}`;
}

function boundMessage(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  if (issue.message.startsWith("must")) return issue.message;
  const small = issue.code === "too_small";
  const bound = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
  if (issue.origin === "array") return `must have ${small ? "at least" : "at most"} ${bound} item(s)`;
  if (issue.origin === "string") return `must be ${small ? "at least" : "at most"} ${bound} character(s)`;
  return `must be ${small ? ">=" : "<="} ${bound}`;
}

function formatMessage(issue: z.core.$ZodIssueInvalidStringFormat): string {
  if (issue.message.startsWith("must")) return issue.message;
  const formats: Record<string, string> = {
    ipv4: "must be an IPv4 address such as 203.0.113.10",
    cidrv4: "must be an IPv4 CIDR such as 10.10.0.0/16",
  };
  return formats[issue.format] ?? `must be a valid ${issue.format}`;
}

const article = (type: string) => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function describeType(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  return typeof value === "object" ? "a map" : `${article(typeof value)} (${JSON.stringify(value)})`;
}

interface SchemaDef {
  readonly type?: string;
  readonly shape?: Record<string, unknown>;
  readonly element?: unknown;
  readonly innerType?: unknown;
}

const defOf = (schema: unknown): SchemaDef | undefined => (schema as { def?: SchemaDef } | undefined)?.def;

/** `schema` without the optional/nullable/default wrappers around it. */
function unwrapped(schema: unknown): unknown {
  let current = schema;
  for (let def = defOf(current); def?.innerType && ["optional", "nullable", "default"].includes(def.type ?? ""); def = defOf(current)) {
    current = def.innerType;
  }
  return current;
}

/** The keys the object schema at `path` accepts, for "did you mean" hints. */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let current: unknown = schema;
  for (const segment of path) {
    const def = defOf(unwrapped(current));
    if (def?.type === "object" && typeof segment === "string") current = def.shape?.[segment];
    else if (def?.type === "array") current = def.element;
    else return [];
  }
  const def = defOf(unwrapped(current));
  return def?.type === "object" && def.shape ? Object.keys(def.shape).sort() : [];
}
