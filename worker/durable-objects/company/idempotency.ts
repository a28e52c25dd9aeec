// Idempotency records of one company. A record is either in progress (the first request is
// still running) or completed (its response is kept for replay). Every record carries its own
// expiry: 24 h after completion, or IDEMPOTENCY_IN_PROGRESS_MS (protocol/timing.ts) after the start
// for one still in progress. That is far longer than any request can run (no send waits longer
// than MEDIA_SEND_TIMEOUT_MS for its node), so a
// retry never starts a second send while the first may still go out; it only frees a key whose
// request died before sending anything. An expired record behaves as absent; the sweep deletes it.
import { SqlStore } from '../sql-schema'
import { IDEMPOTENCY_IN_PROGRESS_MS } from '../../../protocol/timing'

export type IdempotencyBegin =
  { state: 'new' } | { state: 'replay'; status: number; body: string } | { state: 'conflict' } | { state: 'in_progress' }

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000

type Row = {
  fingerprint: string
  state: 'in_progress' | 'completed'
  status: number | null
  body: string | null
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS idempotency (
        key TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
        status INTEGER,
        body TEXT,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idempotency_expires_at ON idempotency (expires_at);`,
]

/**
 * Completed records one company keeps. The sweep (at most every few minutes) trims beyond it, so
 * between two sweeps the table can only grow by what the send rate limit lets through.
 */
export const MAX_COMPLETED_RECORDS = 100_000

export class IdempotencyStore extends SqlStore {
  constructor(
    storage: DurableObjectStorage,
    /** Completed records kept at most; the sweep drops the oldest beyond it. */
    private readonly maxCompleted = MAX_COMPLETED_RECORDS,
  ) {
    super(storage, 'idempotency', SCHEMA)
  }

  begin(key: string, fingerprint: string, now: number): IdempotencyBegin {
    const row = this.sql
      .exec<Row>('SELECT fingerprint, state, status, body FROM idempotency WHERE key = ? AND expires_at > ?', key, now)
      .toArray()[0]
    if (row) {
      if (row.fingerprint !== fingerprint) return { state: 'conflict' }
      if (row.state === 'completed' && row.status !== null && row.body !== null) {
        return { state: 'replay', status: row.status, body: row.body }
      }
      return { state: 'in_progress' }
    }
    this.sql.exec(
      `INSERT INTO idempotency (key, fingerprint, state, status, body, expires_at) VALUES (?, ?, 'in_progress', NULL, NULL, ?)
       ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'in_progress',
         status = NULL, body = NULL, expires_at = excluded.expires_at`,
      key,
      fingerprint,
      now + IDEMPOTENCY_IN_PROGRESS_MS,
    )
    return { state: 'new' }
  }

  /**
   * Stores the response for replay. It never overwrites a live record of another body, nor a
   * response already stored (a replay must return the first answer), but does recreate a
   * record the sweep took (a first attempt that ran past the in-progress window).
   */
  complete(key: string, fingerprint: string, status: number, body: string, now: number): void {
    this.sql.exec(
      `INSERT INTO idempotency (key, fingerprint, state, status, body, expires_at) VALUES (?, ?, 'completed', ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET fingerprint = excluded.fingerprint, state = 'completed',
         status = excluded.status, body = excluded.body, expires_at = excluded.expires_at
       WHERE (idempotency.state = 'in_progress' AND idempotency.fingerprint = excluded.fingerprint)
          OR idempotency.expires_at <= ?`,
      key,
      fingerprint,
      status,
      body,
      now + IDEMPOTENCY_TTL_MS,
      now,
    )
  }

  /** Only an unfinished attempt is forgotten: a stored response stays, or a retry could send twice. */
  abandon(key: string): void {
    this.sql.exec("DELETE FROM idempotency WHERE key = ? AND state = 'in_progress'", key)
  }

  /**
   * Keeps at most `maxCompleted` completed records, dropping those closest to expiry: a company
   * cannot grow this table without bound by using a new key per request. Records in progress
   * are never dropped (a retry could then send twice).
   */
  trim(): number {
    const completed = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM idempotency WHERE state = 'completed'").one().n
    const excess = completed - this.maxCompleted
    if (excess <= 0) return 0
    return this.sql.exec(
      `DELETE FROM idempotency WHERE key IN (
         SELECT key FROM idempotency WHERE state = 'completed' ORDER BY expires_at LIMIT ?)`,
      excess,
    ).rowsWritten
  }

  purge(now: number): void {
    this.sql.exec('DELETE FROM idempotency WHERE expires_at <= ?', now)
  }

  nextDeadline(): number | null {
    return this.sql.exec<{ next: number | null }>('SELECT MIN(expires_at) AS next FROM idempotency').one().next
  }
}
