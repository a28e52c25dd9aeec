// Retry delays, exponential with jitter so that many retries do not come back in step. Two
// policies for two kinds of retry:
// - the worker sockets (control and device) use *full* jitter, a uniform pick between 0 and the
//   capped exponential step: a fleet that lost the worker at one moment spreads out at once;
// - WhatsApp reconnects use *equal* jitter, half fixed and half random: retries spread out
//   while the wait still grows, so a WhatsApp outage is not hammered.
export interface BackoffPolicy {
  /** The first step, before jitter. */
  baseMs: number
  /** No step grows past this. */
  maxMs: number
}

export const WORKER_SOCKET_BACKOFF: BackoffPolicy = { baseMs: 500, maxMs: 30_000 }
export const WHATSAPP_RECONNECT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 }

/** The capped exponential step of `attempt` (from 0); 2 ** 30 already dwarfs any sane cap. */
const stepOf = (attempt: number, { baseMs, maxMs }: BackoffPolicy) => Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30))

export interface Backoff {
  /** The delay before the next attempt; each call without a `reset` doubles the ceiling. */
  next(): number
  /** After a connection that worked: the next failure starts small again. */
  reset(): void
}

/** Full jitter, with its own attempt count. `random` returns [0, 1). */
export function createBackoff(policy: BackoffPolicy & { random?: () => number }): Backoff {
  const random = policy.random ?? Math.random
  let attempt = 0
  return {
    next() {
      const ceiling = stepOf(attempt, policy)
      attempt += 1
      return Math.floor(random() * ceiling)
    },
    reset() {
      attempt = 0
    },
  }
}

/** Equal jitter for the `attempt`-th retry (from 0). `random` returns [0, 1). */
export function equalJitterDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const half = stepOf(attempt, policy) / 2
  return Math.round(half + random() * half)
}
