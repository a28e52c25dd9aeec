// A ledger row as the public API shows it (the `Message` schema of the messages routes).
import { iso } from '../../lib/time'
import type { MessageView } from '../../routes/messages/messages.schemas'
import type { MessageRow } from './ledger'

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
