// Turning a ledger row into a `send` command, and the node's answer into what happened to the
// message. The distinction that matters is whether WhatsApp may have taken it: only a message
// that certainly was not sent gives its quota back, and none is ever sent twice.
import { MESSAGE_FAILURE_CODES, SendAccepted, type DeviceToNode, type MessageFailureCode } from '../../../protocol/frames'
import type { MessageRow } from './ledger'
import type { CommandOutcome } from './pending-commands'
import { MEDIA_SEND_TIMEOUT_MS, TEXT_SEND_TIMEOUT_MS } from '../../../protocol/timing'

export type DispatchResult =
  | { kind: 'sent'; waMessageId: string; sentAt: number }
  /** The node refused it before WhatsApp took it: failed, quota refunded. */
  | { kind: 'refused'; code: Exclude<MessageFailureCode, 'outcome_unknown'>; message: string }
  /** Nothing reached a node: the message can stay queued. */
  | { kind: 'not_dispatched'; message: string }
  /** Handed over, outcome unknown (connection lost, no answer): failed, never retried, not refunded. */
  | { kind: 'unknown'; code: 'interrupted' | 'send_timeout'; message: string }

/** How long a node may take to answer a send: a number lookup first, and with media a fetch and an upload. */
export const sendTimeoutMs = (row: Pick<MessageRow, 'media_url'>) => (row.media_url === null ? TEXT_SEND_TIMEOUT_MS : MEDIA_SEND_TIMEOUT_MS)

export type Quoted = NonNullable<Extract<DeviceToNode, { type: 'send' }>['quoted']>

export function sendCommand(row: MessageRow, id: string, quoted?: Quoted): DeviceToNode {
  return {
    type: 'send',
    id,
    message_id: row.message_id,
    chat_id: row.chat_id,
    ...(row.text !== null && { text: row.text }),
    ...(row.media_url !== null && { media: { url: row.media_url, ...(row.text !== null && { caption: row.text }) } }),
    ...(quoted && { quoted }),
  }
}

const isFailureCode = (code: string): code is Exclude<MessageFailureCode, 'outcome_unknown'> =>
  code !== 'outcome_unknown' && (MESSAGE_FAILURE_CODES as readonly string[]).includes(code)

export function interpretSend(outcome: CommandOutcome): DispatchResult {
  if (outcome.ok) {
    const accepted = SendAccepted.safeParse(outcome.data)
    if (accepted.success) return { kind: 'sent', waMessageId: accepted.data.wa_message_id, sentAt: accepted.data.sent_at }
    return { kind: 'unknown', code: 'interrupted', message: 'the session node gave an unreadable answer' }
  }
  const { code, message } = outcome.error
  if (code === 'no_node') return { kind: 'not_dispatched', message }
  if (code === 'timeout') return { kind: 'unknown', code: 'send_timeout', message }
  if (code === 'connection_lost') return { kind: 'unknown', code: 'interrupted', message }
  // The engine failed after handing the message to WhatsApp's socket.
  if (code === 'outcome_unknown') return { kind: 'unknown', code: 'interrupted', message }
  if (isFailureCode(code)) return { kind: 'refused', code, message }
  // malformed_frame, unknown_command and the like: the node did not act on it.
  return { kind: 'refused', code: 'send_failed', message: `${code}: ${message}` }
}
