import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runUnderMocks } from "../plan/mock-runtime";
import { loadRotationRun, parseTwoSlotState, RotationRun, RotationStateError, twoSlotRecord } from "../stacks/rotation-state";

const policy = { maxAgeDays: 30, overlapHours: 24, counters: {} as Record<string, number> };
const issuedState = {
  active: "a",
  counter: 0,
  slots: { a: { generation: 0, issuedAt: "2026-01-01T00:00:00.000Z" } },
};

describe("the state a rotation run steps from", () => {
  it("a first run (no rotation output) issues the first credential", () => {
    const run = new RotationRun({ ...policy, now: "2026-01-01T00:00:00.000Z", previous: undefined });
    const step = run.twoSlotRotation("registryPullRobot");
    assert.equal(step.phase, "first issue");
    assert.deepEqual(step.next, { active: "a", counter: 0, slots: { a: { generation: 0, issuedAt: "2026-01-01T00:00:00.000Z" } } });
  });

  it("a credential missing from the previous output, or recorded before it had slots, is a first issue too", () => {
    const run = new RotationRun({
      ...policy,
      now: "2026-01-05T00:00:00.000Z",
      previous: { registryPullRobot: { issuedAt: "2025-12-01T00:00:00Z", dueAt: "2026-01-01T00:00:00Z" } },
    });
    assert.equal(run.twoSlotRotation("registryPullRobot").phase, "first issue");
    assert.equal(run.twoSlotRotation("cloudflareDnsToken").phase, "first issue");
  });

  it("steps from the recorded state: steady before the due date, issue once it is due", () => {
    const previous = { cloudflareDnsToken: { state: issuedState } };
    const early = new RotationRun({ ...policy, now: "2026-01-20T00:00:00.000Z", previous });
    assert.equal(early.twoSlotRotation("cloudflareDnsToken").phase, "steady");
    const due = new RotationRun({ ...policy, now: "2026-01-31T00:00:00.000Z", previous });
    const step = due.twoSlotRotation("cloudflareDnsToken");
    assert.equal(step.phase, "issue");
    assert.deepEqual(step.next.slots.b, { generation: 1, issuedAt: "2026-01-31T00:00:00.000Z" });
  });

  it("a bumped counter issues even when the credential is young", () => {
    const run = new RotationRun({
      ...policy,
      counters: { registryBuilderRobot: 1 },
      now: "2026-01-02T00:00:00.000Z",
      previous: { registryBuilderRobot: { state: issuedState } },
    });
    assert.equal(run.twoSlotRotation("registryBuilderRobot").phase, "issue");
  });

  it("asking twice for a credential's step gives the same step", () => {
    const run = new RotationRun({ ...policy, now: "2026-01-01T00:00:00.000Z", previous: undefined });
    assert.equal(run.twoSlotRotation("registryPullRobot"), run.twoSlotRotation("registryPullRobot"));
  });

  it("a malformed recorded state is a one-line error naming the credential and the field", () => {
    const cases: [unknown, RegExp][] = [
      [{ ...issuedState, active: "c" }, /rotation\.registryPullRobot\.state\.active must be "a" or "b", got "c"/],
      [{ ...issuedState, counter: -1 }, /rotation\.registryPullRobot\.state\.counter must be a non-negative integer, got -1/],
      [{ ...issuedState, slots: { a: { generation: 0, issuedAt: "yesterday" } } }, /state\.slots\.a\.issuedAt must be an RFC 3339 time/],
      [{ ...issuedState, slots: { a: { generation: 1.5, issuedAt: "2026-01-01T00:00:00Z" } } }, /state\.slots\.a\.generation must be/],
      [{ ...issuedState, active: "b" }, /state\.slots has no credential in the active slot b/],
      [{ ...issuedState, slots: { c: {} } }, /state\.slots\.c is not a slot/],
      [{ ...issuedState, overlapUntil: 12 }, /state\.overlapUntil must be an RFC 3339 time, got 12/],
      ["broken", /rotation\.registryPullRobot\.state must be an object/],
    ];
    for (const [state, message] of cases) {
      const run = new RotationRun({ ...policy, now: "2026-01-01T00:00:00.000Z", previous: { registryPullRobot: { state } } });
      assert.throws(
        () => run.twoSlotRotation("registryPullRobot"),
        (error: Error) => error instanceof RotationStateError && message.test(error.message) && !error.message.includes("\n"),
        JSON.stringify(state),
      );
    }
  });

  it("a recorded state round-trips through parseTwoSlotState", () => {
    const state = { ...issuedState, active: "b", slots: { ...issuedState.slots, b: { generation: 1, issuedAt: "2026-02-01T00:00:00Z" } } };
    assert.deepEqual(parseTwoSlotState("x", { ...state, overlapUntil: "2026-02-02T00:00:00Z" }), {
      ...state,
      overlapUntil: "2026-02-02T00:00:00Z",
    });
  });

  it("an overlap longer than the rotation period is refused naming the key", () => {
    const run = new RotationRun({ ...policy, maxAgeDays: 1, overlapHours: 24, now: "2026-01-01T00:00:00.000Z", previous: undefined });
    assert.throws(() => run.twoSlotRotation("cloudflareDnsToken"), /^RotationStateError: loco:rotation: cloudflareDnsToken: overlapHours/);
  });

  it("the recorded entry carries the next state and what status shows (issued, due, overlap)", () => {
    const run = new RotationRun({
      ...policy,
      now: "2026-02-01T00:00:00.000Z",
      previous: {
        cloudflareDnsToken: {
          state: { ...issuedState, slots: { ...issuedState.slots, b: { generation: 1, issuedAt: "2026-01-31T00:00:00.000Z" } } },
        },
      },
    });
    const step = run.twoSlotRotation("cloudflareDnsToken");
    assert.deepEqual(twoSlotRecord(step, 30), {
      kind: "two valid at once",
      phase: "promote",
      issuedAt: "2026-01-31T00:00:00.000Z",
      dueAt: "2026-03-02T00:00:00.000Z",
      overlapUntil: "2026-02-02T00:00:00.000Z",
      state: step.next,
    });
  });
});

describe("loadRotationRun under the mocks", () => {
  const config = { rotation: { ...policy, counters: { registryPullRobot: 2 } } };

  it("reads the stack's own previous rotation output as a plain value", async () => {
    const previous = { rotation: { registryPullRobot: { state: issuedState } } };
    const run = await runUnderMocks(() => loadRotationRun(config, new Date("2026-01-03T00:00:00Z")), { previousOutputs: previous });
    assert.deepEqual(run.result.input.previous, previous.rotation);
    assert.equal(run.result.input.now, "2026-01-03T00:00:00.000Z");
    assert.equal(run.result.twoSlotRotation("registryPullRobot").phase, "issue");
  });

  it("no previous output: every credential starts from its first issue", async () => {
    const run = await runUnderMocks(() => loadRotationRun(config));
    assert.equal(run.result.input.previous, undefined);
    assert.equal(run.result.twoSlotRotation("registryPullRobot").phase, "first issue");
  });

  it("loco:rotation.now overrides the clock", async () => {
    const run = await runUnderMocks(() => loadRotationRun({ rotation: { ...config.rotation, now: "2026-06-01T00:00:00Z" } }));
    assert.equal(run.result.input.now, "2026-06-01T00:00:00Z");
  });

  it("a rotation output that is not an object is refused", async () => {
    await assert.rejects(
      runUnderMocks(() => loadRotationRun(config), { previousOutputs: { rotation: [1, 2] } }),
      /stack output rotation must be an object of credentials/,
    );
  });
});
