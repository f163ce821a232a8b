/**
 * The rotation of a credential that can be valid twice at once (signing keys, API tokens, robot accounts, Spaces
 * keys, the Cloudflare DNS token): two slots, A and B, and an `active` pointer.
 *
 * Each run of `pulumi up --refresh --run-program` takes one step, computed here from the state the last successful
 * run recorded (the non-secret rotation output of the stack) plus the config and the clock, never from anything
 * learnt inside an apply:
 *
 * 1. issue: the rotation is due (by age or by a bumped counter): the idle slot gets a new credential. The active one
 *    stays in use; both are valid, so verifiers (JWKS readers, registries) learn the new one before anyone uses it.
 * 2. promote: the next run moves `active` to the new slot: consumers switch to it. The old one stays valid until
 *    `overlapUntil`, so a client holding it (a token signed a minute ago, a pod not yet restarted) keeps working.
 * 3. overlap: runs before `overlapUntil` change nothing.
 * 4. retire: the first run after `overlapUntil` deletes the old slot.
 *
 * A run that fails (Harbor unreachable, a token without permission) records no new state, so the next run takes the
 * same step again: the failure can leave an extra valid credential behind, never none.
 */

export type Slot = "a" | "b";

export interface SlotCredential {
  /** Which rotation produced it: 0 for the first credential, +1 per rotation. */
  readonly generation: number;
  /** When it was issued (RFC 3339). */
  readonly issuedAt: string;
}

export interface TwoSlotState {
  /** The slot consumers use. */
  readonly active: Slot;
  /** The credentials that exist; the active slot always does. */
  readonly slots: Readonly<Partial<Record<Slot, SlotCredential>>>;
  /** The manual counter the last rotation honoured (`loco:rotation.counters.<name>`). */
  readonly counter: number;
  /** While the previous credential is still valid after a promotion: until when (RFC 3339). */
  readonly overlapUntil?: string;
}

export interface TwoSlotInput {
  /** The manual counter from the stack config: a value above the state's counter requests a rotation. */
  readonly counter: number;
  /** The time of this run (RFC 3339). */
  readonly now: string;
  /** Rotate the active credential once it is this many days old. */
  readonly maxAgeDays: number;
  /** How long the previous credential stays valid after a promotion, in hours. */
  readonly overlapHours: number;
}

export type TwoSlotPhase = "first issue" | "issue" | "promote" | "overlap" | "retire" | "steady";

export interface TwoSlotStep {
  readonly phase: TwoSlotPhase;
  /** The state this run records if it succeeds. */
  readonly next: TwoSlotState;
  /** What this run does, in words, for the run's log and `npm run rotate -- status`. */
  readonly action: string;
}

/** What consumers see in a state: the credential they use, and every one a verifier must accept. */
export interface ConsumerView {
  readonly use: number;
  readonly accept: readonly number[];
}

const hour = 3_600_000;
const day = 24 * hour;

export const otherSlot = (slot: Slot): Slot => (slot === "a" ? "b" : "a");

/** Throws an Error naming the bad field of a rotation input, for config read from a stack file. */
export function validateTwoSlotInput(name: string, input: TwoSlotInput): void {
  if (!Number.isInteger(input.counter) || input.counter < 0)
    throw new Error(`${name}: counter must be a non-negative integer, got ${input.counter}`);
  if (!Number.isInteger(input.maxAgeDays) || input.maxAgeDays < 1)
    throw new Error(`${name}: maxAgeDays must be a positive integer, got ${input.maxAgeDays}`);
  if (!Number.isInteger(input.overlapHours) || input.overlapHours < 1 || input.overlapHours >= input.maxAgeDays * 24) {
    throw new Error(`${name}: overlapHours must be an integer from 1 to less than maxAgeDays × 24, got ${input.overlapHours}`);
  }
  if (Number.isNaN(Date.parse(input.now))) throw new Error(`${name}: now is not an RFC 3339 time: ${input.now}`);
}

/** When the active credential is due for age-based rotation (RFC 3339). */
export function dueAt(state: TwoSlotState, maxAgeDays: number): string {
  const active = activeCredential(state);
  return new Date(Date.parse(active.issuedAt) + maxAgeDays * day).toISOString();
}

function activeCredential(state: TwoSlotState): SlotCredential {
  const active = state.slots[state.active];
  if (!active) throw new Error(`rotation state has no credential in its active slot ${state.active}`);
  return active;
}

/** The step this run takes: from no state (the first run), or from the state the last successful run recorded. */
export function twoSlotStep(state: TwoSlotState | undefined, input: TwoSlotInput): TwoSlotStep {
  const now = Date.parse(input.now);
  if (!state) {
    return {
      phase: "first issue",
      next: { active: "a", slots: { a: { generation: 0, issuedAt: input.now } }, counter: input.counter },
      action: "issue the first credential in slot a",
    };
  }
  const active = activeCredential(state);
  const idle = otherSlot(state.active);
  const pending = state.slots[idle];

  // An issued credential that is newer than the active one is waiting for its promotion.
  if (pending && pending.generation > active.generation) {
    return {
      phase: "promote",
      next: { ...state, active: idle, overlapUntil: new Date(now + input.overlapHours * hour).toISOString() },
      action: `switch consumers to slot ${idle} (generation ${pending.generation}); slot ${state.active} stays valid for ${input.overlapHours} h`,
    };
  }
  if (pending && state.overlapUntil !== undefined) {
    if (now < Date.parse(state.overlapUntil)) {
      return {
        phase: "overlap",
        next: state,
        action: `slot ${idle} (generation ${pending.generation}) stays valid until ${state.overlapUntil}`,
      };
    }
    const { overlapUntil: _closed, ...rest } = state;
    return {
      phase: "retire",
      next: { ...rest, slots: { [state.active]: active } },
      action: `delete slot ${idle} (generation ${pending.generation}): its overlap ended at ${state.overlapUntil}`,
    };
  }

  const requested = input.counter > state.counter;
  const aged = now >= Date.parse(dueAt(state, input.maxAgeDays));
  if (requested || aged) {
    const generation = active.generation + 1;
    return {
      phase: "issue",
      next: {
        ...state,
        counter: Math.max(state.counter, input.counter),
        slots: { ...state.slots, [idle]: { generation, issuedAt: input.now } },
      },
      action: `issue generation ${generation} in slot ${idle} (${requested ? `counter ${state.counter} -> ${input.counter}` : "age"}); slot ${state.active} stays in use`,
    };
  }
  return { phase: "steady", next: state, action: "nothing to do" };
}

/** What consumers see: the active credential, and every credential that exists (both valid while two do). */
export function consumerView(state: TwoSlotState): ConsumerView {
  const accept = (["a", "b"] as const).flatMap((slot) => (state.slots[slot] ? [state.slots[slot].generation] : [])).sort((x, y) => y - x);
  return { use: activeCredential(state).generation, accept };
}

/** The credentials a state holds, newest first: what a component declares, one resource per slot. */
export function existingSlots(state: TwoSlotState): { readonly slot: Slot; readonly credential: SlotCredential }[] {
  return (["a", "b"] as const)
    .flatMap((slot) => (state.slots[slot] ? [{ slot, credential: state.slots[slot] }] : []))
    .sort((x, y) => y.credential.generation - x.credential.generation);
}

/** True while two credentials are valid: after an issue, through the overlap, until the retire step. */
export function overlapOpen(state: TwoSlotState): boolean {
  return state.slots.a !== undefined && state.slots.b !== undefined;
}
