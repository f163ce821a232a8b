/**
 * The alternating users kind in a rotation run (stacks/rotation-state.ts): the step each run takes for a credential,
 * from the entry the last successful run recorded in the stack's non-secret `rotation` output, the stack's rotation
 * config and the run's clock; and the entry this run records once its consumers run with it.
 *
 * A run that fails records nothing new, so the next run starts from the same state and takes the same step again:
 * it re-passwords the same idle user (with a new password) and switches the consumers to it. The active user, whose
 * sessions are open, is never the one a step changes.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  alternatingUsersStep,
  slotUser,
  type AlternatingUsersState,
  type AlternatingUsersStep,
  type UserSlot,
} from "../components/alternating-users";
import type { RotatingCredential } from "./rotating-credentials";
import { rotationOutputName, RotationStateError, type RotationRun } from "./rotation-state";

/** The platform credentials of kind "alternating users" the program issues, with the group role of each. */
export const alternatingUsersCredentials = {
  locoApiDatabase: "loco",
  harborDatabaseUser: "harbor",
  clickhouseWriterPassword: "otel",
  clickhouseReaderPassword: "grafana",
} as const satisfies Partial<Record<RotatingCredential, string>>;

export type AlternatingUsersCredential = keyof typeof alternatingUsersCredentials;

/** The entry an alternating pair has in the `rotation` output: the state, plus what `npm run rotate -- status` reads. */
export interface AlternatingUsersRecord {
  readonly kind: "alternating users";
  /** The user consumers log in as. */
  readonly activeUser: string;
  /** When the active user's password was set. */
  readonly issuedAt: string;
  /** When age-based rotation is due. */
  readonly dueAt: string;
  /** The idle user's password stays valid until the next rotation, which is due then at the latest. */
  readonly overlapUntil: string;
  /** The state the next run steps from. */
  readonly state: AlternatingUsersState;
}

const isSlot = (value: unknown): value is UserSlot => value === "a" || value === "b";
const isTime = (value: unknown): value is string => typeof value === "string" && !Number.isNaN(Date.parse(value));
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Pure: the state inside a recorded entry, checked field by field; undefined when nothing was recorded yet. */
export function recordedState(credential: AlternatingUsersCredential, recorded: unknown): AlternatingUsersState | undefined {
  // An entry without a state was written before this credential was a pair (issue and due times only).
  if (!isRecord(recorded) || recorded.state === undefined) return undefined;
  const where = `stack output ${rotationOutputName}.${credential}.state`;
  const fail = (field: string, why: string): never => {
    throw new RotationStateError(`${where}.${field} ${why}: fix or remove the entry (\`pulumi stack output ${rotationOutputName}\`)`);
  };
  const entry = recorded.state;
  if (!isRecord(entry)) throw new RotationStateError(`${where} must be an object`);
  if (!isSlot(entry.active)) fail("active", `must be "a" or "b", got ${JSON.stringify(entry.active)}`);
  const setAt = entry.passwordSetAt;
  if (!isRecord(setAt) || !isTime(setAt.a) || !isTime(setAt.b)) fail("passwordSetAt", `must hold an RFC 3339 time for "a" and "b"`);
  if (!Number.isInteger(entry.counter) || (entry.counter as number) < 0) {
    fail("counter", `must be a non-negative integer, got ${JSON.stringify(entry.counter)}`);
  }
  const times = setAt as Record<UserSlot, string>;
  return { active: entry.active as UserSlot, passwordSetAt: { a: times.a, b: times.b }, counter: entry.counter as number };
}

/** This run's step for `credential`: rotate when its counter was bumped or the active password reached maxAgeDays. */
export function alternatingUsersRotation(rotations: RotationRun, credential: AlternatingUsersCredential): AlternatingUsersStep {
  const { input } = rotations;
  return alternatingUsersStep(recordedState(credential, rotations.previousEntry(credential)), {
    counter: input.counters[credential] ?? 0,
    now: input.now,
    maxAgeDays: input.maxAgeDays,
  });
}

/** Pure: the entry this run records for `credential` (no secret). */
export function alternatingUsersRecord(
  credential: AlternatingUsersCredential,
  state: AlternatingUsersState,
  maxAgeDays: number,
): AlternatingUsersRecord {
  const issuedAt = state.passwordSetAt[state.active];
  const dueAt = new Date(Date.parse(issuedAt) + maxAgeDays * 86_400_000).toISOString();
  return {
    kind: "alternating users",
    activeUser: slotUser(alternatingUsersCredentials[credential], state.active),
    issuedAt,
    dueAt,
    overlapUntil: dueAt,
    state,
  };
}

/** Records `state` for the next run, published once `appliedBy` (the users' setup and their consumers) are in place. */
export function recordAlternatingUsers(
  rotations: RotationRun,
  credential: AlternatingUsersCredential,
  state: AlternatingUsersState,
  appliedBy: readonly pulumi.Resource[],
): void {
  rotations.record(credential, alternatingUsersRecord(credential, state, rotations.input.maxAgeDays), appliedBy);
}
