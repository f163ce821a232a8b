/**
 * The watch's decision core as tables: probe sequences written as letters (h healthy, g degraded, d down), one a
 * minute unless said otherwise, with the state and decision each must give. Expected values are written out by
 * hand from the rules in docs/resurrector.md, never computed by the code under test.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  decide,
  defaultWatchPolicy,
  foldProbes,
  type CycleProbe,
  type DecisionKind,
  type PreviousDecision,
  type SecondSourceAnswer,
  type WatchPolicy,
} from "../resurrector/watch/watch-decision";
import type { ProbeState } from "../resurrector/store/probe-state";

const start = Date.parse("2026-11-29T12:00:00Z");
const letters: Record<string, ProbeState> = { h: "healthy", g: "degraded", d: "down" };

/** "hhddd" at one probe every `everySeconds`; the public endpoint is down with the cluster unless told otherwise. */
function probes(sequence: string, everySeconds = 60, publicEndpoint?: CycleProbe["publicEndpoint"]): CycleProbe[] {
  return [...sequence].map((letter, i) => ({
    at: new Date(start + i * everySeconds * 1000),
    health: letters[letter],
    publicEndpoint: publicEndpoint ?? letters[letter],
  }));
}

const policy: WatchPolicy = { downProbes: 3, downMinutes: 2, healthyProbes: 2 };

describe("the cluster's state, with hysteresis (N=3 down probes over M=2 minutes, K=2 healthy)", () => {
  const table: [sequence: string, everySeconds: number, state: ProbeState, previous: ProbeState][] = [
    ["h", 60, "healthy", "healthy"],
    ["hhhh", 60, "healthy", "healthy"],
    ["hg", 60, "degraded", "healthy"],
    ["hd", 60, "degraded", "healthy"],
    ["hdd", 60, "degraded", "degraded"],
    // Third down probe, two minutes after the first: down.
    ["hddd", 60, "down", "degraded"],
    ["ddd", 60, "down", "degraded"],
    // Three probes but only 40 s apart in all: not yet.
    ["ddd", 20, "degraded", "degraded"],
    // Seven probes at 20 s span exactly two minutes.
    ["ddddddd", 20, "down", "degraded"],
    // One healthy probe resets the streak; the count starts again.
    ["ddhdd", 60, "degraded", "degraded"],
    ["ddhddd", 60, "down", "degraded"],
    // A degraded probe resets it too.
    ["ddgdd", 60, "degraded", "degraded"],
    // Leaving down needs two healthy probes in a row.
    ["dddh", 60, "down", "down"],
    ["dddhh", 60, "healthy", "down"],
    ["dddhdh", 60, "down", "down"],
    ["dddg", 60, "down", "down"],
    ["hghh", 60, "healthy", "degraded"],
    ["hgh", 60, "degraded", "degraded"],
    // Flapping never reaches down, and one healthy probe never clears degraded.
    ["dhdhdhdhdhdhdhdh", 60, "degraded", "degraded"],
    ["ddhddhddhddhddh", 60, "degraded", "degraded"],
    ["dgdgdgdgdgdgdg", 60, "degraded", "degraded"],
  ];
  for (const [sequence, every, state, previous] of table) {
    test(`${sequence} every ${every}s is ${state} (was ${previous})`, () => {
      const memory = foldProbes(probes(sequence, every), policy);
      assert.equal(memory.state, state);
      assert.equal(memory.previousState, previous);
    });
  }

  test("the defaults are N=5 probes over M=5 minutes and K=2", () => {
    assert.deepEqual(defaultWatchPolicy, { downProbes: 5, downMinutes: 5, healthyProbes: 2 });
    assert.equal(foldProbes(probes("ddddd"), defaultWatchPolicy).state, "degraded");
    assert.equal(foldProbes(probes("dddddd"), defaultWatchPolicy).state, "down");
  });
});

const gone: SecondSourceAnswer = { kind: "gone", detail: "no cluster named loco-prod-cluster" };
const running: SecondSourceAnswer = { kind: "running", cluster: "loco-prod-cluster" };
const degradedByDo: SecondSourceAnswer = { kind: "not-running", cluster: "loco-prod-cluster", state: "degraded" };
const unreachable: SecondSourceAnswer = { kind: "unreachable", detail: "timed out after 10 s" };
const refusedToken: SecondSourceAnswer = { kind: "refused", detail: "HTTP 401: the token is refused" };
const readable = { readable: true } as const;

