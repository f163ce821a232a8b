/**
 * The step each run takes for a credential of kind "alternating users", from what the previous run recorded in the
 * stack's non-secret `rotation` output, the stack's rotation config and the run's clock; and what this run records.
 *
 * A run that fails records nothing new, so the next run starts from the same state and takes the same step again:
 * it re-passwords the same idle user (with a new password) and switches the consumers to it. The active user, whose
 * sessions are open, is never the one a step changes.
 */
import {
  alternatingUsersStep,
  slotUser,
  type AlternatingUsersState,
  type AlternatingUsersStep,
  type UserSlot,
} from "../components/alternating-users";
import type { StackConfig } from "./config";
import { rotationPolicy } from "./rotation-policy";
import type { RotatingCredential } from "./rotating-credentials";

/** Overrides the run's clock: the offline plan pins it, so that two plans of the same program are identical. */
export const rotationClockVariable = "LOCO_ROTATION_NOW";

/** The time of this run (RFC 3339): {@link rotationClockVariable} when set, else the machine's clock. */
export function rotationClock(environment: NodeJS.ProcessEnv = process.env): string {
  const pinned = environment[rotationClockVariable];
  if (pinned === undefined || pinned === "") return new Date().toISOString();
  if (!isTime(pinned)) throw new AlternatingUsersStateError(`${rotationClockVariable} must be an RFC 3339 time, got "${pinned}"`);
  return new Date(Date.parse(pinned)).toISOString();
}

/** The platform credentials of kind "alternating users" the program issues, with the group role of each. */
export const alternatingUsersCredentials = { locoApiDatabase: "loco", harborDatabaseUser: "harbor" } as const satisfies Partial<
  Record<RotatingCredential, string>
>;

export type AlternatingUsersCredential = keyof typeof alternatingUsersCredentials;

/** What a run records under `rotation.<credential>`: the state, plus the times `npm run rotate -- status` reads. */
export interface RecordedAlternatingUsers extends AlternatingUsersState {
  /** The user consumers log in as. */
  readonly activeUser: string;
  /** When the active user's password was set. */
  readonly issuedAt: string;
  /** When age-based rotation is due (on the scheduled rotation run). */
  readonly dueAt: string;
  /** The idle user's password stays valid until the next rotation, which is due then at the latest. */
  readonly overlapUntil: string;
}

/** Bad recorded state: the message names the credential and the field. */
export class AlternatingUsersStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AlternatingUsersStateError";
  }
}

const isSlot = (value: unknown): value is UserSlot => value === "a" || value === "b";
const isTime = (value: unknown): value is string => typeof value === "string" && !Number.isNaN(Date.parse(value));

/** The state inside a recorded `rotation.<credential>` entry; undefined when nothing was recorded yet. */
export function recordedState(credential: AlternatingUsersCredential, recorded: unknown): AlternatingUsersState | undefined {
  if (recorded === undefined || recorded === null) return undefined;
  const where = `stack output rotation.${credential}`;
  if (typeof recorded !== "object" || Array.isArray(recorded)) throw new AlternatingUsersStateError(`${where} must be an object`);
  const entry = recorded as Record<string, unknown>;
  if (!isSlot(entry.active))
    throw new AlternatingUsersStateError(`${where}.active must be "a" or "b", got ${JSON.stringify(entry.active)}`);
  const setAt = entry.passwordSetAt as Record<string, unknown> | undefined;
  if (typeof setAt !== "object" || setAt === null || !isTime(setAt.a) || !isTime(setAt.b)) {
    throw new AlternatingUsersStateError(`${where}.passwordSetAt must hold an RFC 3339 time for "a" and "b"`);
  }
  if (typeof entry.counter !== "number" || !Number.isInteger(entry.counter) || entry.counter < 0) {
    throw new AlternatingUsersStateError(`${where}.counter must be a non-negative integer, got ${JSON.stringify(entry.counter)}`);
  }
  return { active: entry.active, passwordSetAt: { a: setAt.a, b: setAt.b }, counter: entry.counter };
}

/** This run's step for `credential`: rotate when its counter was bumped or the active password reached maxAgeDays. */
export function alternatingUsersRotation(
  credential: AlternatingUsersCredential,
  input: { readonly previous: unknown; readonly config: Pick<StackConfig, "rotation">; readonly now: string },
): AlternatingUsersStep {
  const policy = rotationPolicy(input.config, credential);
  return alternatingUsersStep(recordedState(credential, input.previous), {
    counter: policy.counter,
    now: input.now,
    maxAgeDays: policy.maxAgeDays,
  });
}

/** What this run records for `credential` (no secret). */
export function recordAlternatingUsers(
  credential: AlternatingUsersCredential,
  state: AlternatingUsersState,
  maxAgeDays: number,
): RecordedAlternatingUsers {
  const issuedAt = state.passwordSetAt[state.active];
  const dueAt = new Date(Date.parse(issuedAt) + maxAgeDays * 86_400_000).toISOString();
  return { ...state, activeUser: slotUser(alternatingUsersCredentials[credential], state.active), issuedAt, dueAt, overlapUntil: dueAt };
}
