// What the linked phone received, stored in the device's ledger beside what it sent (direction
// `inbound`, status `received`), with its event in the same transaction:
//   - a message: one row, once per WhatsApp id (a frame resent after a reconnect, or a message
//     Baileys emitted as both notify and append, is stored once) → `message.received`;
//   - a reaction: a row of type `reaction` → `message.reaction`;
//   - an edit: the target's text changes → `message.edited`;
//   - a deletion: the target's text and media go → `message.deleted`.
// The message id is derived from the WhatsApp id (messaging/ids.ts).
import type { InboundMessage } from '../../../protocol/inbound'
import { inboundMessageId } from '../../messaging/ids'
import type { EventLog } from './event-log'
import type { Ledger, MessageRow } from './ledger'
import type { Quoted } from './dispatch'
import { toMessageView } from './message-view'

/** What an inbound row keeps beyond the ledger's columns (the `details` JSON). */
export type InboundDetails = Pick<
  InboundMessage,
  'is_group' | 'sender' | 'participant' | 'reply_to' | 'media' | 'location' | 'contact' | 'emoji' | 'target'
> & { edited_at: number | null; deleted_at: number | null }

export interface InboundDeps {
  storage: DurableObjectStorage
  events: EventLog
  deviceId: number
  /** Null for a device whose company is gone (deleted): nothing is received for it. */
  companyId: number | null
}

const rowOf = (sql: SqlStorage, waMessageId: string) =>
  sql.exec<MessageRow>("SELECT * FROM messages WHERE wa_message_id = ? AND direction = 'inbound'", waMessageId).toArray()[0]

/** The message id of ours for a WhatsApp id this device sent or received, or null. */
export function messageIdOfWa(sql: SqlStorage, waMessageId: string | null): string | null {
  if (waMessageId === null) return null
  return (
    sql.exec<{ message_id: string }>('SELECT message_id FROM messages WHERE wa_message_id = ? LIMIT 1', waMessageId).toArray()[0]
      ?.message_id ?? null
  )
}

export function receiveInbound(message: InboundMessage, deps: InboundDeps, now: number): void {
  if (deps.companyId === null) throw new Error('the device has no company (deleted)')
  const sql = deps.storage.sql
  const view = (row: MessageRow) => toMessageView(row, deps.deviceId, (wa) => messageIdOfWa(sql, wa))
  deps.storage.transactionSync(() => {
    if (message.kind === 'message' || message.kind === 'reaction') {
      const details: InboundDetails = {
        is_group: message.is_group,
        sender: message.sender,
        participant: message.participant,
        reply_to: message.reply_to,
        media: message.media,
        location: message.location,
        contact: message.contact,
        emoji: message.emoji,
        target: message.target,
        edited_at: null,
        deleted_at: null,
      }
      const inserted = sql
        .exec<MessageRow>(
          `INSERT OR IGNORE INTO messages (message_id, company_id, recipient, chat_id, type, text, status, wa_message_id,
             quota_period, created_at, direction, details, received_at)
           VALUES (?, ?, ?, ?, ?, ?, 'received', ?, '', ?, 'inbound', ?, ?) RETURNING *`,
          inboundMessageId(deps.deviceId, message.wa_message_id),
          deps.companyId,
          message.sender.phone ?? message.sender.jid,
          message.chat_id,
          message.type,
          message.text,
          message.wa_message_id,
          now,
          JSON.stringify(details),
          message.at,
        )
        .toArray()[0]
      if (!inserted) return
      const type = message.kind === 'reaction' ? 'message.reaction' : 'message.received'
      deps.events.record({ type, source: `${type}|${deps.deviceId}|${message.wa_message_id}`, at: now, data: view(inserted) })
      return
    }
    // An edit or a deletion of an earlier message: the change is the event (once per its own id).
    const target = message.target === null ? undefined : rowOf(sql, message.target)
    let changed = target
    if (target) {
      const details = JSON.parse(target.details ?? '{}') as InboundDetails
      const update =
        message.kind === 'edit'
          ? { text: message.text, details: { ...details, edited_at: message.at } }
          : { text: null, details: { ...details, media: null, location: null, contact: null, deleted_at: message.at } }
      changed = sql
        .exec<MessageRow>(
          'UPDATE messages SET text = ?, details = ? WHERE message_id = ? RETURNING *',
          update.text,
          JSON.stringify(update.details),
          target.message_id,
        )
        .one()
    }
    const type = message.kind === 'edit' ? 'message.edited' : 'message.deleted'
    deps.events.record({
      type,
      source: `${type}|${deps.deviceId}|${message.wa_message_id}`,
      at: now,
      data: changed
        ? view(changed)
        : { message_id: null, wa_message_id: message.target, chat_id: message.chat_id, device_id: deps.deviceId, text: message.text },
    })
  })
}

/** What WhatsApp needs to quote one of this device's messages in a reply; undefined when it cannot. */
export function quotedOf(ledger: Ledger, messageId: string | null): Quoted | undefined {
  const row = messageId === null ? undefined : ledger.get(messageId)
  if (!row?.wa_message_id) return undefined
  const details = row.details === null ? null : (JSON.parse(row.details) as InboundDetails)
  const participant = details?.participant ?? undefined
  return {
    wa_message_id: row.wa_message_id,
    from_me: row.direction !== 'inbound',
    ...(participant && { participant }),
    ...(row.text !== null && { text: row.text }),
  }
}
