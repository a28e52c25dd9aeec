// Everything the API checks about one outgoing message before it is accepted: the same rules
// for `send` and for each item of `send-bulk`.
import type { ErrorCode } from '../lib/errors'
import type { MessageType } from '../durable-objects/device/message-kinds'
import { parseRecipient } from './recipient'

export const MAX_TEXT = 4096
export const MAX_CAPTION = 1024
export const MAX_RECIPIENT = 64
export const MAX_MEDIA_URL = 2048
export const MAX_BULK_MESSAGES = 1000
/** How far ahead a message may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 30 * 24 * 60 * 60 * 1000
/** A `send_at` this little in the past (a client's clock running behind) is taken as "now". */
export const SEND_AT_SKEW_MS = 60_000

export interface OutgoingInput {
  recipient: string
  message?: string | null
  media_url?: string | null
  is_group?: boolean
  reply_to?: string | null
  /** ISO 8601 with an offset (checked by the schema). */
  send_at?: string | null
}

export interface CheckedMessage {
  recipient: string
  chatId: string
  type: MessageType
  text: string | null
  mediaUrl: string | null
  /** A message id of the sending device this one quotes (checked against the device by the route). */
  replyTo: string | null
  /** Scheduled: when to send it (epoch ms); null sends it now (send) or in turn (bulk). */
  sendAt: number | null
}

export type Checked =
  { ok: true; message: CheckedMessage } | { ok: false; code: ErrorCode; field: string; message: string; details?: Record<string, unknown> }

const EXTENSION_TYPES: Array<[RegExp, MessageType]> = [
  [/\.(jpe?g|png|webp|gif)$/i, 'image'],
  [/\.(mp4|3gp|mov)$/i, 'video'],
  [/\.(mp3|ogg|opus|m4a|aac|amr|wav)$/i, 'audio'],
  [/\.(pdf|docx?|xlsx?|pptx?|txt|csv|zip)$/i, 'document'],
]

/** A first guess from the URL; the session node decides from what it actually fetched. */
function guessMediaType(url: URL): MessageType {
  return EXTENSION_TYPES.find(([pattern]) => pattern.test(url.pathname))?.[1] ?? 'media'
}

/** When a message is to be sent, or why that time cannot be. */
function checkSendAt(sendAt: string | null | undefined, now: number): { ok: true; at: number | null } | { ok: false; message: string } {
  if (sendAt == null) return { ok: true, at: null }
  const at = Date.parse(sendAt)
  if (Number.isNaN(at)) return { ok: false, message: 'send_at must be an ISO 8601 date and time' }
  if (at < now - SEND_AT_SKEW_MS) return { ok: false, message: 'send_at is in the past' }
  if (at > now + MAX_SCHEDULE_AHEAD_MS) return { ok: false, message: 'send_at may be at most 30 days ahead' }
  return { ok: true, at: Math.max(at, now) }
}

export function checkOutgoing(input: OutgoingInput, now = Date.now()): Checked {
  const sendAt = checkSendAt(input.send_at, now)
  if (!sendAt.ok) return { ok: false, code: 'validation_error', field: 'send_at', message: sendAt.message }
  const text = input.message ?? null
  const mediaUrl = input.media_url ?? null
  if ((text === null || text.trim() === '') && mediaUrl === null) {
    return { ok: false, code: 'validation_error', field: 'message', message: 'message is required when there is no media_url' }
  }
  let url: URL | null = null
  if (mediaUrl !== null) {
    url = URL.canParse(mediaUrl) ? new URL(mediaUrl) : null
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || mediaUrl.length > MAX_MEDIA_URL) {
      return { ok: false, code: 'validation_error', field: 'media_url', message: 'media_url must be a public http(s) URL' }
    }
  }
  const max = url ? MAX_CAPTION : MAX_TEXT
  if (text !== null && text.length > max) {
    return {
      ok: false,
      code: 'message_too_long',
      field: 'message',
      message: url ? `a caption is limited to ${MAX_CAPTION} characters` : `a text message is limited to ${MAX_TEXT} characters`,
      details: { max_length: max, length: text.length },
    }
  }
  const recipient = parseRecipient(input.recipient, input.is_group ?? false)
  if (!recipient.ok) {
    return {
      ok: false,
      code: recipient.code,
      field: 'recipient',
      message: recipient.message,
      ...(recipient.code === 'invalid_phone_number' && { details: { reason: 'invalid_format' } }),
    }
  }
  return {
    ok: true,
    message: {
      recipient: recipient.recipient,
      chatId: recipient.chatId,
      type: url ? guessMediaType(url) : 'text',
      text,
      mediaUrl,
      replyTo: input.reply_to ?? null,
      sendAt: sendAt.at,
    },
  }
}
