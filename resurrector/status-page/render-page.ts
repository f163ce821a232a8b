/**
 * `GET /`: the status page as one server-rendered HTML document a person reads, with or without JavaScript.
 * Every state is said in words (an icon and a colour only repeat it), times are UTC with a relative time beside
 * them, landmarks and headings give screen-reader users the outline. All text is escaped.
 */
import type { Incident } from "../store/incidents";
import type { Rebuild } from "../store/rebuilds";
import { pageStyle, refreshScript } from "./page-assets";
import type { CheckStatus, DailyCounts, ShownState, StatusSnapshot } from "./read-status";
import { duration, relativeTime, utcMinute } from "./time-format";
import type { Uptime } from "./uptime";

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => escapes[c]);

/** The words for a check's state. */
export const stateLabels: Record<ShownState, string> = {
  healthy: "Operational",
  degraded: "Degraded",
  down: "Down",
  unknown: "No recent data",
};

const headlines: Record<ShownState, string> = {
  healthy: "All systems operational",
  degraded: "Some systems are degraded",
  down: "Outage: some systems are down",
  unknown: "Status unknown: no recent probe results",
};

const icons: Record<ShownState, string> = { healthy: "✓", degraded: "!", down: "✕", unknown: "?" };

const icon = (state: ShownState) => `<span class="icon" aria-hidden="true">${icons[state]}</span>`;

const stateBadge = (state: ShownState) => `<span class="state state-${state}">${icon(state)}${stateLabels[state]}</span>`;

function time(date: Date, now: Date): string {
  return `<time datetime="${date.toISOString()}">${utcMinute(date)}</time> (${relativeTime(date, now)})`;
}

const percent = (uptime: Uptime) => (uptime.percent === null ? "no data" : `${uptime.percent.toFixed(2)} %`);

const milliseconds = (ms: number | null) => (ms === null ? "no data" : `${ms} ms`);

function checkItem(check: CheckStatus, now: Date): string {
  const meta = [
    check.since ? `${stateLabels[check.state]} since ${time(check.since, now)}` : undefined,
    check.state === "unknown" && check.lastProbeAt ? `last probe result ${time(check.lastProbeAt, now)}` : undefined,
    check.state === "unknown" && !check.lastProbeAt ? "not probed yet" : undefined,
    check.latencyMs !== null && check.state !== "down" ? `answered in ${check.latencyMs} ms` : undefined,
    check.detail ? escapeHtml(check.detail) : undefined,
  ].filter((part) => part !== undefined);
  return `<li class="check">
<h3>${escapeHtml(check.name)}</h3>
<p>${stateBadge(check.state)}</p>
<p class="description">${escapeHtml(check.description)}</p>
${meta.length > 0 ? `<p class="meta">${meta.join(" · ")}</p>` : ""}
</li>`;
}

type DayKind = "healthy" | "degraded" | "down" | "none";

const dayKind = (day: DailyCounts): DayKind =>
  day.down > 0 ? "down" : day.degraded > 0 ? "degraded" : day.healthy > 0 ? "healthy" : "none";

const dayWords: Record<DayKind, string> = {
  healthy: "no problems",
  degraded: "degraded at times",
  down: "down at times",
  none: "no data",
};

function history(check: CheckStatus): string {
  const kinds = check.days.map(dayKind);
  const count = (kind: DayKind) => kinds.filter((k) => k === kind).length;
  const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
  const summary =
    `${check.name}, last 90 days: ${days(count("healthy"))} without problems, ${days(count("degraded"))} degraded at times, ` +
    `${days(count("down"))} down at times, ${days(count("none"))} without data`;
  const bars = check.days
    .map((day, i) => {
      const kind = kinds[i];
      const detail = kind === "none" ? "" : ` (${day.down} of ${day.healthy + day.degraded + day.down} probes down)`;
      return `<span class="bar${kind === "none" ? "" : ` bar-${kind}`}" title="${day.date}: ${dayWords[kind]}${detail}"></span>`;
    })
    .join("");
  return `<div class="history">
<p><strong>${escapeHtml(check.name)}</strong> <span>${percent(check.uptime.quarter)}</span></p>
<div class="bars" role="img" aria-label="${escapeHtml(summary)}">${bars}</div>
<p class="bars-scale" aria-hidden="true"><span>90 days ago</span><span>today</span></p>
</div>`;
}

function uptimeSection(checks: readonly CheckStatus[]): string {
  const rows = checks
    .map(
      (c) => `<tr><th scope="row">${escapeHtml(c.name)}</th>
<td class="number">${percent(c.uptime.day)}</td><td class="number">${percent(c.uptime.week)}</td><td class="number">${percent(c.uptime.quarter)}</td>
<td class="number">${c.responseTimeMs.p50 === null ? "no data" : `median ${milliseconds(c.responseTimeMs.p50)}, 95th percentile ${milliseconds(c.responseTimeMs.p95)}`}</td></tr>`,
    )
    .join("\n");
  return `<section aria-labelledby="uptime-heading">
<h2 id="uptime-heading">Uptime and response time</h2>
<table>
<caption>Uptime is the share of probes that found the check up (degraded counts as up), rounded down. Response time is over the last 24 hours.</caption>
<thead><tr><th scope="col">Check</th><th scope="col">24 hours</th><th scope="col">7 days</th><th scope="col">90 days</th><th scope="col">Response time</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h3>The last 90 days, day by day</h3>
<ul class="legend" aria-hidden="true">
<li><span class="bar bar-healthy"></span>no problems</li><li><span class="bar bar-degraded"></span>degraded at times</li>
<li><span class="bar bar-down"></span>down at times</li><li><span class="bar"></span>no data</li>
</ul>
${checks.map(history).join("\n")}
</section>`;
}

