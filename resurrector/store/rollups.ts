/**
 * Downsampled probe history: per check, hourly and daily buckets of probe counts per state and a latency
 * histogram. Buckets are added to as probes are recorded (no compaction job to forget to run), and merging two
 * buckets is adding their counts, which is why latency is a histogram and not stored percentiles.
 */
import type { ClientBase } from "pg";
import type { ProbeState } from "./probe-state";

/**
 * Upper bounds (ms, inclusive) of the latency histogram's buckets; one more bucket counts everything slower.
 * Part of the stored format: changing them needs a migration that rewrites `probe_rollups.latency_histogram`.
 */
export const latencyBucketBoundsMs: readonly number[] = [50, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000];

export type Resolution = "hour" | "day";

const resolutionMs: Record<Resolution, number> = { hour: 3_600_000, day: 86_400_000 };

/** The start of the UTC hour or day that contains `at`. */
export function bucketStart(at: Date, resolution: Resolution): Date {
  const size = resolutionMs[resolution];
  return new Date(Math.floor(at.getTime() / size) * size);
}

/** Index into the histogram of a latency: the first bucket whose bound is at least the latency. */
export function latencyBucketIndex(latencyMs: number): number {
  const index = latencyBucketBoundsMs.findIndex((bound) => latencyMs <= bound);
  return index === -1 ? latencyBucketBoundsMs.length : index;
}

export const emptyHistogram = (): number[] => new Array<number>(latencyBucketBoundsMs.length + 1).fill(0);

/**
 * The q-quantile (0 < q <= 1) of the latencies a histogram counts, interpolated linearly inside the bucket that
 * holds it (as Prometheus' histogram_quantile does), in whole milliseconds; the slowest bucket has no upper bound,
 * so a quantile that falls in it is reported as its lower bound. Undefined for an empty histogram.
 */
export function histogramQuantile(histogram: readonly number[], q: number): number | undefined {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i];
    if (count > 0 && below + count >= rank) {
      const lower = i === 0 ? 0 : latencyBucketBoundsMs[i - 1];
      if (i === latencyBucketBoundsMs.length) return lower;
      return Math.round(lower + ((latencyBucketBoundsMs[i] - lower) * (rank - below)) / count);
    }
    below += count;
  }
  return latencyBucketBoundsMs[latencyBucketBoundsMs.length - 1];
}

/** Element-wise sum of histograms (shorter ones padded with zeros). */
export function addHistograms(histograms: readonly (readonly number[])[]): number[] {
  const sum = emptyHistogram();
  for (const histogram of histograms) histogram.forEach((count, i) => (sum[i] = (sum[i] ?? 0) + count));
  return sum;
}

export interface Rollup {
  readonly check: string;
  readonly resolution: Resolution;
  readonly bucketStart: Date;
  readonly healthy: number;
  readonly degraded: number;
  readonly down: number;
  readonly latencyHistogram: readonly number[];
}

/** What probes add to the hourly and daily buckets they fall in. */
export function rollUp(
  probes: readonly { readonly at: Date; readonly check: string; readonly state: ProbeState; readonly latencyMs?: number | null }[],
): Rollup[] {
  const buckets = new Map<
    string,
    { check: string; resolution: Resolution; bucketStart: Date; counts: Record<ProbeState, number>; histogram: number[] }
  >();
  for (const probe of probes) {
    for (const resolution of ["hour", "day"] as const) {
      const start = bucketStart(probe.at, resolution);
      const key = `${probe.check}\u0000${resolution}\u0000${start.getTime()}`;
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = {
          check: probe.check,
          resolution,
          bucketStart: start,
          counts: { healthy: 0, degraded: 0, down: 0 },
          histogram: emptyHistogram(),
        };
        buckets.set(key, bucket);
      }
      bucket.counts[probe.state] += 1;
      if (probe.state !== "down" && probe.latencyMs !== undefined && probe.latencyMs !== null)
        bucket.histogram[latencyBucketIndex(probe.latencyMs)] += 1;
    }
  }
  return [...buckets.values()].map((b) => ({
    check: b.check,
    resolution: b.resolution,
    bucketStart: b.bucketStart,
    healthy: b.counts.healthy,
    degraded: b.counts.degraded,
    down: b.counts.down,
    latencyHistogram: b.histogram,
  }));
}

/** Adds rollups to the stored buckets (creating them as needed), in the caller's transaction. */
export async function addRollups(db: ClientBase, rollups: readonly Rollup[]): Promise<void> {
  if (rollups.length === 0) return;
  const rows = rollups.map((r) => ({
    check_name: r.check,
    resolution: r.resolution,
    bucket_start: r.bucketStart.toISOString(),
    healthy: r.healthy,
    degraded: r.degraded,
    down: r.down,
    histogram: r.latencyHistogram,
  }));
  await db.query(
    `INSERT INTO resurrector.probe_rollups AS stored (check_name, resolution, bucket_start, healthy, degraded, down, latency_histogram)
     SELECT r.check_name, r.resolution, r.bucket_start, r.healthy, r.degraded, r.down,
            ARRAY(SELECT value::int FROM jsonb_array_elements_text(r.histogram) WITH ORDINALITY AS h(value, i) ORDER BY i)
     FROM jsonb_to_recordset($1::jsonb)
       AS r(check_name TEXT, resolution TEXT, bucket_start TIMESTAMPTZ, healthy INT, degraded INT, down INT, histogram JSONB)
     ON CONFLICT (check_name, resolution, bucket_start) DO UPDATE SET
       healthy = stored.healthy + EXCLUDED.healthy,
       degraded = stored.degraded + EXCLUDED.degraded,
       down = stored.down + EXCLUDED.down,
       latency_histogram = ARRAY(
         SELECT coalesce(a, 0) + coalesce(b, 0)
         FROM unnest(stored.latency_histogram, EXCLUDED.latency_histogram) WITH ORDINALITY AS h(a, b, i) ORDER BY i)`,
    [JSON.stringify(rows)],
  );
}
