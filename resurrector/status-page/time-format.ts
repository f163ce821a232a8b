/** Times as the page shows them: UTC, to the minute, with a relative time a reader can take in at a glance. */

/** "2026-11-22 09:05 UTC". */
export const utcMinute = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

const units: readonly [name: string, ms: number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;

/** "just now", "3 minutes ago", "2 hours ago", "5 days ago" (the largest whole unit), or "in 4 minutes". */
export function relativeTime(date: Date, now: Date): string {
  const delta = now.getTime() - date.getTime();
  const magnitude = Math.abs(delta);
  const unit = units.find(([, ms]) => magnitude >= ms);
  if (!unit) return "just now";
  const text = plural(Math.floor(magnitude / unit[1]), unit[0]);
  return delta >= 0 ? `${text} ago` : `in ${text}`;
}

/** "1 h 23 min", "45 min", "2 d 3 h", "under a minute". */
export function duration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return "under a minute";
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return hours > 0 ? `${days} d ${hours} h` : `${days} d`;
  if (hours > 0) return rest > 0 ? `${hours} h ${rest} min` : `${hours} h`;
  return `${rest} min`;
}
