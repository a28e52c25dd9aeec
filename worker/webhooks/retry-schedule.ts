// When a failed delivery is tried again: the Standard Webhooks example schedule (about three
// days in all), each wait ±20 % so a receiver that comes back is not hit by every retry at the
// same instant. A `Retry-After` on a 429 or 503 is honoured when it asks for longer (up to a day).
const SECOND = 1_000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

/** The wait before attempt n+1 (n = attempts made so far, from 1); the first attempt is at once. */
export const RETRY_SCHEDULE_MS = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  14 * HOUR,
  20 * HOUR,
  24 * HOUR,
] as const
/** Attempts a delivery gets before it is `failed`: the first and one per step of the schedule. */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length + 1
/** An endpoint with no success for this long, while failing, is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 24 * HOUR
const MAX_RETRY_AFTER_MS = 24 * HOUR
const JITTER = 0.2

/** Milliseconds until the next attempt after `attempts` failed ones, or null when none is left. */
export function nextRetryDelay(attempts: number, retryAfterMs: number | null, random: () => number = Math.random): number | null {
  const base = RETRY_SCHEDULE_MS[attempts - 1]
  if (base === undefined) return null
  const jittered = Math.round(base * (1 - JITTER + 2 * JITTER * random()))
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS))
}

/** `Retry-After` as milliseconds: seconds, or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null || value.trim() === '') return null
  const seconds = Number(value)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * SECOND
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, date - now)
}
