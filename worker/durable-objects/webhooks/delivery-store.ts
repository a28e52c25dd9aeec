// EndpointDO's SQLite: the endpoint's own settings (its URL, whether it delivers, its secrets:
// kept here only, never in D1), and the delivery log: one row per event to deliver (per origin:
// a replay delivers an event again under a new delivery) and one per attempt.
import { derivedId } from '../../events/event-id'
import type { EventEnvelope } from '../../events/event-types'
import { SqlStore } from '../sql-schema'
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../webhooks/delivery-statuses'

export const DELIVERY_SCHEMA = [
  `CREATE TABLE endpoint (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     endpoint_id INTEGER,
     company_id INTEGER,
     url TEXT,
     active INTEGER NOT NULL DEFAULT 0,
     secret TEXT,
     previous_secret TEXT,
     previous_expires_at INTEGER,
     failing_since INTEGER
   );
   INSERT INTO endpoint (id) VALUES (1);
   CREATE TABLE deliveries (
     delivery_id TEXT PRIMARY KEY,
     event_id TEXT NOT NULL,
     event_type TEXT NOT NULL,
     device_id INTEGER,
     sequence INTEGER NOT NULL,
     body TEXT NOT NULL,
     origin TEXT NOT NULL,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER,
     last_http_status INTEGER,
     last_error TEXT,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
   CREATE INDEX deliveries_recent ON deliveries (created_at, delivery_id);
   CREATE TABLE attempts (
     delivery_id TEXT NOT NULL,
     attempt INTEGER NOT NULL,
     started_at INTEGER NOT NULL,
     duration_ms INTEGER NOT NULL,
     http_status INTEGER,
     response_snippet TEXT,
     error TEXT,
     PRIMARY KEY (delivery_id, attempt)
   ) WITHOUT ROWID;`,
  // How far along the retry schedule a delivery is: only attempts made when it was due count
  // (one pulled forward with a later event of its device does not use up its schedule).
  'ALTER TABLE deliveries ADD COLUMN schedule_step INTEGER NOT NULL DEFAULT 0',
  // Partial indexes: only the deliveries still to make are due, and only failed ones are listed
  // apart. A delivery that succeeds leaves the first and never enters the second, where an index
  // on (status, next_attempt_at) was written again by every outcome (docs/cost.md).
  `DROP INDEX deliveries_due;
   CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
   CREATE INDEX deliveries_failed ON deliveries (created_at, delivery_id) WHERE status = 'failed';`,
]

export type { DeliveryStatus } from '../../webhooks/delivery-statuses'

export type EndpointRow = {
  endpoint_id: number | null
  company_id: number | null
  url: string | null
  active: number
  secret: string | null
  previous_secret: string | null
  previous_expires_at: number | null
  failing_since: number | null
}

export type DeliveryRow = {
  delivery_id: string
  event_id: string
  event_type: string
  device_id: number | null
  sequence: number
  body: string
  origin: string
  status: DeliveryStatus
  attempts: number
  schedule_step: number
  next_attempt_at: number | null
  last_http_status: number | null
  last_error: string | null
  created_at: number
  updated_at: number
}

export type AttemptRow = {
  attempt: number
  started_at: number
  duration_ms: number
  http_status: number | null
  response_snippet: string | null
  error: string | null
}

export interface DeliveryQuery {
  status?: DeliveryStatus
  eventType?: string
  /** Strictly older than this (created_at, delivery_id) position. */
  before?: { createdAt: number; deliveryId: string }
  limit: number
}

export class DeliveryStore extends SqlStore {
  /**
   * The endpoint row as last read: this store is its only writer, and every attempt reads it
   * several times (a SELECT each time was a share of a delivery's CPU, docs/performance.md).
   */
  private cachedEndpoint: EndpointRow | null = null

  constructor(storage: DurableObjectStorage) {
    super(storage, 'deliveries', DELIVERY_SCHEMA)
  }

  override createSchema(): void {
    this.cachedEndpoint = null
    super.createSchema()
  }

  endpoint(): EndpointRow {
    this.cachedEndpoint ??= this.sql.exec<EndpointRow>('SELECT * FROM endpoint WHERE id = 1').one()
    return { ...this.cachedEndpoint }
  }

  /** Writes the row only if a value changes: a delivery that leaves the endpoint as it was writes nothing (docs/cost.md). */
  updateEndpoint(changes: Partial<EndpointRow>): void {
    const entries = Object.entries(changes)
    if (entries.length === 0) return
    const values = entries.map(([, v]) => v ?? null)
    const written = this.sql.exec(
      `UPDATE endpoint SET ${entries.map(([k]) => `${k} = ?`).join(', ')}
       WHERE id = 1 AND (${entries.map(([k]) => `${k} IS NOT ?`).join(' OR ')})`,
      ...values,
      ...values,
    )
    // Read again next time; a change that wrote nothing left the row as cached.
    if (written.rowsWritten > 0) this.cachedEndpoint = null
  }

