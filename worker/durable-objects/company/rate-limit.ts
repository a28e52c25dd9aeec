// Per-API-key rate limit as GCRA, the token bucket written as one number per key: the
// "theoretical arrival time" (tat) at which the bucket would be full again. A row whose tat has
// passed is a full bucket, the same as no row at all, so the sweep can delete it.
// Rate and burst come from the caller on every call (they are configuration, not state).
import { SqlStore } from '../sql-schema'

export type RateDecision = { ok: true; created: boolean } | { ok: false; retryAfterMs: number }

/** Float slack, so that waiting exactly the advertised retryAfterMs is always enough. */
const EPSILON_MS = 1e-6

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS rate_buckets (key_id INTEGER PRIMARY KEY, tat REAL NOT NULL);
      CREATE INDEX IF NOT EXISTS rate_buckets_tat ON rate_buckets (tat);`,
  // A company has one row per API key here, so the sweep reads them all; an index on tat cost
  // a row written on every send (docs/cost.md).
  'DROP INDEX rate_buckets_tat',
]

/** Buckets below 0 are the company's own (API key ids are positive): device creation. */
export const DEVICE_CREATION_BUCKET = -1
/** Number checks of one API key: a bucket apart from its sends (key ids are positive, so these are below -1). */
export const lookupBucketOf = (keyId: number) => -1 - keyId

export class RateLimiter extends SqlStore {
  constructor(storage: DurableObjectStorage) {
    super(storage, 'rate_limit', SCHEMA)
  }

  /** Takes one token for `keyId`, or says how long until one is available. */
  take(keyId: number, ratePerSec: number, burst: number, now: number): RateDecision {
    const interval = 1000 / ratePerSec
    const tolerance = (burst - 1) * interval
    const stored = this.sql.exec<{ tat: number }>('SELECT tat FROM rate_buckets WHERE key_id = ?', keyId).toArray()[0]
    const tat = Math.max(stored?.tat ?? now, now)
    const wait = tat - tolerance - now
    if (wait > EPSILON_MS) return { ok: false, retryAfterMs: Math.max(1, Math.ceil(wait)) }
    this.sql.exec(
      'INSERT INTO rate_buckets (key_id, tat) VALUES (?, ?) ON CONFLICT (key_id) DO UPDATE SET tat = excluded.tat',
      keyId,
      tat + interval,
    )
    return { ok: true, created: stored === undefined }
  }

  purge(now: number): void {
    this.sql.exec('DELETE FROM rate_buckets WHERE tat <= ?', now)
  }

  nextDeadline(): number | null {
    return this.sql.exec<{ next: number | null }>('SELECT MIN(tat) AS next FROM rate_buckets').one().next
  }
}
