// Monthly usage, one row per calendar month (UTC). A new month simply has no row yet, so it
// starts at 0 without any reset job. The limit is not stored here: it lives in D1 and every
// call passes it in, so a raised limit applies at once.
import { SqlStore } from '../sql-schema'

export interface QuotaView {
  limit: number | null
  used: number
  remaining: number | null
  /** 'YYYY-MM', UTC */
  period: string
  /** ISO, first instant of the next UTC month */
  resets_at: string
}

/** Months of usage history kept; older rows are pruned by the sweep. */
const HISTORY_MONTHS = 12

export function periodOf(now: number): { period: string; resetsAt: number } {
  const date = new Date(now)
  const year = date.getUTCFullYear()
  const month = date.getUTCMonth()
  return { period: periodString(year, month), resetsAt: Date.UTC(year, month + 1, 1) }
}

/** Date.UTC normalises month overflow and underflow, so `month` may be out of 0..11. */
function periodString(year: number, month: number): string {
  const date = new Date(Date.UTC(year, month, 1))
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`
}

const SCHEMA = [`CREATE TABLE IF NOT EXISTS quota_usage (period TEXT PRIMARY KEY, used INTEGER NOT NULL)`]

export class QuotaStore extends SqlStore {
  constructor(storage: DurableObjectStorage) {
    super(storage, 'quota', SCHEMA)
  }

  used(period: string): number {
    return this.sql.exec<{ used: number }>('SELECT used FROM quota_usage WHERE period = ?', period).toArray()[0]?.used ?? 0
  }

  view(limit: number | null, now: number): QuotaView {
    const { period, resetsAt } = periodOf(now)
    const used = this.used(period)
    return {
      limit,
      used,
      remaining: limit === null ? null : Math.max(0, limit - used),
      period,
      resets_at: new Date(resetsAt).toISOString(),
    }
  }

  /** All or none: reserves `count` only if it fits under `limit` in the month of `now`. */
  reserve(count: number, limit: number | null, now: number): boolean {
    const { period } = periodOf(now)
    if (limit !== null && this.used(period) + count > limit) return false
    if (count > 0) {
      this.sql.exec(
        `INSERT INTO quota_usage (period, used) VALUES (?, ?)
         ON CONFLICT (period) DO UPDATE SET used = used + excluded.used`,
        period,
        count,
      )
    }
    return true
  }

  /** Only the current month can be refunded: a past month is closed, a future one has nothing reserved. */
  refund(count: number, period: string, now: number): void {
    if (period !== periodOf(now).period) return
    this.sql.exec('UPDATE quota_usage SET used = MAX(0, used - ?) WHERE period = ?', count, period)
  }

  prune(now: number): void {
    const date = new Date(now)
    const oldestKept = periodString(date.getUTCFullYear(), date.getUTCMonth() - (HISTORY_MONTHS - 1))
    this.sql.exec('DELETE FROM quota_usage WHERE period < ?', oldestKept)
  }
}
