/**
 * What a pull request changes, read from two sets of offline plans (`<dir>/<stack>/resources.json` and
 * `summary.json`, as `npm run plan -- --out <dir>/<stack>` writes them): resources added, changed and removed by
 * type, the estimated cost before and after, protection removed, and secrets that are new. Resources are matched by
 * URN, so a resource that was renamed or moved to another parent counts as removed and added, as it would in
 * `pulumi preview` without an alias.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const secretMask = "[secret]";

interface PlanRow {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly protect: boolean;
  readonly inputs: Record<string, unknown>;
  readonly [field: string]: unknown;
}

interface PlanSummaryFile {
  readonly cost?: { readonly currency?: string; readonly monthlyMin?: number; readonly monthlyMax?: number };
  readonly placeholderConfigKeys?: readonly string[];
}

/** One stack's plan as read from disk; `error` when the directory exists but the plan in it cannot be read. */
interface StackPlan {
  readonly resources?: readonly PlanRow[];
  readonly summary?: PlanSummaryFile;
  readonly error?: string;
}

export interface MonthlyCost {
  readonly min: number;
  readonly max: number;
}

export interface TypeCounts {
  readonly type: string;
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
}

export interface ChangedResource {
  readonly resource: string;
  /** Top-level fields that differ: `protect`, `dependencies`, `inputs.<key>`. */
  readonly fields: readonly string[];
}

export interface StackDiff {
  readonly stack: string;
  /** `new`: no plan on the base branch; `gone`: the stack file was removed; `unavailable`: a plan could not be read. */
  readonly status: "compared" | "new" | "gone" | "unavailable";
  /** Why the comparison is partial, for `unavailable`. */
  readonly note?: string;
  readonly byType: readonly TypeCounts[];
  /** `<type> <name>` of each resource. */
  readonly added: readonly string[];
  readonly changed: readonly ChangedResource[];
  readonly removed: readonly string[];
  /** Resources protected on the base branch and not in the pull request. */
  readonly protectionRemoved: readonly string[];
  readonly currency: string;
  readonly costBase?: MonthlyCost;
  readonly costHead?: MonthlyCost;
  /** `<type> <name>: <input path>` of each secret input the base branch did not have. */
  readonly newSecretInputs: readonly string[];
  /** Secret config keys the stack newly needs (CI must provide them: docs/delivery.md). */
  readonly newSecretConfigKeys: readonly string[];
}

export interface PlanDiff {
  readonly stacks: readonly StackDiff[];
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8")) as unknown;
}

const isRow = (row: unknown): row is PlanRow => {
  const r = row as Partial<PlanRow> | null;
  return !!r && typeof r.urn === "string" && typeof r.type === "string" && typeof r.name === "string" && !!r.inputs;
};

function readStackPlan(dir: string): StackPlan {
  const resourcesFile = join(dir, "resources.json");
  if (!existsSync(resourcesFile)) return { error: `${resourcesFile} is missing (the plan of this stack failed?)` };
  try {
    const rows = readJson(resourcesFile);
    if (!Array.isArray(rows) || !rows.every(isRow)) return { error: `${resourcesFile} is not a list of resources` };
    const summaryFile = join(dir, "summary.json");
    const summary = existsSync(summaryFile) ? (readJson(summaryFile) as PlanSummaryFile) : undefined;
    return { resources: rows.filter((r) => r.type !== "pulumi:pulumi:Stack"), summary };
  } catch (error) {
    return { error: `${dir}: ${(error as Error).message}` };
  }
}

/** The stack plans under a root (one subdirectory per stack); throws when the root itself is not a directory. */
export function readPlanRoot(root: string): Map<string, StackPlan> {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`${root} is not a directory of stack plans`);
  const plans = new Map<string, StackPlan>();
  for (const entry of readdirSync(root).sort()) {
    if (statSync(join(root, entry)).isDirectory()) plans.set(entry, readStackPlan(join(root, entry)));
  }
  return plans;
}

const describe = (row: PlanRow) => `${row.type} ${row.name}`;

/** Paths of "[secret]" values under `value`. */
function secretPaths(value: unknown, path: string): string[] {
  if (value === secretMask) return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => secretPaths(v, `${path}[${i}]`));
  if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => secretPaths(v, path ? `${path}.${k}` : k));
  return [];
}

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );

