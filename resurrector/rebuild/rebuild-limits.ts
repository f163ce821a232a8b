/**
 * The limits that keep an unattended resurrector from rebuilding in a loop: a cooldown after each rebuild and a
 * maximum number of rebuilds per day, both counted from `resurrector.rebuilds`, and a bound on how often one phase
 * is attempted before the rebuild is given up (and left to a person). They apply to starting a new rebuild; resuming
 * an unfinished one is the same rebuild and is not counted again.
 */

export interface RebuildLimits {
  /**
   * Minutes after a rebuild finished before another may start.
   * @default 60
   */
  readonly cooldownMinutes: number;
  /**
   * Rebuilds that may start in any 24 hours.
   * @default 2
   */
  readonly maxPerDay: number;
  /**
   * Attempts of one phase (the first run and its resumptions) before the rebuild is marked failed.
   * @default 3
   */
  readonly maxPhaseAttempts: number;
}

export const defaultRebuildLimits: RebuildLimits = { cooldownMinutes: 60, maxPerDay: 2, maxPhaseAttempts: 3 };

const dayMs = 86_400_000;

/** The limits with defaults filled in; a clear error naming the field for a value that is not a whole number in range. */
export function rebuildLimits(limits: Partial<RebuildLimits> = {}): RebuildLimits {
  const merged = { ...defaultRebuildLimits, ...limits };
  const ranges: Record<keyof RebuildLimits, [number, number]> = {
    cooldownMinutes: [0, 10_080],
    maxPerDay: [1, 24],
    maxPhaseAttempts: [1, 20],
  };
  for (const [field, [min, max]] of Object.entries(ranges) as [keyof RebuildLimits, [number, number]][]) {
    const value = merged[field];
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new RangeError(`rebuild limit ${field} must be a whole number from ${min} to ${max} (got ${String(value)})`);
    }
  }
  return merged;
}

/** Where a day's count starts. */
export const dayBefore = (now: Date) => new Date(now.getTime() - dayMs);

/** Pure: why a new rebuild may not start now, or undefined when it may. */
export function limitRefusal(
  history: { readonly startedSince: number; readonly lastFinishedAt?: Date },
  now: Date,
  limits: RebuildLimits,
): string | undefined {
  if (history.lastFinishedAt) {
    const readyAt = history.lastFinishedAt.getTime() + limits.cooldownMinutes * 60_000;
    if (now.getTime() < readyAt) {
      const minutes = Math.ceil((readyAt - now.getTime()) / 60_000);
      return `cooldown: the last rebuild finished at ${history.lastFinishedAt.toISOString()}, another may start in ${minutes} min (cooldown ${limits.cooldownMinutes} min)`;
    }
  }
  if (history.startedSince >= limits.maxPerDay) {
    return `daily maximum: ${history.startedSince} rebuilds started in the last 24 hours (at most ${limits.maxPerDay})`;
  }
  return undefined;
}
