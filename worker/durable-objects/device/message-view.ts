// A ledger row as the public API shows it (the `Message` schema of the messages routes).
import { iso } from '../../lib/time'
import type { MessageView } from '../../routes/messages/messages.schemas'
import type { Ledger, MessageRow } from './ledger'

export type { MessageView } from '../../routes/messages/messages.schemas'

/** `sending` is an internal step and reads as `queued` outside. */
export function toMessageView(row: MessageRow, deviceId: number): MessageView {
  return {
    message_id: row.message_id,
    status: row.status === 'sending' ? 'queued' : row.status,
    type: row.type,
    recipient: row.recipient,
    chat_id: row.chat_id,
    device_id: deviceId,
    batch_id: row.batch_id,
    error: row.error,
    created_at: iso(row.created_at)!,
    sent_at: iso(row.sent_at),
    delivered_at: iso(row.delivered_at),
    read_at: iso(row.read_at),
    failed_at: iso(row.failed_at),
  }
}

export interface BatchView {
  batch_id: string
  device_id: number
  total: number
  counts: Record<'queued' | 'sent' | 'delivered' | 'read' | 'failed', number>
  created_at: string
}

/** A bulk request's progress, or null for a batch this device does not have. */
export function batchViewOf(ledger: Ledger, batchId: string, deviceId: number): BatchView | null {
  const { total, counts, createdAt } = ledger.batchCounts(batchId)
  if (total === 0 || createdAt === null) return null
  return {
    batch_id: batchId,
    device_id: deviceId,
    total,
    counts: {
      queued: (counts.queued ?? 0) + (counts.sending ?? 0),
      sent: counts.sent ?? 0,
      delivered: counts.delivered ?? 0,
      read: counts.read ?? 0,
      failed: counts.failed ?? 0,
    },
    created_at: new Date(createdAt).toISOString(),
  }
}
