/**
 * Generated history for `serve --demo`: 90 days of probes of every platform check, recorded through the same
 * store calls the watcher uses, so the demo shows what the real code makes of them. The story, counted back from
 * now: a healthy stretch with an afternoon of a slow dashboard 40 days ago; three days ago an outage of the whole
 * cluster with its incidents, a rebuild and a Grafana alert after it; and, now, a degraded registry with an open incident.
 * Latencies come from a seeded generator, so every run tells the same story.
 */
import type { ClientBase } from "pg";
import { applyAlerts } from "../store/alert-incidents";
import { recentIncidents, updateIncident } from "../store/incidents";
import { recordProbes, type ProbeRecord } from "../store/probe-history";
import type { ProbeState } from "../store/probe-state";
import { finishRebuild, setRebuildPhase, startRebuild } from "../store/rebuilds";
import { platformChecks } from "../status-page/checks";

const minuteMs = 60_000;
const dayMs = 86_400_000;

/** Typical latency (ms) of each check when healthy. */
const baseLatency: Record<string, number> = {
  "Public endpoint": 45,
  API: 90,
  Dashboard: 140,
  Registry: 180,
  "Kubernetes control plane": 30,
};

/** A small deterministic generator (mulberry32): the same latencies on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Episode {
  readonly check: string;
  readonly from: number;
  readonly to: number;
  readonly state: Exclude<ProbeState, "healthy">;
  readonly detail: string;
  readonly latency?: readonly [number, number];
}

/** What the demo's probes find, at minute resolution; times are ms since the epoch. */
function episodes(now: number): { list: Episode[]; outageStart: number; outageEnd: number } {
  const outageStart = Math.floor((now - 3 * dayMs - 6 * 60 * minuteMs) / minuteMs) * minuteMs;
  const at = (minutes: number) => outageStart + minutes * minuteMs;
  const slowDashboard = Math.floor((now - 40 * dayMs) / minuteMs) * minuteMs;
  const degradedRegistry = Math.floor((now - 25 * minuteMs) / minuteMs) * minuteMs;
  const unreachable = "no answer within 5 seconds";
  return {
    outageStart,
    outageEnd: at(58),
    list: [
      {
        check: "Dashboard",
        from: slowDashboard,
        to: slowDashboard + 35 * minuteMs,
        state: "degraded",
        detail: "slow responses",
        latency: [1600, 2400],
      },
      { check: "Kubernetes control plane", from: at(0), to: at(31), state: "down", detail: unreachable },
      { check: "API", from: at(1), to: at(44), state: "down", detail: unreachable },
      { check: "Dashboard", from: at(1), to: at(46), state: "down", detail: unreachable },
      { check: "Registry", from: at(2), to: at(50), state: "down", detail: unreachable },
      { check: "Public endpoint", from: at(0), to: at(52), state: "down", detail: "the gateway does not answer" },
      {
        check: "Public endpoint",
        from: at(52),
        to: at(58),
        state: "degraded",
        detail: "some apps are still starting",
        latency: [300, 900],
      },
      {
        check: "Registry",
        from: degradedRegistry,
        to: now + minuteMs,
        state: "degraded",
        detail: "image pushes and pulls are slower than usual",
        latency: [1800, 2600],
      },
    ],
  };
}

/** The probes of 90 days: every 5 minutes, every minute over the last 4 days. */
export function demoProbes(now: Date): ProbeRecord[] {
  const end = Math.floor(now.getTime() / minuteMs) * minuteMs;
  const start = end - 90 * dayMs;
  const fineFrom = end - 4 * dayMs;
  const { list } = episodes(end);
  const random = seeded(20261122);
  const probes: ProbeRecord[] = [];
  for (let t = start; t <= end; t += t < fineFrom ? 5 * minuteMs : minuteMs) {
    for (const { name } of platformChecks) {
      const episode = list.find((e) => e.check === name && t >= e.from && t < e.to);
      const [low, high] = episode?.latency ?? [baseLatency[name] * 0.7, baseLatency[name] * 1.6];
      probes.push({
        at: new Date(t),
        check: name,
        state: episode?.state ?? "healthy",
        latencyMs: episode?.state === "down" ? null : Math.round(low + (high - low) * random()),
        detail: episode?.detail ?? "",
      });
    }
  }
  return probes;
}

/** Writes the demo's history into a migrated, empty resurrector schema. */
export async function loadDemoHistory(db: ClientBase, now: Date): Promise<void> {
  const end = Math.floor(now.getTime() / minuteMs) * minuteMs;
  const { outageStart, outageEnd } = episodes(end);
  await recordProbes(db, demoProbes(now));

  const at = (minutes: number) => new Date(outageStart + minutes * minuteMs);
  const rebuild = await startRebuild(db, { cluster: "demo", at: at(8), phase: "creating a new cluster" });
  await setRebuildPhase(db, rebuild, { at: at(24), phase: "converging the platform" });
  await setRebuildPhase(db, rebuild, { at: at(33), phase: "restoring certificates" });
  await setRebuildPhase(db, rebuild, { at: at(36), phase: "replaying tenant apps" });
  await finishRebuild(db, rebuild, { at: at(55), state: "succeeded" });

  const controlPlane = (await recentIncidents(db, new Date(outageStart))).find(
    (i) => i.source === "probe" && i.subject === "Kubernetes control plane" && i.startedAt.getTime() === outageStart,
  );
  if (controlPlane) {
    await updateIncident(db, controlPlane.id, {
      at: at(8),
      message: "The cluster is not coming back; a rebuild from loco's database has started.",
    });
    await updateIncident(db, controlPlane.id, {
      at: at(24),
      message: "A new cluster is up; the platform's services are being installed on it.",
    });
  }

  // Grafana runs in the cluster: its alert about the telemetry backlog arrives once the platform is back.
  const ingest = { fingerprint: "demo-ingest", name: "Telemetry ingest stopped", impact: "degraded" as const, startsAt: at(38) };
  const summary = "Logs and metrics of the last hour arrive late; apps are not affected.";
  await applyAlerts(db, [{ ...ingest, firing: true, summary }], at(40));
  await applyAlerts(db, [{ ...ingest, firing: false }], new Date(outageEnd + 4 * minuteMs));
}
