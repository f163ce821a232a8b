/**
 * The status page's arithmetic and rules without a database: latency histograms and their quantiles, the hourly
 * and daily rollups, uptime, the windows, the incident rule, the times shown, what text may be published, and
 * the contrast of the state colours. Expected values are worked out by hand.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { advanceCheck, defaultIncidentPolicy, type CheckStreak, type ObservedProbe } from "../resurrector/store/incident-policy";
import type { Impact, ProbeState } from "../resurrector/store/probe-state";
import { addHistograms, histogramQuantile, latencyBucketIndex, rollUp } from "../resurrector/store/rollups";
import { pageBackground, stateColours } from "../resurrector/status-page/page-assets";
import { publishableTextProblem } from "../resurrector/status-page/publishable-text";
import { overallState } from "../resurrector/status-page/read-status";
import { duration, relativeTime, utcMinute } from "../resurrector/status-page/time-format";
import { statusWindows, uptimeOf } from "../resurrector/status-page/uptime";

const at = (iso: string) => new Date(iso);

describe("latency histograms", () => {
  test("a latency falls in the first bucket whose bound is at least it; beyond 10 s in the last", () => {
    assert.equal(latencyBucketIndex(0), 0);
    assert.equal(latencyBucketIndex(50), 0);
    assert.equal(latencyBucketIndex(51), 1);
    assert.equal(latencyBucketIndex(800), 7);
    assert.equal(latencyBucketIndex(10_000), 12);
    assert.equal(latencyBucketIndex(10_001), 13);
  });

  test("quantiles interpolate inside the bucket that holds them", () => {
    // 6 latencies in (0, 50], 3 in (50, 100], 1 in (100, 150].
    const histogram = [6, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    assert.equal(histogramQuantile(histogram, 0.5), 42); // rank 5 of 6 in the first bucket: 50 * 5/6
    assert.equal(histogramQuantile(histogram, 0.95), 125); // rank 9.5: half-way through (100, 150]
    assert.equal(histogramQuantile(histogram, 1), 150);
  });

  test("a quantile in the open-ended bucket is its lower bound; an empty histogram has none", () => {
    assert.equal(histogramQuantile([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4], 0.5), 10_000);
    assert.equal(histogramQuantile(new Array(14).fill(0), 0.5), undefined);
  });

  test("merging histograms adds them bucket by bucket", () => {
    assert.deepEqual(
      addHistograms([
        [1, 2],
        [0, 3, 4],
      ]).slice(0, 4),
      [1, 5, 4, 0],
    );
  });
});

describe("rollups", () => {
  test("probes add to the hour and the day they fall in; down probes count, their latency does not", () => {
    const rollups = rollUp([
      { at: at("2026-11-22T10:05:00Z"), check: "API", state: "healthy", latencyMs: 40 },
      { at: at("2026-11-22T10:20:00Z"), check: "API", state: "healthy", latencyMs: 120 },
      { at: at("2026-11-22T10:40:00Z"), check: "API", state: "degraded", latencyMs: 800 },
      { at: at("2026-11-22T11:10:00Z"), check: "API", state: "down", latencyMs: 5000 },
    ]);
    const histogram = [1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    assert.deepEqual(
      rollups.map((r) => ({ ...r, bucketStart: r.bucketStart.toISOString() })),
      [
        {
          check: "API",
          resolution: "hour",
          bucketStart: "2026-11-22T10:00:00.000Z",
          healthy: 2,
          degraded: 1,
          down: 0,
          latencyHistogram: histogram,
        },
        {
          check: "API",
          resolution: "day",
          bucketStart: "2026-11-22T00:00:00.000Z",
          healthy: 2,
          degraded: 1,
          down: 1,
          latencyHistogram: histogram,
        },
        {
          check: "API",
          resolution: "hour",
          bucketStart: "2026-11-22T11:00:00.000Z",
          healthy: 0,
          degraded: 0,
          down: 1,
          latencyHistogram: new Array(14).fill(0),
        },
      ],
    );
  });
});

describe("uptime", () => {
  test("down probes count against uptime, degraded ones do not; the percentage is rounded down", () => {
    assert.deepEqual(uptimeOf({ healthy: 2870, degraded: 7, down: 3 }), {
      probes: 2880,
      healthy: 2870,
      degraded: 7,
      down: 3,
      percent: 99.89,
    });
    assert.equal(uptimeOf({ healthy: 1, degraded: 1, down: 1 }).percent, 66.66);
    assert.equal(uptimeOf({ healthy: 57, degraded: 0, down: 43 }).percent, 57);
    assert.equal(uptimeOf({ healthy: 99_999, degraded: 0, down: 1 }).percent, 99.99);
    assert.equal(uptimeOf({ healthy: 10, degraded: 0, down: 0 }).percent, 100);
  });

  test("no probes is no figure, not 100 %", () => {
    assert.equal(uptimeOf({ healthy: 0, degraded: 0, down: 0 }).percent, null);
  });

  test("the 7- and 90-day windows are whole hours and whole UTC days", () => {
    const windows = statusWindows(at("2026-11-22T12:34:56Z"));
    assert.equal(windows.dayStart.toISOString(), "2026-11-21T12:34:56.000Z");
    assert.equal(windows.weekStart.toISOString(), "2026-11-15T13:00:00.000Z");
    assert.equal(windows.quarterStart.toISOString(), "2026-08-25T00:00:00.000Z");
  });

  test("the headline is the worst state; missing data beats healthy but never a problem", () => {
    assert.equal(overallState(["healthy", "healthy"], []), "healthy");
    assert.equal(overallState(["healthy", "unknown"], []), "unknown");
    assert.equal(overallState(["unknown", "degraded"], []), "degraded");
    assert.equal(overallState(["healthy"], ["down"]), "down");
    assert.equal(overallState([], []), "unknown");
  });
});

describe("incidents open and close on streaks", () => {
  function run(states: readonly [string, ProbeState][]) {
    let streak: CheckStreak | undefined;
    let incident: Impact | undefined;
    const actions: { kind: string; at: string; startedAt?: string; impact?: string; message: string }[] = [];
    for (const [time, state] of states) {
      const probe: ObservedProbe = {
        at: at(time),
        check: "API",
        state,
        latencyMs: state === "down" ? null : 100,
        detail: state === "healthy" ? "" : "timeout",
      };
      const step = advanceCheck(streak, incident, probe, defaultIncidentPolicy);
      streak = step.streak;
      incident = step.openIncident;
      for (const a of step.actions) {
        actions.push({
          kind: a.kind,
          at: a.at.toISOString().slice(11, 19),
          ...(a.kind === "open" ? { startedAt: a.startedAt.toISOString().slice(11, 19) } : {}),
          ...(a.kind !== "resolve" ? { impact: a.impact } : {}),
          message: a.message,
        });
      }
    }
    return { actions, incident, streak };
  }

  test("three failed probes in a row open an incident that starts at the first", () => {
    const { actions, incident } = run([
      ["2026-11-22T10:00:00Z", "down"],
      ["2026-11-22T10:00:30Z", "down"],
      ["2026-11-22T10:01:00Z", "down"],
    ]);
    assert.equal(incident, "down");
    assert.deepEqual(actions, [
      {
        kind: "open",
        at: "10:01:00",
        startedAt: "10:00:00",
        impact: "down",
        message: "Detected automatically after 3 failed probes: API is down: timeout",
      },
    ]);
  });

  test("two failed probes 5 minutes apart are enough when probes are slow", () => {
    const { actions } = run([
      ["2026-11-22T10:00:00Z", "degraded"],
      ["2026-11-22T10:05:00Z", "degraded"],
    ]);
    assert.deepEqual(
      actions.map((a) => [a.kind, a.at, a.impact]),
      [["open", "10:05:00", "degraded"]],
    );
  });

  test("a single failed probe, or two, is not an incident", () => {
    const { actions } = run([
      ["2026-11-22T10:00:00Z", "down"],
      ["2026-11-22T10:00:30Z", "down"],
      ["2026-11-22T10:01:00Z", "healthy"],
      ["2026-11-22T10:01:30Z", "down"],
    ]);
    assert.deepEqual(actions, []);
  });

  test("degraded then down escalates the incident; down then degraded does not lower it", () => {
    const { actions, incident } = run([
      ["2026-11-22T10:00:00Z", "degraded"],
      ["2026-11-22T10:00:30Z", "degraded"],
      ["2026-11-22T10:01:00Z", "degraded"],
      ["2026-11-22T10:01:30Z", "down"],
      ["2026-11-22T10:02:00Z", "degraded"],
    ]);
    assert.deepEqual(
      actions.map((a) => [a.kind, a.at, a.impact, a.message]),
      [
        ["open", "10:01:00", "degraded", "Detected automatically after 3 failed probes: API is degraded: timeout"],
        ["escalate", "10:01:30", "down", "API is now down: timeout"],
      ],
    );
    assert.equal(incident, "down");
  });

  test("it resolves after two healthy probes in a row; one good probe in between changes nothing", () => {
    const { actions, incident } = run([
      ["2026-11-22T10:00:00Z", "down"],
      ["2026-11-22T10:00:30Z", "down"],
      ["2026-11-22T10:01:00Z", "down"],
      ["2026-11-22T10:01:30Z", "healthy"],
      ["2026-11-22T10:02:00Z", "down"],
      ["2026-11-22T10:02:30Z", "healthy"],
      ["2026-11-22T10:03:00Z", "healthy"],
    ]);
    assert.deepEqual(
      actions.map((a) => [a.kind, a.at]),
      [
        ["open", "10:01:00"],
        ["resolve", "10:03:00"],
      ],
    );
    assert.equal(actions[1].message, "API has answered normally for 2 probes in a row.");
    assert.equal(incident, undefined);
  });

  test("the streak remembers since when the state holds", () => {
    const { streak } = run([
      ["2026-11-22T10:00:00Z", "degraded"],
      ["2026-11-22T10:00:30Z", "down"],
      ["2026-11-22T10:01:00Z", "down"],
    ]);
    assert.equal(streak?.stateSince.toISOString(), "2026-11-22T10:00:30.000Z");
    assert.equal(streak?.streakSince.toISOString(), "2026-11-22T10:00:00.000Z");
    assert.equal(streak?.streakProbes, 3);
  });
});

describe("times on the page", () => {
  const now = at("2026-11-22T12:00:00Z");
  test("UTC to the minute, and the largest whole unit ago", () => {
    assert.equal(utcMinute(at("2026-11-22T09:05:59Z")), "2026-11-22 09:05 UTC");
    assert.equal(relativeTime(at("2026-11-22T11:59:30Z"), now), "just now");
    assert.equal(relativeTime(at("2026-11-22T11:59:00Z"), now), "1 minute ago");
    assert.equal(relativeTime(at("2026-11-22T09:05:00Z"), now), "2 hours ago");
    assert.equal(relativeTime(at("2026-11-19T11:00:00Z"), now), "3 days ago");
    assert.equal(relativeTime(at("2026-11-22T12:04:00Z"), now), "in 4 minutes");
  });

  test("durations", () => {
    assert.equal(duration(30_000), "under a minute");
    assert.equal(duration(45 * 60_000), "45 min");
    assert.equal(duration(83 * 60_000), "1 h 23 min");
    assert.equal(duration(120 * 60_000), "2 h");
    assert.equal(duration((2 * 1440 + 3 * 60 + 5) * 60_000), "2 d 3 h");
  });
});

describe("what may be published", () => {
  test("short plain lines pass, clock times included", () => {
    assert.equal(publishableTextProblem("no answer within 5 seconds"), undefined);
    assert.equal(publishableTextProblem("slow since 10:30:00"), undefined);
    assert.equal(publishableTextProblem(""), undefined);
  });

  test("addresses, internal names, URLs, credentials, line breaks and long text are refused, saying why", () => {
    assert.equal(publishableTextProblem("connect ECONNREFUSED 10.0.0.12:443"), "contains an IPv4 address");
    assert.equal(publishableTextProblem("dial fd00::1 failed"), "contains an IPv6 address");
    assert.equal(publishableTextProblem("GET https://api.loco.dev/readyz"), "contains a URL");
    assert.equal(publishableTextProblem("harbor-core.registry.svc unreachable"), "contains an internal host name");
    assert.equal(publishableTextProblem("refused: token=abc"), "looks like it carries a credential");
    assert.equal(publishableTextProblem("first\nsecond"), "contains a control character or a line break");
    assert.equal(publishableTextProblem("x".repeat(161)), "is 161 characters long (at most 160)");
  });
});

describe("the state colours", () => {
  // WCAG 2 relative luminance and contrast ratio.
  const luminance = (hex: string) => {
    const [r, g, b] = [1, 3, 5]
      .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const contrast = (a: string, b: string) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };

  test("every state's text colour reaches 4.5:1 on the page (WCAG AA)", () => {
    for (const [state, colour] of Object.entries(stateColours)) {
      assert.ok(contrast(colour, pageBackground) >= 4.5, `${state} ${colour}: ${contrast(colour, pageBackground).toFixed(2)}:1`);
    }
  });
});
