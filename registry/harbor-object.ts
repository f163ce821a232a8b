/**
 * The contract every Harbor object module implements (project, retention policy, immutable tag rule, robot
 * account, garbage collection, vulnerability scanning, admin password). Each module is plain code the tests call
 * directly against a fake Harbor; registry/dynamic-provider.ts turns one into a Pulumi dynamic provider.
 *
 * `State` is what Harbor holds, in the same shape as `Args` plus Harbor's ids, so `diff(state, args)` compares like
 * with like: after `pulumi refresh`, state is what Harbor really has, and any drift shows up as a change.
 */
import { HarborClient, type HarborConnection, type RetryPolicy } from "./harbor-api";

export interface HarborSession {
  readonly connection: HarborConnection;
  readonly client: HarborClient;
  readonly retry: RetryPolicy;
}

export function session(connection: HarborConnection, retry: RetryPolicy): HarborSession {
  return { connection, retry, client: new HarborClient(connection, retry) };
}

export interface ArgProblem {
  /** The argument, as named in Args. */
  readonly field: string;
  readonly reason: string;
}

export interface DiffOutcome {
  readonly changes: boolean;
  /** Arguments whose change Harbor cannot apply in place. */
  readonly replaces: readonly string[];
}

export interface HarborObject<Args, State extends object> {
  /** What Harbor calls it, for messages. */
  readonly kind: string;
  /** Pure: what is wrong with these args before any request is sent. */
  validate(args: Args): ArgProblem[];
  /** Creates the object, or adopts one that already exists under the same identity and converges it to `args`. */
  create(harbor: HarborSession, args: Args): Promise<{ id: string; state: State }>;
  /** What Harbor holds now; undefined when the object is gone. */
  read(harbor: HarborSession, id: string, state: State): Promise<State | undefined>;
  /** Converges the object to `args` in place. `previous` is the connection the object was last managed with. */
  update(harbor: HarborSession, id: string, state: State, args: Args, previous: HarborConnection): Promise<State>;
  /** Deletes the object; one that is already gone is not an error. */
  remove(harbor: HarborSession, id: string, state: State): Promise<void>;
  /** Pure: whether `state` differs from `args`, and which differences force a replacement. */
  diff(state: State, args: Args): DiffOutcome;
}

/** Compares two plain JSON values, ignoring object key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The fields (of `fields`) whose values differ between state and args. */
export function changedFields<T extends object>(state: T, args: T, fields: readonly (keyof T & string)[]): string[] {
  return fields.filter((field) => !sameJson(state[field], args[field]));
}

/** Harbor's rule for project and robot names. */
export const harborNamePattern = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * A Quartz-style cron with seconds, as Harbor's scheduler takes it ("0 0 2 * * *" is 02:00:00 every day). Checks the
 * field count and characters only; Harbor parses the rest and reports its own error.
 */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 6) return `must have 6 fields (seconds first, as Harbor's scheduler takes it), got ${fields.length}: "${cron}"`;
  if (!fields.every((f) => /^[0-9*,/?LW#A-Za-z-]+$/.test(f))) return `has characters a cron field cannot have: "${cron}"`;
  return undefined;
}

/** Harbor's `{ "key": "true" }` metadata strings as booleans (absent means false). */
export const metadataFlag = (value: string | undefined | null): boolean => value === "true";
