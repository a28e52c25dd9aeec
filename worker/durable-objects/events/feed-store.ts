// The company's event feed in EventFeedDO's SQLite: every event of every device of the company,
// in the order they arrived here (`pos`), stored once per event id; and `fanout`, the events
// each matching webhook endpoint has not taken yet.
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
]

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

  addFanout(endpointId: number, pos: number): void {
    this.sql.exec('INSERT OR IGNORE INTO fanout (endpoint_id, pos) VALUES (?, ?)', endpointId, pos)
  }

  /** Endpoints with events to take. */
  fanoutEndpoints(): number[] {
    return this.sql
      .exec<{ endpoint_id: number }>('SELECT DISTINCT endpoint_id FROM fanout')
      .toArray()
      .map((r) => r.endpoint_id)
  }

  /** The next events one endpoint has to take, oldest first. */
  fanoutFor(endpointId: number, limit: number): { pos: number; event: EventEnvelope }[] {
    return this.sql
      .exec<{ pos: number; body: string }>(
        'SELECT f.pos, e.body FROM fanout f JOIN events e ON e.pos = f.pos WHERE f.endpoint_id = ? ORDER BY f.pos LIMIT ?',
        endpointId,
        limit,
      )
      .toArray()
      .map((row) => ({ pos: row.pos, event: JSON.parse(row.body) as EventEnvelope }))
  }

  takeFanout(endpointId: number, upToPos: number): void {
    this.sql.exec('DELETE FROM fanout WHERE endpoint_id = ? AND pos <= ?', endpointId, upToPos)
  }

  dropFanout(endpointId: number): void {
    this.sql.exec('DELETE FROM fanout WHERE endpoint_id = ?', endpointId)
  }

  /** Deletes up to `limit` events older than `before` (and whatever fan-out still named them). */
  prune(before: number, limit: number): number {
    const gone = this.sql
      .exec<{ pos: number }>(
        'DELETE FROM events WHERE pos IN (SELECT pos FROM events WHERE created_at < ? ORDER BY pos LIMIT ?) RETURNING pos',
        before,
        limit,
      )
      .toArray()
    if (gone.length > 0) this.sql.exec('DELETE FROM fanout WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.pos = fanout.pos)')
    return gone.length
  }
}