const updateKinds = { opened: "Opened", changed: "Update", resolved: "Resolved" } as const;

function incidentArticle(incident: Incident, now: Date): string {
  const open = incident.resolvedAt === null;
  const ended = incident.resolvedAt ?? now;
  const timeline = incident.updates
    .map((u) => `<li>${time(u.postedAt, now)}: <span class="kind">${updateKinds[u.kind]}.</span> ${escapeHtml(u.message)}</li>`)
    .join("\n");
  return `<article class="incident" aria-labelledby="incident-${incident.id}">
<h3 id="incident-${incident.id}">${escapeHtml(incident.title)}</h3>
<p>${stateBadge(incident.impact)} · <strong>${open ? "Ongoing" : "Resolved"}</strong> · ${open ? "for" : "lasted"} ${duration(ended.getTime() - incident.startedAt.getTime())}</p>
<p>Started ${time(incident.startedAt, now)}${open ? "" : `; resolved ${time(incident.resolvedAt as Date, now)}`}.</p>
<ol class="timeline">
${timeline}
</ol>
</article>`;
}

function incidentsSection(incidents: readonly Incident[], now: Date, historyDays: number): string {
  const open = incidents.filter((i) => i.resolvedAt === null);
  const past = incidents.filter((i) => i.resolvedAt !== null);
  return `<section aria-labelledby="incidents-heading">
<h2 id="incidents-heading">Incidents</h2>
${open.length === 0 ? "<p>No ongoing incidents.</p>" : open.map((i) => incidentArticle(i, now)).join("\n")}
<h3 class="visually-hidden">Resolved incidents</h3>
${past.length === 0 ? `<p>No incidents resolved in the last ${historyDays} days.</p>` : past.map((i) => incidentArticle(i, now)).join("\n")}
</section>`;
}

const rebuildOutcomes = { running: "In progress", succeeded: "Finished", failed: "Failed" } as const;

function rebuildSection(rebuild: Rebuild, now: Date): string {
  return `<section class="rebuild" aria-labelledby="rebuild-heading">
<h2 id="rebuild-heading">Rebuild in progress</h2>
<p>The platform's cluster is being rebuilt from loco's database; apps come back as it proceeds.</p>
<p>Current phase: <strong>${escapeHtml(rebuild.phase)}</strong>. Started ${time(rebuild.startedAt, now)}, running for ${duration(now.getTime() - rebuild.startedAt.getTime())}.</p>
</section>`;
}

function rebuildsSection(rebuilds: readonly Rebuild[], now: Date): string {
  const finished = rebuilds.filter((r) => r.state !== "running");
  if (finished.length === 0) return "";
  const items = finished
    .map(
      (r) =>
        `<li><strong>${rebuildOutcomes[r.state]}</strong>: started ${time(r.startedAt, now)}, took ${duration((r.finishedAt as Date).getTime() - r.startedAt.getTime())}; last phase: ${escapeHtml(r.phase)}.</li>`,
    )
    .join("\n");
  return `<section aria-labelledby="rebuilds-heading">
<h2 id="rebuilds-heading">Recent rebuilds</h2>
<ul>
${items}
</ul>
</section>`;
}

export interface RenderOptions {
  /**
   * How many days of resolved incidents the snapshot holds (for the "none" sentence).
   * @default 14
   */
  readonly historyDays?: number;
}

export function renderStatusPage(snapshot: StatusSnapshot, options: RenderOptions = {}): string {
  const now = snapshot.generatedAt;
  const headline = headlines[snapshot.state];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>loco status: ${headline}</title>
<meta name="description" content="Current state, uptime and incidents of the loco platform.">
<style>${pageStyle}</style>
</head>
<body>
<a class="skip" href="#main">Skip to the status</a>
<header>
<p class="brand">loco</p>
<h1>Platform status</h1>
</header>
<main id="main" tabindex="-1">
<section class="overall state-${snapshot.state}" aria-labelledby="overall-heading">
<h2 id="overall-heading" class="headline">${icon(snapshot.state)}${headline}</h2>
<p>As of ${time(now, now)}.</p>
</section>
${snapshot.rebuild ? rebuildSection(snapshot.rebuild, now) : ""}
<section aria-labelledby="checks-heading">
<h2 id="checks-heading">Current status</h2>
<ul class="checks">
${snapshot.checks.map((c) => checkItem(c, now)).join("\n")}
</ul>
</section>
${incidentsSection(snapshot.incidents, now, options.historyDays ?? 14)}
${uptimeSection(snapshot.checks)}
${rebuildsSection(snapshot.rebuilds, now)}
</main>
<footer>
<p>All times are UTC. With JavaScript on, the figures refresh every minute; without it, reload the page.
For machines: <a href="/api/status">/api/status</a> (JSON, format version 1).</p>
</footer>
<script>${refreshScript}</script>
</body>
</html>
`;
}
