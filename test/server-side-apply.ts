/**
 * Server-side apply as the Kubernetes API server does it, for the fake API (test/fake-kube-cluster.ts): field
 * ownership per manager, conflicts, force, create-on-apply, removal of fields a manager stops applying, and the
 * managedFields it reports. Pure: objects and field sets in, the next object and field sets out.
 *
 * Simplifications, each on the side of being stricter than a real server never matters for the replay: lists are
 * atomic (a real server merges `x-kubernetes-list-type: map` lists by key), and a manager's fields are its
 * leaves (scalars, lists and empty objects).
 */
import { isDeepStrictEqual } from "node:util";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A field path, from the object's root. */
export type FieldPath = readonly string[];

/** Field sets keyed by a joined path (segments may hold dots and slashes: label keys). */
export type FieldSet = Map<string, FieldPath>;

export interface ManagerEntry {
  readonly manager: string;
  readonly operation: "Apply" | "Update";
  readonly apiVersion: string;
  readonly time: string;
  readonly fields: FieldSet;
}

export interface Conflict {
  readonly manager: string;
  readonly apiVersion: string;
  readonly field: string;
}

const key = (path: FieldPath) => path.join("\u0000");
export const describePath = (path: FieldPath) => path.map((segment) => `.${segment}`).join("");