  /** A delivery of each event for `origin`, unless one exists; how many are new. */
  add(events: EventEnvelope[], origin: string, now: number): number {
    const endpointId = this.endpoint().endpoint_id
    let added = 0
    this.storage.transactionSync(() => {
      for (const event of events) {
        added += this.sql.exec(
          `INSERT OR IGNORE INTO deliveries
             (delivery_id, event_id, event_type, device_id, sequence, body, origin, status, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
          derivedId('dlv', `${endpointId}|${event.id}|${origin}`),
          event.id,
          event.type,
          event.device_id,
          event.sequence,
          JSON.stringify(event),
          origin,
          now,
          now,
          now,
        ).rowsWritten
      }
    })
    return added
  }

  /**
   * Pending deliveries due by `now`, per device in sequence order. A pending delivery of a device
   * goes along with a later one of that device that is due (it is pulled forward), so a device's
   * events reach the receiver in sequence order even when their retries are jittered apart. A
   * delivery that keeps failing is then tried more often, never waited for: the later ones go anyway.
   */
  due(now: number, limit: number): DeliveryRow[] {
    return this.sql
      .exec<DeliveryRow>(
        `SELECT * FROM deliveries d WHERE status = 'pending' AND (next_attempt_at <= ? OR EXISTS (
           SELECT 1 FROM deliveries l WHERE l.status = 'pending' AND l.device_id IS d.device_id
             AND l.sequence > d.sequence AND l.next_attempt_at <= ?))
         ORDER BY device_id, sequence, created_at LIMIT ?`,
        now,
        now,
        limit,
      )
      .toArray()
  }

  nextDueAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(next_attempt_at) AS t FROM deliveries WHERE status = 'pending'").one().t
  }

  recordAttempt(
    delivery: DeliveryRow,
    attempt: AttemptRow,
    outcome: { status: DeliveryStatus; nextAttemptAt: number | null; scheduleStep: number },
  ): void {
    this.storage.transactionSync(() => {
      this.sql.exec(
        `INSERT OR REPLACE INTO attempts (delivery_id, attempt, started_at, duration_ms, http_status, response_snippet, error)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        delivery.delivery_id,
        attempt.attempt,
        attempt.started_at,
        attempt.duration_ms,
        attempt.http_status,
        attempt.response_snippet,
        attempt.error,
      )
      this.sql.exec(
        `UPDATE deliveries SET status = ?, attempts = ?, schedule_step = ?, next_attempt_at = ?, last_http_status = ?, last_error = ?,
           updated_at = ? WHERE delivery_id = ?`,
        outcome.status,
        attempt.attempt,
        outcome.scheduleStep,
        outcome.nextAttemptAt,
        attempt.http_status,
        attempt.error,
        attempt.started_at,
        delivery.delivery_id,
      )
    })
  }

  /** Makes a delivery due now (a manual retry); false for one that does not exist. */
  retryNow(deliveryId: string, now: number): boolean {
    return (
      this.sql.exec(
        "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE delivery_id = ?",
        now,
        now,
        deliveryId,
      ).rowsWritten > 0
    )
  }

  get(deliveryId: string): DeliveryRow | undefined {
    return this.sql.exec<DeliveryRow>('SELECT * FROM deliveries WHERE delivery_id = ?', deliveryId).toArray()[0]
  }

  attemptsOf(deliveryId: string): AttemptRow[] {
    return this.sql
      .exec<AttemptRow>(
        `SELECT attempt, started_at, duration_ms, http_status, response_snippet, error FROM attempts
         WHERE delivery_id = ? ORDER BY attempt`,
        deliveryId,
      )
      .toArray()
  }

  list(query: DeliveryQuery): DeliveryRow[] {
    const where: string[] = []
    const binds: SqlStorageValue[] = []
    if (query.status) {
      // A literal, not a binding: the planner uses a partial index only for a condition it can see.
      if (!DELIVERY_STATUSES.includes(query.status)) throw new Error(`not a delivery status: ${String(query.status)}`)
      where.push(`status = '${query.status}'`)
    }
    if (query.eventType) {
      where.push('event_type = ?')
      binds.push(query.eventType)
    }
    if (query.before) {
      where.push('(created_at < ? OR (created_at = ? AND delivery_id < ?))')
      binds.push(query.before.createdAt, query.before.createdAt, query.before.deliveryId)
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : ''
    return this.sql
      .exec<DeliveryRow>(`SELECT * FROM deliveries ${clause} ORDER BY created_at DESC, delivery_id DESC LIMIT ?`, ...binds, query.limit)
      .toArray()
  }

  /** Deletes deliveries (and their attempts) created before `before`, up to `limit`. */
  prune(before: number, limit: number): number {
    const gone = this.sql
      .exec<{ delivery_id: string }>(
        `DELETE FROM deliveries WHERE delivery_id IN (
           SELECT delivery_id FROM deliveries WHERE created_at < ? AND status != 'pending' ORDER BY created_at LIMIT ?)
         RETURNING delivery_id`,
        before,
        limit,
      )
      .toArray()
    if (gone.length > 0) this.sql.exec('DELETE FROM attempts WHERE delivery_id NOT IN (SELECT delivery_id FROM deliveries)')
    return gone.length
  }
}
