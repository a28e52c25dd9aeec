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

export interface OutgoingInput {
  recipient: string
  message?: string | null
  media_url?: string | null
  is_group?: boolean
  reply_to?: string | null
}

export interface CheckedMessage {
  recipient: string
  chatId: string
  type: MessageType
  text: string | null
  mediaUrl: string | null
  /** A message id of the sending device this one quotes (checked against the device by the route). */
  replyTo: string | null
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

export function checkOutgoing(input: OutgoingInput): Checked {
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
    },
  }
}
