/**
 * The state each rotation run steps from, and the state it leaves behind.
 *
 * A rotation takes one step per `pulumi up` (components/two-slot-rotation.ts). The step is computed from plain values
 * known before any resource is declared: the non-secret `rotation` output the last successful run recorded (read
 * through a StackReference to this very stack, stacks/previous-run.ts), the stack config (counters, maxAgeDays,
 * overlapHours) and one clock reading per run. Nothing is learnt inside an apply, so a preview shows exactly which slots exist.
 *
 * The state a run records is published only when the resources that apply it are in place: a run that fails half-way
 * leaves the previous `rotation` output as it was, and the next run takes the same step again.
 *
 * One function per kind: {@link RotationRun.twoSlotRotation} for "two valid at once"; the alternating users kind
 * reads its previous entry with {@link RotationRun.previousEntry} and records with {@link RotationRun.record}.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  dueAt,
  twoSlotStep,
  validateTwoSlotInput,
  type SlotCredential,
  type TwoSlotState,
  type TwoSlotStep,
} from "../components/two-slot-rotation";
import type { StackConfig } from "./config";
import { readPreviousOutputs, type PreviousOutputs } from "./previous-run";

/** The stack output that carries every credential's rotation state (no secret in it). */
export const rotationOutputName = "rotation";

/** The credentials of the kind "two valid at once" the program issues in two slots. */
export type TwoSlotCredential = "cloudflareDnsToken" | "locoApiSigningKeys" | "registryBuilderRobot" | "registryPullRobot" | "spacesKeys";

/** What one run steps from: plain values, all known before any resource is declared. */
export interface RotationRunInput {
  /** The time of this run (RFC 3339): `loco:rotation.now`, or when the run started. */
  readonly now: string;
  /** `loco:rotation.maxAgeDays`. */
  readonly maxAgeDays: number;
  /** `loco:rotation.overlapHours`. */
  readonly overlapHours: number;
  /** `loco:rotation.counters`. */
  readonly counters: Readonly<Record<string, number>>;
  /** The last successful run's `rotation` output; undefined on a stack's first run. */
  readonly previous: Readonly<Record<string, unknown>> | undefined;
}

/** The entry a two-slot credential has in the `rotation` output. */
export interface TwoSlotRecord {
  readonly kind: "two valid at once";
  /** The step the run that recorded it took. */
  readonly phase: TwoSlotStep["phase"];
  /** When the credential consumers use was issued. */
  readonly issuedAt: string;
  /** When it is due for age-based rotation. */
  readonly dueAt: string;
  /** While the previous credential is still valid after a promotion: until when. */
  readonly overlapUntil?: string;
  /** The state the next run steps from. */
  readonly state: TwoSlotState;
}

/** A previous `rotation` output this program cannot step from; the message names the credential and the field. */
export class RotationStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RotationStateError";
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

const isTime = (value: unknown): value is string => typeof value === "string" && !Number.isNaN(Date.parse(value));

/** Pure: the recorded state of one credential, checked field by field; throws naming the first bad field. */
export function parseTwoSlotState(credential: string, value: unknown): TwoSlotState {
  const where = `stack output ${rotationOutputName}.${credential}.state`;
  const fail = (field: string, why: string): never => {
    throw new RotationStateError(`${where}.${field} ${why}: fix or remove the entry (\`pulumi stack output ${rotationOutputName}\`)`);
  };
  if (!isRecord(value)) throw new RotationStateError(`${where} must be an object`);
  const { active, slots, counter, overlapUntil } = value;
  if (active !== "a" && active !== "b") fail("active", `must be "a" or "b", got ${JSON.stringify(active)}`);
  if (!Number.isInteger(counter) || (counter as number) < 0)
    fail("counter", `must be a non-negative integer, got ${JSON.stringify(counter)}`);
  if (overlapUntil !== undefined && !isTime(overlapUntil))
    fail("overlapUntil", `must be an RFC 3339 time, got ${JSON.stringify(overlapUntil)}`);
  if (!isRecord(slots)) return fail("slots", "must be an object");
  const parsed: Partial<Record<"a" | "b", SlotCredential>> = {};
  for (const [slot, entry] of Object.entries(slots)) {
    if (slot !== "a" && slot !== "b") fail(`slots.${slot}`, 'is not a slot (only "a" and "b")');
    if (!isRecord(entry)) return fail(`slots.${slot}`, "must be an object");
    const { generation, issuedAt } = entry;
    if (!Number.isInteger(generation) || (generation as number) < 0) {
      fail(`slots.${slot}.generation`, `must be a non-negative integer, got ${JSON.stringify(generation)}`);
    }
    if (!isTime(issuedAt)) fail(`slots.${slot}.issuedAt`, `must be an RFC 3339 time, got ${JSON.stringify(issuedAt)}`);
    parsed[slot as "a" | "b"] = { generation: generation as number, issuedAt: issuedAt as string };
  }
  if (!parsed[active as "a" | "b"]) fail("slots", `has no credential in the active slot ${String(active)}`);
  return {
    active: active as "a" | "b",
    slots: parsed,
    counter: counter as number,
    ...(overlapUntil === undefined ? {} : { overlapUntil: overlapUntil as string }),
  };
}

