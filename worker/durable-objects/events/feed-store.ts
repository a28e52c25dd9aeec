// The company's event feed in EventFeedDO's SQLite: every event of every device of the company,
// in the order they arrived here (`pos`), stored once per event id. How far each webhook
// endpoint has taken them is in `handovers` (handovers.ts).
import type { EventEnvelope, EventType } from '../../events/event-types'
import { SqlStore } from '../sql-schema'

export const FEED_SCHEMA = [
  `CREATE TABLE events (
     pos INTEGER PRIMARY KEY AUTOINCREMENT,
     event_id TEXT NOT NULL UNIQUE,
     type TEXT NOT NULL,
     device_id INTEGER,
     created_at INTEGER NOT NULL,
     body TEXT NOT NULL
   );
   CREATE INDEX events_created ON events (created_at);
   CREATE TABLE fanout (endpoint_id INTEGER NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (endpoint_id, pos)) WITHOUT ROWID;`,
  // A position per endpoint instead of a row per event and endpoint (handovers.ts). An endpoint
  // with events still to take starts before the first of them, with what it takes unknown (NULL)
  // until the next event brings the company's endpoints from D1; the others start after the feed.
  `CREATE TABLE handovers (
     endpoint_id INTEGER PRIMARY KEY,
     after_pos INTEGER NOT NULL,
     event_types TEXT,
     device_ids TEXT
   );
   INSERT INTO handovers (endpoint_id, after_pos, event_types, device_ids)
     SELECT endpoint_id, MIN(pos) - 1, NULL, NULL FROM fanout GROUP BY endpoint_id;
   DROP TABLE fanout;`,
]

/** An event as the hand-over to endpoints reads it. */
export type FeedEvent = {
  pos: number
  type: EventType
  device_id: number | null
  body: string
}

export interface FeedQuery {
  /** Strictly after this position. */
  afterPos: number
  types?: EventType[]
  /** Only these devices' events (an API key limited to some devices reads only theirs). */
  deviceIds?: readonly number[]
  limit: number
}

export interface RangeQuery {
  since: number
  until: number
  types?: string[]
  deviceIds?: number[] | null
  limit: number
}

/** Bodies as stored: JSON text, parsed by whoever reads them (an RPC answer cannot type free-form JSON). */
const bodies = (rows: { body: string }[]): string[] => rows.map((row) => row.body)

export class FeedStore extends SqlStore {
  constructor(storage: DurableObjectStorage) {
    super(storage, 'feed', FEED_SCHEMA)
  }

  /** Stores the event unless its id is here already; its position if new. */
  insert(event: EventEnvelope): number | null {
    const row = this.sql
      .exec<{ pos: number }>(
        'INSERT OR IGNORE INTO events (event_id, type, device_id, created_at, body) VALUES (?, ?, ?, ?, ?) RETURNING pos',
        event.id,
        event.type,
        event.device_id,
        Date.parse(event.created_at),
        JSON.stringify(event),
      )
      .toArray()[0]
    return row?.pos ?? null
  }

  positionOf(eventId: string): number | null {
    return this.sql.exec<{ pos: number }>('SELECT pos FROM events WHERE event_id = ?', eventId).toArray()[0]?.pos ?? null
  }

  list(query: FeedQuery): string[] {
    const where = ['pos > ?']
    const binds: SqlStorageValue[] = [query.afterPos]
    if (query.types?.length) {
      where.push(`type IN (${query.types.map(() => '?').join(',')})`)
      binds.push(...query.types)
    }
    if (query.deviceIds !== undefined) {
      where.push(`device_id IN (${query.deviceIds.map(() => '?').join(',') || 'NULL'})`)
      binds.push(...query.deviceIds)
    }
    return bodies(
      this.sql
        .exec<{ body: string }>(`SELECT body FROM events WHERE ${where.join(' AND ')} ORDER BY pos LIMIT ?`, ...binds, query.limit)
        .toArray(),
    )
  }

  /** Events that happened in [since, until), for a replay, oldest first. */
  range(query: RangeQuery): string[] {
    const where = ['created_at >= ?', 'created_at < ?']
    const binds: SqlStorageValue[] = [query.since, query.until]
    if (query.types?.length && !query.types.includes('*')) {
      where.push(`type IN (${query.types.map(() => '?').join(',')})`)
      binds.push(...query.types)
    }
    if (query.deviceIds) {
      where.push(`device_id IN (${query.deviceIds.map(() => '?').join(',') || 'NULL'})`)
      binds.push(...query.deviceIds)
    }
    return bodies(
      this.sql
        .exec<{ body: string }>(`SELECT body FROM events WHERE ${where.join(' AND ')} ORDER BY pos LIMIT ?`, ...binds, query.limit)
        .toArray(),
    )
  }

  /** The position of the newest event here (0 for none). */
  lastPos(): number {
    return this.sql.exec<{ pos: number }>('SELECT COALESCE(MAX(pos), 0) AS pos FROM events').one().pos
  }

  /** Events after `afterPos`, oldest first. */
  after(afterPos: number, limit: number): FeedEvent[] {
    return this.sql
      .exec<FeedEvent>('SELECT pos, type, device_id, body FROM events WHERE pos > ? ORDER BY pos LIMIT ?', afterPos, limit)
      .toArray()
  }

  /** Deletes up to `limit` events older than `before`; how many went. */
  prune(before: number, limit: number): number {
    return this.sql
      .exec(
        'DELETE FROM events WHERE pos IN (SELECT pos FROM events WHERE created_at < ? ORDER BY pos LIMIT ?) RETURNING pos',
        before,
        limit,
      )
      .toArray().length
  }
}
