// Reconnect delays after transient failures: exponential so a WhatsApp outage is not hammered,
// jittered so the devices of one node (or of a whole fleet after an outage) do not reconnect in step.

export interface BackoffPolicy {
  /** Delay before the first retry, before jitter. */
  initialMs: number
  /** No delay grows past this. */
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000 }

/**
 * "Equal jitter": half of the exponential delay is kept, the other half is random, so retries
 * spread out while still growing. `attempt` counts from 0; `random` returns [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponential = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30))
  const half = exponential / 2
  return Math.round(half + random() * half)
}
