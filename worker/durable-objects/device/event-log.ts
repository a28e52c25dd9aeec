// The device's events: a transactional outbox. An event is recorded in the same SQLite
// transaction as the change it announces (the ledger and the live state call `record` inside
// theirs), so nothing is announced that did not happen and nothing that happened goes untold.
// `sequence` grows by one per recorded event of this device. Events leave for the company's
// feed (EventFeedDO) in sequence order, and one number says how far the feed has them; forwarded
// events are kept for as long as messages, then pruned.
import { eventIdOf } from '../../events/event-id'
import type { EventEnvelope, EventType, JsonObject } from '../../events/event-types'
import { Checkpoint } from '../checkpoint'
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
  // Forwarded up to a sequence, one row for the whole log, written at most once a second
  // (checkpoint.ts): marking each event (and its entry in the index above) wrote two rows per
  // event (docs/cost.md). The per-event column stays, unread: dropping it would rewrite the table.
  `CREATE TABLE events_forwarded (id INTEGER PRIMARY KEY CHECK (id = 1), up_to INTEGER NOT NULL);
   INSERT INTO events_forwarded (id, up_to) VALUES (1, COALESCE(
     (SELECT MIN(sequence) - 1 FROM events WHERE forwarded = 0), (SELECT MAX(sequence) FROM events), 0));
   DROP INDEX events_unforwarded;`,
]

/** As written: only events the feed had by then may be pruned. */
const WRITTEN_UP_TO = '(SELECT up_to FROM events_forwarded)'

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
  /** Made on first use, and again after the storage was wiped (createSchema). */
  private forwardedCheckpoint?: Checkpoint

  constructor(storage: DurableObjectStorage) {
    super(storage, 'events', EVENT_LOG_SCHEMA)
  }

  override createSchema(): void {
    super.createSchema()
    this.forwardedCheckpoint?.discard()
    this.forwardedCheckpoint = undefined
  }

  private get forwarded(): Checkpoint {
    return (this.forwardedCheckpoint ??= new Checkpoint(
      this.sql.exec<{ up_to: number }>('SELECT up_to FROM events_forwarded').one().up_to,
      (upTo) => this.sql.exec('UPDATE events_forwarded SET up_to = MAX(up_to, ?)', upTo),
    ))
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
      .exec<EventRow>('SELECT * FROM events WHERE sequence > ? ORDER BY sequence LIMIT ?', this.forwarded.current, limit)
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
    this.forwarded.advance(upToSequence)
  }

  /** Deletes up to `limit` forwarded events older than `before`; how many went. The newest stays: it carries the sequence on. */
  prune(before: number, limit: number): number {
    return this.sql.exec(
      `DELETE FROM events WHERE sequence IN (
         SELECT sequence FROM events WHERE sequence <= ${WRITTEN_UP_TO} AND created_at < ? AND sequence < (SELECT MAX(sequence) FROM events)
         ORDER BY sequence LIMIT ?)`,
      before,
      limit,
    ).rowsWritten
  }
}
