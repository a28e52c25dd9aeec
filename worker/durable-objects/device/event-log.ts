// The device's events: a transactional outbox. An event is recorded in the same SQLite
// transaction as the change it announces (the ledger and the live state call `record` inside
// theirs), so nothing is announced that did not happen and nothing that happened goes untold.
// `sequence` grows by one per recorded event of this device. Events leave for the company's
// feed (EventFeedDO) in sequence order and are marked forwarded once it has them; forwarded
// events are kept for as long as messages, then pruned.
import { eventIdOf } from '../../events/event-id'
import type { EventEnvelope, EventType, JsonObject } from '../../events/event-types'
import { SqlStore } from '../sql-schema'

export const EVENT_LOG_SCHEMA = [
  `CREATE TABLE events (
     sequence INTEGER PRIMARY KEY,
     event_id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     data TEXT NOT NULL,
     forwarded INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX events_unforwarded ON events (forwarded, sequence);`,
  // Only the events still to forward are indexed: forwarding one removes it from the index
  // instead of moving it within it.
  `DROP INDEX events_unforwarded;
   CREATE INDEX events_unforwarded ON events (sequence) WHERE forwarded = 0;`,
]

export interface NewEvent {
  type: EventType
  /** What makes this event the one it is: the same source is the same event. */
  source: string
  at: number
  data: JsonObject
}

type EventRow = { sequence: number; event_id: string; type: EventType; created_at: number; data: string }

export class EventLog extends SqlStore {
  /** Called after an event was recorded (outside any transaction by then): time to forward. */
  onRecorded: () => void = () => {}

  constructor(storage: DurableObjectStorage) {
    super(storage, 'events', EVENT_LOG_SCHEMA)
  }

  /** Records the event unless one with its source exists; true if it is new. */
  record(event: NewEvent): boolean {
    const inserted =
      this.sql.exec(
        `INSERT OR IGNORE INTO events (sequence, event_id, type, created_at, data)
         VALUES ((SELECT COALESCE(MAX(sequence), 0) + 1 FROM events), ?, ?, ?, ?)`,
        eventIdOf(event.source),
        event.type,
        event.at,
        JSON.stringify(event.data),
      ).rowsWritten > 0
    if (inserted) queueMicrotask(() => this.onRecorded())
    return inserted
  }

  /** The oldest events the company's feed does not have yet, as envelopes. */
  unforwarded(deviceId: number, limit: number): EventEnvelope[] {
    return this.sql
      .exec<EventRow>('SELECT * FROM events WHERE forwarded = 0 ORDER BY sequence LIMIT ?', limit)
      .toArray()
      .map((row) => ({
        id: row.event_id,
        type: row.type,
        created_at: new Date(row.created_at).toISOString(),
        device_id: deviceId,
        sequence: row.sequence,
        data: JSON.parse(row.data) as JsonObject,
      }))
  }

  markForwarded(upToSequence: number): void {
    this.sql.exec('UPDATE events SET forwarded = 1 WHERE forwarded = 0 AND sequence <= ?', upToSequence)
  }

  pendingCount(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE forwarded = 0').one().n
  }

  /** Deletes up to `limit` forwarded events older than `before`; how many went. The newest stays: it carries the sequence on. */
  prune(before: number, limit: number): number {
    return this.sql.exec(
      `DELETE FROM events WHERE sequence IN (
         SELECT sequence FROM events WHERE forwarded = 1 AND created_at < ? AND sequence < (SELECT MAX(sequence) FROM events)
         ORDER BY sequence LIMIT ?)`,
      before,
      limit,
    ).rowsWritten
  }
}
