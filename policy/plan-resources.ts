/**
 * Reads the resources of an offline plan (`<dir>/resources.json`, written by `npm run plan`) as policy resources.
 * The plan writes every secret as the string "[secret]": here it becomes a {@link SecretInput} whose value is gone.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SecretInput, stackOfUrn, type PolicyResource } from "./resource";

/** How plan/write-plan.ts writes a secret. */
export const planSecretMask = "[secret]";

export class PlanFileError extends Error {}

function fromPlanValue(value: unknown): unknown {
  if (value === planSecretMask) return new SecretInput(undefined, false);
  if (Array.isArray(value)) return value.map(fromPlanValue);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fromPlanValue(v)]));
  return value;
}

interface PlanResourceRow {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly protect: boolean;
  readonly dependencies: readonly string[];
  readonly inputs: Record<string, unknown>;
}

function isRow(row: unknown): row is PlanResourceRow {
  const r = row as Partial<PlanResourceRow> | null;
  return (
    !!r &&
    typeof r.urn === "string" &&
    typeof r.type === "string" &&
    typeof r.name === "string" &&
    typeof r.protect === "boolean" &&
    Array.isArray(r.dependencies) &&
    !!r.inputs &&
    typeof r.inputs === "object"
  );
}

export interface PlanResources {
  readonly stack: string;
  readonly resources: readonly PolicyResource[];
}

/** Throws a {@link PlanFileError} naming the file and what is wrong with it. */
export function readPlanResources(planDir: string): PlanResources {
  const file = join(planDir, "resources.json");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new PlanFileError(`${file} does not exist: write the plan first (npm run plan -- --stack <name> --out ${planDir})`);
  }
  let rows: unknown;
  try {
    rows = JSON.parse(text);
  } catch (error) {
    throw new PlanFileError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(rows)) throw new PlanFileError(`${file} must be a JSON array of resources`);
  const bad = rows.findIndex((row) => !isRow(row));
  if (bad !== -1) throw new PlanFileError(`${file}: entry ${bad} lacks urn, type, name, protect, dependencies or inputs`);
  const valid = rows as PlanResourceRow[];
  if (valid.length === 0) throw new PlanFileError(`${file} lists no resources`);
  let stack: string;
  try {
    stack = stackOfUrn(valid[0].urn);
  } catch (error) {
    throw new PlanFileError(`${file}: ${(error as Error).message}`);
  }
  return {
    stack,
    resources: valid.map((row) => ({
      urn: row.urn,
      type: row.type,
      name: row.name,
      protect: row.protect,
      dependencies: row.dependencies,
      inputs: fromPlanValue(row.inputs) as Record<string, unknown>,
    })),
  };
}