/** Pure: the `rotation` output entry a two-slot step records. */
export function twoSlotRecord(step: TwoSlotStep, maxAgeDays: number): TwoSlotRecord {
  const { next } = step;
  const active = next.slots[next.active] as SlotCredential;
  return {
    kind: "two valid at once",
    phase: step.phase,
    issuedAt: active.issuedAt,
    dueAt: dueAt(next, maxAgeDays),
    ...(next.overlapUntil === undefined ? {} : { overlapUntil: next.overlapUntil }),
    state: next,
  };
}

/**
 * One run's rotations: the steps the layers take, each computed once, and the `rotation` output entries they record
 * (see {@link RotationRun.outputs}).
 */
export class RotationRun {
  private readonly steps = new Map<TwoSlotCredential, TwoSlotStep>();
  private readonly entries = new Map<string, { entry: unknown; appliedBy: pulumi.Resource[] }>();

  constructor(readonly input: RotationRunInput) {
    if (input.previous !== undefined && !isRecord(input.previous)) {
      throw new RotationStateError(`stack output ${rotationOutputName} must be an object of credentials`);
    }
  }

  /** The last successful run's entry for `credential`, unchecked; undefined when it has none (a first issue). */
  previousEntry(credential: string): unknown {
    return this.input.previous?.[credential];
  }

  /** The step this run takes for a two-slot credential; the same step however often a layer asks. */
  twoSlotRotation(credential: TwoSlotCredential): TwoSlotStep {
    const known = this.steps.get(credential);
    if (known) return known;
    const input = {
      counter: this.input.counters[credential] ?? 0,
      now: this.input.now,
      maxAgeDays: this.input.maxAgeDays,
      overlapHours: this.input.overlapHours,
    };
    try {
      validateTwoSlotInput(credential, input);
    } catch (error) {
      throw new RotationStateError(`loco:rotation: ${(error as Error).message}`);
    }
    const previous = this.previousEntry(credential);
    // An entry without a state was written before this credential had two slots: it steps from nothing.
    const state = isRecord(previous) && previous.state !== undefined ? parseTwoSlotState(credential, previous.state) : undefined;
    const step = twoSlotStep(state, input);
    this.steps.set(credential, step);
    this.record(credential, twoSlotRecord(step, this.input.maxAgeDays), []);
    return step;
  }

  /**
   * Records `entry` as `credential`'s state for the next run, published once every resource in `appliedBy` has been
   * created or updated: a run that fails before then leaves the previous entry in place. Calling it again for the
   * same credential adds resources to wait for (an entry given as undefined keeps the recorded one).
   */
  record(credential: string, entry: unknown, appliedBy: readonly pulumi.Resource[]): void {
    const known = this.entries.get(credential);
    this.entries.set(credential, {
      entry: entry === undefined && known ? known.entry : entry,
      appliedBy: [...(known?.appliedBy ?? []), ...appliedBy],
    });
  }

  /** Adds resources a credential's recorded state waits for: the slots and the consumers a step changes. */
  appliedBy(credential: string, resources: readonly pulumi.Resource[]): void {
    this.record(credential, undefined, resources);
  }

  /** The `rotation` output entries of every credential stepped this run. */
  outputs(): Record<string, pulumi.Output<unknown>> {
    return Object.fromEntries(
      [...this.entries].map(([credential, { entry, appliedBy }]) => [
        credential,
        pulumi.all(appliedBy.map((resource) => resource.urn)).apply(() => entry),
      ]),
    );
  }
}

/**
 * Reads the state this run steps from: this stack's own last `rotation` output (stacks/previous-run.ts), as a plain
 * value awaited before any resource is declared, with the config and one clock reading. The program passes the
 * outputs it has already read (`previous`), so a run reads its own stack once.
 */
export async function loadRotationRun(
  config: Pick<StackConfig, "rotation">,
  startedAt: Date = new Date(),
  previous?: PreviousOutputs,
): Promise<RotationRun> {
  const details = (previous ?? (await readPreviousOutputs([rotationOutputName])))[rotationOutputName] ?? {};
  if (details.secretValue !== undefined) {
    throw new RotationStateError(`stack output ${rotationOutputName} is a secret: it must hold only issue times and generations`);
  }
  return new RotationRun({
    now: config.rotation.now ?? startedAt.toISOString(),
    maxAgeDays: config.rotation.maxAgeDays,
    overlapHours: config.rotation.overlapHours,
    counters: config.rotation.counters,
    previous: details.value === undefined || details.value === null ? undefined : details.value,
  });
}
