/**
 * When and how long to wait before trying a registry request again: on
 * network errors and on 408, 429, 500, 502, 503, 504, with exponential
 * backoff and jitter, honouring Retry-After (seconds or an HTTP date) up to
 * a cap. Pure: the clock and the random source come from the caller.
 */

export interface RetryPolicy {
  /** Tries in all (1 = no retry). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE.has(status);
}

/**
 * Delay before try number `attempt + 1` (attempt counts from 0). Retry-After
 * wins when present and sane; `random` is in [0, 1).
 */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfter: string | undefined, nowMs: number, random: number): number {
  if (retryAfter !== undefined && retryAfter !== '') {
    const secs = Number(retryAfter);
    if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, policy.maxDelayMs);
    const at = Date.parse(retryAfter);
    if (Number.isFinite(at)) return Math.min(Math.max(0, at - nowMs), policy.maxDelayMs);
  }
  const exp = Math.min(policy.baseDelayMs * 2 ** attempt, policy.maxDelayMs);
  // "equal jitter": half fixed, half random, so retries from parallel uploads spread out
  return Math.round(exp / 2 + (exp / 2) * random);
}