function changedFields(base: PlanRow, head: PlanRow): string[] {
  const fields = new Set([...Object.keys(base), ...Object.keys(head)]);
  fields.delete("inputs");
  const changed = [...fields].filter((f) => canonical(base[f]) !== canonical(head[f]));
  const inputKeys = new Set([...Object.keys(base.inputs), ...Object.keys(head.inputs)]);
  for (const key of inputKeys) if (canonical(base.inputs[key]) !== canonical(head.inputs[key])) changed.push(`inputs.${key}`);
  return changed.sort();
}

const costOf = (summary: PlanSummaryFile | undefined): MonthlyCost | undefined =>
  typeof summary?.cost?.monthlyMin === "number" && typeof summary.cost.monthlyMax === "number"
    ? { min: summary.cost.monthlyMin, max: summary.cost.monthlyMax }
    : undefined;

function countByType(added: readonly PlanRow[], changed: readonly PlanRow[], removed: readonly PlanRow[]): TypeCounts[] {
  const counts = new Map<string, { added: number; changed: number; removed: number }>();
  const bump = (rows: readonly PlanRow[], field: "added" | "changed" | "removed") => {
    for (const row of rows) {
      const entry = counts.get(row.type) ?? { added: 0, changed: 0, removed: 0 };
      entry[field]++;
      counts.set(row.type, entry);
    }
  };
  bump(added, "added");
  bump(changed, "changed");
  bump(removed, "removed");
  return [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, c]) => ({ type, ...c }));
}

/** Compares one stack's plans; either side may be absent (a stack added or removed by the pull request). */
export function diffStack(stack: string, base: StackPlan | undefined, head: StackPlan | undefined): StackDiff {
  const empty = { byType: [], added: [], changed: [], removed: [], protectionRemoved: [], newSecretInputs: [], newSecretConfigKeys: [] };
  const currency = head?.summary?.cost?.currency ?? base?.summary?.cost?.currency ?? "USD";
  const problem = head?.error ?? base?.error;
  if (problem !== undefined) {
    return {
      stack,
      status: "unavailable",
      note: problem,
      currency,
      costBase: costOf(base?.summary),
      costHead: costOf(head?.summary),
      ...empty,
    };
  }
  const baseRows = new Map((base?.resources ?? []).map((r) => [r.urn, r]));
  const headRows = new Map((head?.resources ?? []).map((r) => [r.urn, r]));
  const added = [...headRows.values()].filter((r) => !baseRows.has(r.urn));
  const removed = [...baseRows.values()].filter((r) => !headRows.has(r.urn));
  const changed = [...headRows.values()]
    .map((r) => ({ row: r, before: baseRows.get(r.urn) }))
    .filter((c): c is { row: PlanRow; before: PlanRow } => c.before !== undefined)
    .map((c) => ({ row: c.row, fields: changedFields(c.before, c.row) }))
    .filter((c) => c.fields.length > 0);
  const newSecretInputs = [...headRows.values()].flatMap((row) => {
    const before = new Set(secretPaths(baseRows.get(row.urn)?.inputs ?? {}, ""));
    return secretPaths(row.inputs, "")
      .filter((p) => !before.has(p))
      .map((p) => `${describe(row)}: ${p}`);
  });
  const baseKeys = new Set(base?.summary?.placeholderConfigKeys ?? []);
  return {
    stack,
    status: head === undefined ? "gone" : base === undefined ? "new" : "compared",
    byType: countByType(
      added,
      changed.map((c) => c.row),
      removed,
    ),
    added: added.map(describe),
    changed: changed.map((c) => ({ resource: describe(c.row), fields: c.fields })),
    removed: removed.map(describe),
    protectionRemoved: [...headRows.values()].filter((r) => baseRows.get(r.urn)?.protect === true && !r.protect).map(describe),
    currency,
    costBase: costOf(base?.summary),
    costHead: costOf(head?.summary),
    newSecretInputs,
    newSecretConfigKeys: (head?.summary?.placeholderConfigKeys ?? []).filter((k) => !baseKeys.has(k)),
  };
}

/** Compares every stack planned on either side. */
export function diffPlans(baseRoot: string, headRoot: string): PlanDiff {
  const head = readPlanRoot(headRoot);
  const base = readPlanRoot(baseRoot);
  const stacks = [...new Set([...base.keys(), ...head.keys()])].sort();
  return { stacks: stacks.map((stack) => diffStack(stack, base.get(stack), head.get(stack))) };
}