describe("the decision", () => {
  const table: {
    name: string;
    sequence: string;
    publicEndpoint?: CycleProbe["publicEndpoint"];
    answer?: SecondSourceAnswer;
    previous?: PreviousDecision;
    truth?: { readable: false; reason: string };
    kind: DecisionKind;
    reason?: RegExp;
  }[] = [
    { name: "healthy all along: nothing", sequence: "hhh", kind: "nothing" },
    { name: "healthy to degraded: notify", sequence: "hhg", kind: "notify", reason: /^cluster healthy → degraded$/ },
    { name: "degraded for long: nothing more", sequence: "hgggggggg", kind: "nothing" },
    { name: "degraded back to healthy: notify", sequence: "hgghh", kind: "notify", reason: /^cluster degraded → healthy$/ },
    {
      name: "down sustained and DigitalOcean says gone: rebuild",
      sequence: "hddd",
      answer: gone,
      kind: "rebuild",
      reason: /^down for 3 probes over 2 min and DigitalOcean says the cluster is gone \(no cluster named loco-prod-cluster\): rebuild$/,
    },
    {
      name: "down sustained and DigitalOcean says not running: rebuild",
      sequence: "dddd",
      answer: degradedByDo,
      kind: "rebuild",
      reason: /loco-prod-cluster is degraded, not running/,
    },
    {
      name: "down by the probes but running by DigitalOcean: notify only",
      sequence: "hddd",
      answer: running,
      kind: "notify",
      reason: /^down for 3 probes over 2 min, but DigitalOcean says loco-prod-cluster is running: no rebuild$/,
    },
    {
      name: "DigitalOcean unreachable and the public endpoint down: rebuild",
      sequence: "hddd",
      answer: unreachable,
      kind: "rebuild",
      reason: /unreachable \(timed out after 10 s\) and the public endpoint is down: rebuild$/,
    },
    {
      name: "DigitalOcean unreachable but the public endpoint answers: notify only",
      sequence: "hddd",
      publicEndpoint: "degraded",
      answer: unreachable,
      kind: "notify",
      reason: /but the public endpoint is degraded: no rebuild$/,
    },
    {
      name: "DigitalOcean unreachable and the public endpoint not probed: notify only (unknown is not down)",
      sequence: "hddd",
      publicEndpoint: "unknown",
      answer: unreachable,
      kind: "notify",
      reason: /but the public endpoint is unknown: no rebuild$/,
    },
    {
      name: "DigitalOcean refuses the token, the public endpoint down: notify only (a refusal says nothing of the cluster)",
      sequence: "hddd",
      answer: refusedToken,
      kind: "notify",
      reason: /DigitalOcean refuses the resurrector's token \(HTTP 401: the token is refused\): no second source: no rebuild$/,
    },
    { name: "down but no second source asked: notify the change", sequence: "hddd", kind: "notify", reason: /^cluster degraded → down$/ },
    { name: "degraded never rebuilds, whatever DigitalOcean says", sequence: "hgggggg", answer: gone, kind: "nothing" },
    { name: "flapping never rebuilds", sequence: "dhdhdhdhdhdh", answer: gone, kind: "nothing" },
    { name: "a healthy probe inside the down state stops the rebuild", sequence: "dddddh", answer: gone, kind: "nothing" },
    {
      name: "the database unreadable: refuse, even down and gone",
      sequence: "hdddd",
      answer: gone,
      truth: { readable: false, reason: "connection refused" },
      kind: "refuse",
      reason: /^no truth, no action: loco's database cannot be read \(connection refused\)$/,
    },
    {
      name: "the same refusal again: nothing",
      sequence: "hdddd",
      truth: { readable: false, reason: "connection refused" },
      previous: {
        kind: "refuse",
        reason: "no truth, no action: loco's database cannot be read (connection refused)",
        at: new Date(start),
      },
      kind: "nothing",
    },
    {
      name: "a rebuild already asked in this down episode: not again",
      sequence: "hdddddd",
      answer: gone,
      previous: { kind: "rebuild", reason: "x", at: new Date(start + 3 * 60_000), outcome: "dry-run" },
      kind: "nothing",
    },
    {
      name: "a rebuild still running (no outcome yet): not again",
      sequence: "hdddddd",
      answer: gone,
      previous: { kind: "rebuild", reason: "x", at: new Date(start + 3 * 60_000) },
      kind: "nothing",
    },
    {
      name: "a failed rebuild is asked again M minutes later",
      sequence: "hdddddd",
      answer: gone,
      previous: { kind: "rebuild", reason: "x", at: new Date(start + 3 * 60_000), outcome: "failed" },
      kind: "rebuild",
    },
    {
      name: "a refused rebuild is not asked again sooner than M minutes",
      sequence: "hdddd",
      answer: gone,
      previous: { kind: "rebuild", reason: "x", at: new Date(start + 3 * 60_000), outcome: "refused" },
      kind: "nothing",
    },
    {
      name: "a rebuild from an earlier down episode does not hold back this one",
      sequence: "dddhhddd",
      answer: gone,
      previous: { kind: "rebuild", reason: "x", at: new Date(start + 2 * 60_000), outcome: "succeeded" },
      kind: "rebuild",
    },
    {
      name: "the same 'running' notification again: nothing",
      sequence: "hdddd",
      answer: running,
      previous: {
        kind: "notify",
        reason: "down for 4 probes over 3 min, but DigitalOcean says loco-prod-cluster is running: no rebuild",
        at: new Date(start),
      },
      kind: "nothing",
    },
  ];
  for (const row of table) {
    test(row.name, () => {
      const sequence = probes(row.sequence, 60, row.publicEndpoint);
      const memory = foldProbes(sequence, policy);
      const decision = decide({
        memory,
        policy,
        truth: row.truth ?? readable,
        secondSource: row.answer,
        previous: row.previous,
        now: sequence[sequence.length - 1].at,
      });
      assert.equal(decision.kind, row.kind, decision.reason);
      if (row.reason) assert.match(decision.reason, row.reason);
    });
  }

  test("a repeated 'running' notification with the same words is not sent twice", () => {
    const sequence = probes("hddd");
    const memory = foldProbes(sequence, policy);
    const reason = "down for 3 probes over 2 min, but DigitalOcean says loco-prod-cluster is running: no rebuild";
    const previous: PreviousDecision = { kind: "notify", reason, at: new Date(start) };
    const again = foldProbes(
      probes("d", 60).map((p) => ({ ...p, at: new Date(start + 4 * 60_000) })),
      policy,
      memory,
    );
    assert.equal(decide({ memory, policy, truth: readable, secondSource: running, previous, now: sequence[3].at }).kind, "notify");
    // The streak grew, so the words changed: said again with the new count.
    assert.match(
      decide({ memory: again, policy, truth: readable, secondSource: running, previous, now: again.latest!.at }).reason,
      /4 probes over 3 min/,
    );
    const sameWords = {
      ...previous,
      reason: "down for 4 probes over 3 min, but DigitalOcean says loco-prod-cluster is running: no rebuild",
    };
    assert.equal(
      decide({ memory: again, policy, truth: readable, secondSource: running, previous: sameWords, now: again.latest!.at }).kind,
      "nothing",
    );
  });

  test("the evidence names the state, the streak, the policy and DigitalOcean's answer", () => {
    const sequence = probes("hddd");
    const decision = decide({ memory: foldProbes(sequence, policy), policy, truth: readable, secondSource: gone, now: sequence[3].at });
    assert.deepEqual(decision.evidence, {
      state: "down",
      previousState: "degraded",
      stateSince: "2026-11-29T12:03:00.000Z",
      downProbes: 3,
      downSince: "2026-11-29T12:01:00.000Z",
      lastProbeAt: "2026-11-29T12:03:00.000Z",
      publicEndpoint: "down",
      policy: { downProbes: 3, downMinutes: 2, healthyProbes: 2 },
      digitalocean: gone,
    });
  });
});
