/** The two-valid-at-once rotation as a sequence of runs: what each run does and what consumers see after it. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consumerView, overlapOpen, twoSlotStep, validateTwoSlotInput, type TwoSlotState } from "../components/two-slot-rotation";

const settings = { maxAgeDays: 30, overlapHours: 48 };
const at = (iso: string, counter = 0) => ({ ...settings, counter, now: iso });

/** Runs the scheduled run at each time; a run listed in `failing` records nothing (as a failed `pulumi up`). */
function runs(times: readonly { now: string; counter?: number; fails?: boolean }[]) {
  let state: TwoSlotState | undefined;
  return times.map(({ now, counter, fails }) => {
    const step = twoSlotStep(state, at(now, counter ?? 0));
    if (!fails) state = step.next;
    const current = state;
    return {
      phase: step.phase,
      view: current ? consumerView(current) : undefined,
      overlap: current ? overlapOpen(current) : false,
      active: current?.active,
    };
  });
}

describe("two valid at once", () => {
  test("a manual rotation steps issue -> promote -> overlap -> retire, and consumers always have a valid credential", () => {
    const seen = runs([
      { now: "2026-01-01T00:00:00.000Z" },
      { now: "2026-01-02T00:00:00.000Z" },
      { now: "2026-01-03T00:00:00.000Z", counter: 1 },
      { now: "2026-01-03T01:00:00.000Z", counter: 1 },
      { now: "2026-01-04T00:00:00.000Z", counter: 1 },
      { now: "2026-01-05T01:00:01.000Z", counter: 1 },
      { now: "2026-01-06T00:00:00.000Z", counter: 1 },
    ]);
    assert.deepEqual(seen, [
      { phase: "first issue", view: { use: 0, accept: [0] }, overlap: false, active: "a" },
      { phase: "steady", view: { use: 0, accept: [0] }, overlap: false, active: "a" },
      { phase: "issue", view: { use: 0, accept: [1, 0] }, overlap: true, active: "a" },
      { phase: "promote", view: { use: 1, accept: [1, 0] }, overlap: true, active: "b" },
      { phase: "overlap", view: { use: 1, accept: [1, 0] }, overlap: true, active: "b" },
      { phase: "retire", view: { use: 1, accept: [1] }, overlap: false, active: "b" },
      { phase: "steady", view: { use: 1, accept: [1] }, overlap: false, active: "b" },
    ]);
  });

  test("age alone rotates on the first run after maxAgeDays, into the slot not in use", () => {
    const seen = runs([
      { now: "2026-01-01T00:00:00.000Z" },
      { now: "2026-01-30T23:59:59.000Z" },
      { now: "2026-01-31T00:00:00.000Z" },
      { now: "2026-01-31T06:00:00.000Z" },
    ]);
    assert.deepEqual(
      seen.map((s) => [s.phase, s.active, s.view?.use]),
      [
        ["first issue", "a", 0],
        ["steady", "a", 0],
        ["issue", "a", 0],
        ["promote", "b", 1],
      ],
    );
  });

  test("a run that fails mid-rotation leaves the old credential valid and in use; the next run takes the same step", () => {
    const seen = runs([
      { now: "2026-01-01T00:00:00.000Z" },
      { now: "2026-01-02T00:00:00.000Z", counter: 1 },
      { now: "2026-01-02T01:00:00.000Z", counter: 1, fails: true },
      { now: "2026-01-02T02:00:00.000Z", counter: 1 },
      { now: "2026-01-05T00:00:00.000Z", counter: 1, fails: true },
      { now: "2026-01-06T00:00:00.000Z", counter: 1 },
    ]);
    assert.deepEqual(
      seen.map((s) => [s.phase, s.view]),
      [
        ["first issue", { use: 0, accept: [0] }],
        ["issue", { use: 0, accept: [1, 0] }],
        // Harbor unreachable while promoting: nothing recorded, both still valid, consumers on the old one.
        ["promote", { use: 0, accept: [1, 0] }],
        ["promote", { use: 1, accept: [1, 0] }],
        // The delete of the old one failed: it stays valid (one credential too many, never none).
        ["retire", { use: 1, accept: [1, 0] }],
        ["retire", { use: 1, accept: [1] }],
      ],
    );
  });

  test("a counter bumped twice before a run rotates once", () => {
    const seen = runs([
      { now: "2026-01-01T00:00:00.000Z" },
      { now: "2026-01-02T00:00:00.000Z", counter: 2 },
      { now: "2026-01-02T01:00:00.000Z", counter: 2 },
      { now: "2026-01-05T00:00:00.000Z", counter: 2 },
      { now: "2026-01-06T00:00:00.000Z", counter: 2 },
    ]);
    assert.deepEqual(
      seen.map((s) => s.phase),
      ["first issue", "issue", "promote", "retire", "steady"],
    );
  });

  test("bad settings are refused with the field named", () => {
    assert.throws(
      () => validateTwoSlotInput("cloudflareDnsToken", { ...at("2026-01-01T00:00:00Z"), overlapHours: 30 * 24 }),
      /cloudflareDnsToken: overlapHours/,
    );
    assert.throws(() => validateTwoSlotInput("cloudflareDnsToken", { ...at("yesterday") }), /now is not an RFC 3339 time: yesterday/);
  });
});
