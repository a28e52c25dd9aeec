// Reconnect delays: exponential with full jitter (a uniform pick between 0 and the capped
// exponential step), so a fleet of nodes that lost the worker at the same moment does not come
// back at the same moment either.
export interface BackoffOptions {
  baseMs: number
  maxMs: number
  /** Injectable for tests; returns a number in [0, 1). */
  random?: () => number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 30_000 }

export interface Backoff {
  /** The delay before the next attempt; each call without a `reset` doubles the ceiling. */
  next(): number
  /** After a connection that worked: the next failure starts small again. */
  reset(): void
}

export function createBackoff({ baseMs, maxMs, random = Math.random }: BackoffOptions): Backoff {
  let attempt = 0
  return {
    next() {
      // 2 ** 30 already dwarfs any sane cap; stop growing the exponent before it overflows.
      const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30))
      attempt += 1
      return Math.floor(random() * ceiling)
    },
    reset() {
      attempt = 0
    },
  }
}
