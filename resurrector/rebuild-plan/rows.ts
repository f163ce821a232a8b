/** Rows of loco's database as the plan reports them: skipped with a reason, labelled by their app, in id order. */
import type { ActiveDeploymentRecord } from "../db/records";
import { compareStrings } from "../render/objects";

export interface SkippedRow {
  readonly table: string;
  readonly id: string;
  /** org/workspace/app, when the row belongs to an app. */
  readonly app?: string;
  readonly reason: string;
}

/** Reports a row that is not rendered. */
export type Skip = (row: SkippedRow) => void;

/** Adds `value` to the list under `key`. */
export function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** org/workspace/app of a deployment row. */
export const appLabel = (d: ActiveDeploymentRecord) => `${d.organization.name}/${d.workspace.name}/${d.resource.name}`;

/** BIGSERIAL ids (as strings, they can exceed 2^53) in numeric order. */
export const byNumericId = (a: { id: string }, b: { id: string }) => a.id.length - b.id.length || compareStrings(a.id, b.id);