const isObject = (value: Json | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/** Metadata a manager never owns: identity and what the server maintains. */
const serverOwned = new Set(["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields"]);

/** The fields an applied (or written) object sets: its leaves, without identity, server metadata or status. */
export function leaves(object: JsonObject): FieldSet {
  const result: FieldSet = new Map();
  const walk = (value: Json, path: string[]) => {
    if (isObject(value) && Object.keys(value).length > 0) {
      for (const [name, child] of Object.entries(value)) walk(child, [...path, name]);
    } else result.set(key(path), path);
  };
  for (const [name, value] of Object.entries(object)) {
    if (name === "apiVersion" || name === "kind" || name === "status") continue;
    if (name === "metadata" && isObject(value)) {
      for (const [field, child] of Object.entries(value)) if (!serverOwned.has(field)) walk(child, ["metadata", field]);
      continue;
    }
    walk(value, [name]);
  }
  return result;
}

export function getPath(object: Json | undefined, path: FieldPath): Json | undefined {
  let current = object;
  for (const segment of path) {
    if (!isObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function setPath(object: JsonObject, path: FieldPath, value: Json): void {
  let current = object;
  for (const segment of path.slice(0, -1)) {
    if (!isObject(current[segment])) current[segment] = {};
    current = current[segment] as JsonObject;
  }
  current[path[path.length - 1]] = structuredClone(value);
}

/** Deletes the field, then any parent object it leaves empty that nobody else needs. */
function deletePath(object: JsonObject, path: FieldPath, stillOwned: (prefix: FieldPath) => boolean): void {
  const parents: JsonObject[] = [object];
  let current = object;
  for (const segment of path.slice(0, -1)) {
    if (!isObject(current[segment])) return;
    current = current[segment] as JsonObject;
    parents.push(current);
  }
  delete current[path[path.length - 1]];
  for (let depth = path.length - 1; depth > 0; depth--) {
    const parent = parents[depth];
    if (Object.keys(parent).length > 0 || stillOwned(path.slice(0, depth))) break;
    delete parents[depth - 1][path[depth - 1]];
  }
}

const isPrefix = (prefix: FieldPath, path: FieldPath) => prefix.length <= path.length && prefix.every((s, i) => path[i] === s);
const overlaps = (a: FieldPath, b: FieldPath) => isPrefix(a, b) || isPrefix(b, a);

/** The object without what the server maintains: what managers write, and what "changed" is judged on. */
export function content(object: JsonObject): JsonObject {
  const copy = structuredClone(object);
  if (isObject(copy.metadata)) for (const field of serverOwned) delete copy.metadata[field];
  delete copy.status;
  return copy;
}

export type ApplyResult =
  | { readonly ok: true; readonly object: JsonObject; readonly managers: ManagerEntry[]; readonly changed: boolean }
  | { readonly ok: false; readonly conflicts: readonly Conflict[] };

/**
 * One apply by `manager` of `applied` onto `live` (undefined: created by this apply). Fields another manager owns
 * with a different value conflict, unless `force` takes them over; fields the manager owned and no longer applies
 * are removed unless someone else owns them too.
 */
export function apply(args: {
  readonly live: JsonObject | undefined;
  readonly managers: readonly ManagerEntry[];
  readonly applied: JsonObject;
  readonly manager: string;
  readonly force: boolean;
  readonly now: string;
}): ApplyResult {
  const { live, applied, manager } = args;
  const apiVersion = String(applied.apiVersion);
  const wanted = leaves(applied);
  const conflicts: Conflict[] = [];
  // Per other manager entry, the keys of its fields that conflict: what forcing takes over.
  const contested = new Map<ManagerEntry, Set<string>>();
  for (const entry of args.managers) {
    if (entry.manager === manager && entry.operation === "Apply") continue;
    for (const [ownedKey, owned] of entry.fields) {
      for (const path of wanted.values()) {
        if (!overlaps(owned, path)) continue;
        const longer = owned.length >= path.length ? owned : path;
        if (!isDeepStrictEqual(getPath(live, longer), getPath(applied, longer))) {
          conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, field: describePath(owned) });
          contested.set(entry, (contested.get(entry) ?? new Set()).add(ownedKey));
          break;
        }
      }
    }
  }
  if (conflicts.length > 0 && !args.force) return { ok: false, conflicts };

  const previous = args.managers.find((e) => e.manager === manager && e.operation === "Apply");
  // Forcing takes the conflicting fields away from their managers; a manager left with none drops out.
  let takenOver = false;
  const others = args.managers
    .filter((e) => e !== previous)
    .map((e) => {
      const lost = contested.get(e);
      if (!lost) return e;
      takenOver = true;
      return { ...e, fields: new Map([...e.fields].filter(([ownedKey]) => !lost.has(ownedKey))) };
    })
    .filter((e) => e.fields.size > 0);
  const ownedByOthers = (path: FieldPath) => others.some((e) => [...e.fields.values()].some((owned) => isPrefix(path, owned)));

  const next = content(live ?? {});
  for (const path of previous?.fields.values() ?? []) {
    if (!wanted.has(key(path)) && !ownedByOthers(path)) deletePath(next, path, (prefix) => ownedByOthers(prefix));
  }
  for (const path of wanted.values()) setPath(next, path, getPath(applied, path) as Json);

  const contentChanged = !live || !isDeepStrictEqual(content(live), next);
  const fieldsChanged = !previous || previous.fields.size !== wanted.size || [...wanted.keys()].some((k) => !previous.fields.has(k));
  const entry: ManagerEntry = {
    manager,
    operation: "Apply",
    apiVersion,
    time: contentChanged || fieldsChanged || !previous ? args.now : previous.time,
    fields: wanted,
  };
  return { ok: true, object: next, managers: [...others, entry], changed: contentChanged || fieldsChanged || takenOver };
}

/**
 * A write by `manager` that is not an apply (create, update, a controller's edit): it takes every field whose value
 * it changes, as the server's Update operation does.
 */
export function update(args: {
  readonly live: JsonObject | undefined;
  readonly managers: readonly ManagerEntry[];
  readonly written: JsonObject;
  readonly manager: string;
  readonly now: string;
}): { object: JsonObject; managers: ManagerEntry[] } {
  const next = content(args.written);
  const changed = [...leaves(next).values()].filter((path) => !isDeepStrictEqual(getPath(args.live, path), getPath(next, path)));
  const others = args.managers
    .filter((e) => !(e.manager === args.manager && e.operation === "Update"))
    .map((e) => ({ ...e, fields: new Map([...e.fields].filter(([, owned]) => !changed.some((path) => overlaps(owned, path)))) }))
    .filter((e) => e.fields.size > 0);
  const previous = args.managers.find((e) => e.manager === args.manager && e.operation === "Update");
  const fields: FieldSet = new Map(previous?.fields ?? []);
  for (const path of changed) fields.set(key(path), path);
  const entry: ManagerEntry = {
    manager: args.manager,
    operation: "Update",
    apiVersion: String(args.written.apiVersion),
    time: args.now,
    fields,
  };
  return { object: next, managers: fields.size > 0 ? [...others, entry] : others };
}

/** managedFields as the API reports them: FieldsV1, `f:` per field. */
export function managedFields(managers: readonly ManagerEntry[]): Json[] {
  return managers.map((entry) => {
    const fieldsV1: JsonObject = {};
    for (const path of entry.fields.values()) {
      let node = fieldsV1;
      for (const segment of path) {
        const name = `f:${segment}`;
        if (!isObject(node[name])) node[name] = {};
        node = node[name] as JsonObject;
      }
    }
    return {
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: entry.apiVersion,
      time: entry.time,
      fieldsType: "FieldsV1",
      fieldsV1,
    };
  });
}
