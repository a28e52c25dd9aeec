// How many failed API key lookups one client address may make: each costs a D1 query, so once
// an address has presented too many keys that are not ours, it is refused here, before D1. A
// caller whose key works is never counted. Per isolate (a spread-out attacker meets many
// budgets), which bounds the cost of a flood without a round trip on the hot path.

/** Failed lookups in a burst, then one more every REFILL_MS. */
export const FAILED_LOOKUP_BURST = 30
const REFILL_MS = 1_000
const MAX_ADDRESSES = 10_000

/** GCRA per address: the time at which its bucket is full again. */
const fullAt = new Map<string, number>()

/** How long `address` must wait before its next lookup, or 0 when it may look up now. */
export function lookupWaitMs(address: string, now = Date.now()): number {
  const tat = fullAt.get(address) ?? now
  return Math.max(0, Math.ceil(tat - (FAILED_LOOKUP_BURST - 1) * REFILL_MS - now))
}

/** Counts one failed lookup against `address`. */
export function spendFailedLookup(address: string, now = Date.now()): void {
  const tat = Math.max(fullAt.get(address) ?? now, now)
  fullAt.delete(address)
  fullAt.set(address, tat + REFILL_MS)
  if (fullAt.size > MAX_ADDRESSES) fullAt.delete(fullAt.keys().next().value as string)
}

/** The caller's address as Cloudflare saw it; one shared budget when there is none (local dev). */
export const clientAddress = (header: string | undefined) => header?.trim() || 'unknown'
