// A ledger row as the public API shows it (the `Message` schema of the messages routes).
import { iso } from '../../lib/time'
import type { MessageView } from '../../routes/messages/messages.schemas'
import type { InboundDetails } from './inbound'
import type { Ledger, MessageRow } from './ledger'

export type { MessageView } from '../../routes/messages/messages.schemas'

type Lookup = (waMessageId: string | null) => string | null
const none: Lookup = () => null

/** `sending` is an internal step and reads as `queued` outside. `idOfWa` finds our id of a quoted or reacted-to message. */
export function toMessageView(row: MessageRow, deviceId: number, idOfWa: Lookup = none): MessageView {
  const d = row.details === null ? null : (JSON.parse(row.details) as InboundDetails)
  return {
    message_id: row.message_id,
    direction: row.direction ?? 'outbound',
    status: row.status === 'sending' ? 'queued' : row.status,
    type: row.type,
    recipient: row.recipient,
    chat_id: row.chat_id,
    is_group: d?.is_group ?? row.chat_id.endsWith('@g.us'),
    text: row.text,
    device_id: deviceId,
    batch_id: row.batch_id,
    wa_message_id: row.wa_message_id,
    error: row.error,
    sender: d?.sender ?? null,
    participant: d?.participant ?? null,
    reply_to: d?.reply_to ? { wa_message_id: d.reply_to, message_id: idOfWa(d.reply_to) } : null,
    media: d?.media
      ? {
          mimetype: d.media.mimetype,
          file_name: d.media.file_name,
          size: d.media.size,
          url: d.media.stored ? `/api/whatsapp/messages/${row.message_id}/media` : null,
          error: d.media.error,
        }
      : null,
    location: d?.location ?? null,
    contact: d?.contact ?? null,
    reaction:
      row.type === 'reaction' ? { emoji: d?.emoji ?? '', wa_message_id: d?.target ?? null, message_id: idOfWa(d?.target ?? null) } : null,
    created_at: iso(row.created_at)!,
    received_at: iso(row.received_at),
    sent_at: iso(row.sent_at),
    delivered_at: iso(row.delivered_at),
    read_at: iso(row.read_at),
    failed_at: iso(row.failed_at),
    send_at: iso(row.send_at),
    cancelled_at: iso(row.cancelled_at),
    edited_at: iso(d?.edited_at ?? null),
    deleted_at: iso(d?.deleted_at ?? null),
  }
}

export interface BatchView {
  batch_id: string
  device_id: number
  total: number
  counts: Record<'scheduled' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'cancelled', number>
  created_at: string
}

/** A bulk request's progress, or null for a batch this device does not have. */
export function batchViewOf(ledger: Ledger, batchId: string, deviceId: number): BatchView | null {
  const { total, counts, createdAt } = ledger.counters.batch(batchId)
  if (total === 0 || createdAt === null) return null
  return {
    batch_id: batchId,
    device_id: deviceId,
    total,
    counts: {
      scheduled: counts.scheduled ?? 0,
      queued: (counts.queued ?? 0) + (counts.sending ?? 0),
      sent: counts.sent ?? 0,
      delivered: counts.delivered ?? 0,
      read: counts.read ?? 0,
      failed: counts.failed ?? 0,
      cancelled: counts.cancelled ?? 0,
    },
    created_at: iso(createdAt)!,
  }
}
