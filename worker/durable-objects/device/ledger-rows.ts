// The shapes of the ledger's rows: what is stored per message, what a new one brings, and what a listing asks.
import type { MessageDirection, MessageStatus, MessageType } from './message-kinds'

export type MessageRow = {
  message_id: string
  company_id: number
  batch_id: string | null
  batch_index: number | null
  recipient: string
  chat_id: string
  type: MessageType
  text: string | null
  media_url: string | null
  status: MessageStatus
  error: string | null
  wa_message_id: string | null
  quota_period: string
  created_at: number
  sent_at: number | null
  delivered_at: number | null
  read_at: number | null
  failed_at: number | null
  direction: MessageDirection
  /** Outbound: the message it quotes (our message id), or null. */
  reply_to: string | null
  /** Inbound only: what WhatsApp told about it (InboundDetails as JSON). */
  details: string | null
  received_at: number | null
  /** Scheduled: when it is to be sent (it waits as `scheduled` until then). */
  send_at: number | null
  cancelled_at: number | null
}

export type NewMessage = Pick<
  MessageRow,
  'message_id' | 'company_id' | 'recipient' | 'chat_id' | 'type' | 'text' | 'media_url' | 'quota_period'
> & {
  batch_id?: string
  batch_index?: number
  reply_to?: string | null
  /** Set: the message is `scheduled` and leaves the outbox at this time, not in turn. */
  send_at?: number | null
}

export interface ListQuery {
  status?: MessageStatus[]
  batchId?: string
  direction?: MessageDirection
  chatId?: string
  /** Strictly older than this (created_at, message_id) position. */
  before?: { createdAt: number; messageId: string }
  limit: number
}
