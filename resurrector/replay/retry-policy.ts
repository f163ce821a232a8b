/**
 * When a failed request is tried again, and after how long. Exponential backoff with full jitter (a random wait
 * between zero and the doubling cap), so thousands of apps that failed together do not come back together; a 429's
 * Retry-After is honoured (never retried sooner than the server asked).
 *
 * Tried again: no answer (refused, reset, dropped, timed out), 429, 500, 502, 503, 504, and a 409 that is not a
 * field-manager conflict (the object changed under a concurrent write; a server-side apply carries no
 * resourceVersion, so applying again is the re-read). Not tried again: a refusal that will not change by itself
 * (400, 401, 403, 404, 422). Field-manager conflicts have their own rule (apply-object.ts).
 */
import type { KubeFailure } from "../kube/api-errors";

export interface RetryPolicy {
  /**
   * Attempts per object, the first included.
   * @default 6
   */
  readonly attempts: number;
  /**
   * The cap of the first backoff, doubled per attempt.
   * @default 200
   */
  readonly baseDelayMs: number;
  /**
   * The largest backoff cap.
   * @default 10000
   */
  readonly maxDelayMs: number;
  /**
   * The longest Retry-After honoured; a server asking for more is waited on this long, then tried.
   * @default 60000
   */
  readonly maxRetryAfterMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 6, baseDelayMs: 200, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

const retriedStatuses = new Set([429, 500, 502, 503, 504]);

export function isRetryable(failure: KubeFailure): boolean {
  if (failure.connection) return true;
  if (failure.status === 409) return failure.conflicts.length === 0;
  return failure.status !== undefined && retriedStatuses.has(failure.status);
}

/** The wait before attempt `attempt + 1`, after attempt `attempt` (from 1) failed with `failure`. */
export function retryDelayMs(attempt: number, failure: KubeFailure, policy: RetryPolicy, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = random() * cap;
  if (failure.retryAfterSeconds === undefined) return jittered;
  return Math.max(Math.min(failure.retryAfterSeconds * 1000, policy.maxRetryAfterMs), jittered);
}
