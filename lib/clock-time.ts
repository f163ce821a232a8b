/**
 * A UTC time of day as `HH:MM` (00:00 to 23:59): how config states when the registry's daily jobs run and when
 * maintenance windows open. The config schema, its cross-field rules and the components that turn a time into a
 * schedule all read it through here, so they cannot disagree on what a valid time is.
 */

/** `HH:MM`, hours 00-23 and minutes 00-59, two digits each. */
export const clockTimePattern = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Pure: the hours and minutes of an `HH:MM` time, or undefined when `clock` is not one. */
export function parseClockTime(clock: unknown): { readonly hours: number; readonly minutes: number } | undefined {
  const match = typeof clock === "string" ? clockTimePattern.exec(clock) : null;
  return match ? { hours: Number(match[1]), minutes: Number(match[2]) } : undefined;
}
