// Reading the counters the ledger's triggers keep (ledger-schema.ts, step 7): each bulk request's
// total and counts by status, and each UTC day's sent, delivered, read, failed and received.
// A few rows per answer, however many messages there are.
import type { MessageStatus } from './message-kinds'
import { utcDay } from '../../lib/time'

export const USAGE_METRICS = ['sent', 'delivered', 'read', 'failed', 'received'] as const
export type UsageMetric = (typeof USAGE_METRICS)[number]
export type UsageDay = { day: string } & Record<UsageMetric, number>

export interface BatchCounts {
  total: number
  counts: Partial<Record<MessageStatus, number>>
  createdAt: number | null
}

/** Batch counters outlive their messages by this long (the messages' own retention decides first). */
const USAGE_KEPT_DAYS = 400

export class LedgerCounters {
  constructor(private readonly sql: SqlStorage) {}

  batch(batchId: string): BatchCounts {
    const head = this.sql
      .exec<{ created_at: number; total: number }>('SELECT created_at, total FROM batches WHERE batch_id = ?', batchId)
      .toArray()[0]
    if (!head) return { total: 0, counts: {}, createdAt: null }
    const counts: Partial<Record<MessageStatus, number>> = {}
    for (const row of this.sql.exec<{ status: MessageStatus; n: number }>(
      'SELECT status, n FROM batch_counts WHERE batch_id = ?',
      batchId,
    )) {
      counts[row.status] = row.n
    }
    return { total: head.total, counts, createdAt: head.created_at }
  }

  /** Bulk requests newest first, strictly older than `before` when given. */
  recentBatches(query: { before?: { createdAt: number; batchId: string }; limit: number }): string[] {
    const where = query.before ? 'WHERE created_at < ? OR (created_at = ? AND batch_id < ?)' : ''
    const binds = query.before ? [query.before.createdAt, query.before.createdAt, query.before.batchId] : []
    return this.sql
      .exec<{ batch_id: string }>(
        `SELECT batch_id FROM batches ${where} ORDER BY created_at DESC, batch_id DESC LIMIT ?`,
        ...binds,
        query.limit,
      )
      .toArray()
      .map((row) => row.batch_id)
  }

  /** The days from `from` to `to` (YYYY-MM-DD, inclusive) that had anything, oldest first. */
  usage(from: string, to: string): UsageDay[] {
    const days = new Map<string, UsageDay>()
    const rows = this.sql.exec<{ day: string; metric: UsageMetric; n: number }>(
      'SELECT day, metric, n FROM daily_usage WHERE day >= ? AND day <= ? ORDER BY day',
      from,
      to,
    )
    for (const row of rows) {
      const entry = days.get(row.day) ?? { day: row.day, sent: 0, delivered: 0, read: 0, failed: 0, received: 0 }
      if ((USAGE_METRICS as readonly string[]).includes(row.metric)) entry[row.metric] += row.n
      days.set(row.day, entry)
    }
    return [...days.values()]
  }

  /** Drops the counters of batches accepted before `before` whose messages are all gone, and usage older than USAGE_KEPT_DAYS. */
  prune(before: number, now: number, limit: number): number {
    const gone = this.sql
      .exec<{ batch_id: string }>(
        `DELETE FROM batches WHERE batch_id IN (
           SELECT batch_id FROM batches b WHERE created_at < ?
             AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.batch_id = b.batch_id) LIMIT ?)
         RETURNING batch_id`,
        before,
        limit,
      )
      .toArray()
    for (const { batch_id } of gone) this.sql.exec('DELETE FROM batch_counts WHERE batch_id = ?', batch_id)
    const oldestDay = utcDay(now - USAGE_KEPT_DAYS * 86_400_000)
    this.sql.exec('DELETE FROM daily_usage WHERE day < ?', oldestDay)
    return gone.length
  }
}
