// The company's messages, newest first, in EventFeedDO's SQLite: one row per message of any of
// its devices, with the message as GET /messages/{id} shows it. GET /whatsapp/messages without a
// device reads this instead of asking every DeviceDO (its cost no longer grows with the number
// of devices). Rows come from the message events the devices forward (each carries the whole
// message, and a row only moves to a newer event of its device), and from DeviceDO at once
// for messages queued or scheduled (no event tells of those). A device's ledger stays the
// source of truth: by id, by device and by batch, the API asks it.
import { EVENT_TYPES, type EventEnvelope } from '../../events/event-types'
import { pageWhere } from '../message-filters'
import type { MessageView } from '../device/message-view'
import { FINAL_MESSAGE_STATUSES, type MessageDirection, type MessageStatus } from '../device/message-kinds'
import { SqlStore } from '../sql-schema'

export const MESSAGE_INDEX_SCHEMA = [
  `CREATE TABLE messages (
     message_id TEXT PRIMARY KEY,
     device_id INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     status TEXT NOT NULL,
     direction TEXT NOT NULL,
     chat_id TEXT NOT NULL,
     sequence INTEGER NOT NULL,
     view TEXT NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX messages_recent ON messages (created_at, message_id);`,
]

/** Events whose data is the whole message. */
const MESSAGE_EVENTS = new Set<string>(EVENT_TYPES.filter((type) => type.startsWith('message.')))

export interface IndexQuery {
  /** The caller's devices (live ones, limited to its key's): messages of any other are not listed. */
  deviceIds: readonly number[]
  status?: MessageStatus
  direction?: MessageDirection
  chatId?: string
  before?: { createdAt: number; messageId: string }
  limit: number
}

const FINAL_IN = FINAL_MESSAGE_STATUSES.map((status) => `'${status}'`).join(', ')

const isView = (data: unknown): data is MessageView =>
  typeof data === 'object' && data !== null && typeof (data as MessageView).message_id === 'string' && 'created_at' in data

export class MessageIndex extends SqlStore {
  constructor(storage: DurableObjectStorage) {
    super(storage, 'message_index', MESSAGE_INDEX_SCHEMA)
  }

  /** Keeps the message an event tells of, unless a newer event of its device is here already. */
  applyEvent(event: EventEnvelope): void {
    if (!MESSAGE_EVENTS.has(event.type) || !isView(event.data) || event.device_id === null) return
    this.put(event.data, event.device_id, event.sequence)
  }

  /** Messages as DeviceDO stored them (queued, scheduled): any event of theirs supersedes these. */
  putAll(views: MessageView[], deviceId: number): void {
    this.storage.transactionSync(() => {
      for (const view of views) this.put(view, deviceId, 0)
    })
  }

  list(query: IndexQuery): MessageView[] {
    const { clauses, binds } = pageWhere(
      [
        ['status', query.status],
        ['direction', query.direction],
        ['chat_id', query.chatId],
      ],
      query.before,
      { clauses: ['device_id IN (SELECT value FROM json_each(?))'], binds: [JSON.stringify(query.deviceIds)] },
    )
    return this.sql
      .exec<{ view: string }>(
        `SELECT view FROM messages WHERE ${clauses.join(' AND ')} ORDER BY created_at DESC, message_id DESC LIMIT ?`,
        ...binds,
        query.limit,
      )
      .toArray()
      .map((row) => JSON.parse(row.view) as MessageView)
  }

  /** A deleted device's messages. */
  dropDevice(deviceId: number): void {
    this.sql.exec('DELETE FROM messages WHERE device_id = ?', deviceId)
  }

  /** Deletes up to `limit` messages in a final state accepted before `before` (as their devices do); how many went. */
  prune(before: number, limit: number): number {
    return this.sql.exec(
      `DELETE FROM messages WHERE message_id IN (
         SELECT message_id FROM messages WHERE created_at < ? AND status IN (${FINAL_IN}) ORDER BY created_at LIMIT ?)`,
      before,
      limit,
    ).rowsWritten
  }

  private put(view: MessageView, deviceId: number, sequence: number): void {
    this.sql.exec(
      `INSERT INTO messages (message_id, device_id, created_at, status, direction, chat_id, sequence, view)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (message_id) DO UPDATE SET status = excluded.status, sequence = excluded.sequence, view = excluded.view
       WHERE excluded.sequence > messages.sequence`,
      view.message_id,
      deviceId,
      Date.parse(view.created_at),
      view.status,
      view.direction,
      view.chat_id,
      sequence,
      JSON.stringify(view),
    )
  }
}
