// The sandbox's contacts: what the people a simulator device talks to do. Through the sandbox
// route a contact writes (text, a file, a reply, in a group), reacts, edits or deletes; and two
// documented numbers answer on their own: one ending in 1111 replies `Re: <text>` after
// SIM_REPLY_MS, one ending in 2222 reacts 👍 to every message it gets.
import { randomBytes } from 'node:crypto'
import type { InboundMessageInput, SimulateInbound } from '../../protocol/inbound'
import type { InboundEvent, MediaPayload } from './engine'

export const REPLYING_SUFFIX = '1111'
export const REACTING_SUFFIX = '2222'

const newWaId = () => `SIMIN.${randomBytes(9).toString('hex').toUpperCase()}`

const senderOf = (digits: string) => ({
  jid: `${digits}@s.whatsapp.net`,
  lid: null,
  phone: `+${digits}`,
  push_name: `Sandbox ${digits.slice(-4)}`,
})

/** The inbound event for what a contact does; `file` is the media it sends, already fetched. */
export function contactAction(action: SimulateInbound, file: MediaPayload | null): { waMessageId: string; event: InboundEvent } {
  const waMessageId = newWaId()
  const sender = senderOf(action.from)
  const inGroup = action.group_id !== null
  const acting = action.kind !== 'message'
  const message: InboundMessageInput = {
    wa_message_id: waMessageId,
    kind: action.kind,
    type: action.kind === 'reaction' ? 'reaction' : (file?.kind ?? 'text'),
    chat_id: action.group_id ?? sender.jid,
    is_group: inGroup,
    sender,
    participant: inGroup ? sender.jid : null,
    text: action.kind === 'reaction' || action.kind === 'delete' ? null : action.text,
    reply_to: acting ? null : action.reply_to,
    target: acting ? action.reply_to : null,
    emoji: action.kind === 'reaction' ? (action.emoji ?? '👍') : null,
    at: Date.now(),
    media: file ? { mimetype: file.mimetype, file_name: file.fileName ?? null, size: file.data.length, stored: false } : null,
  }
  return { waMessageId, event: { message, ...(file && { download: async () => file.data }) } }
}

/** Why this action cannot be done, or null. */
export function actionProblem(action: SimulateInbound): string | null {
  if (action.kind === 'message' && action.text === null && action.media_url === null) return 'a message needs text or media_url'
  if (action.kind !== 'message' && action.reply_to === null) return `a ${action.kind} needs reply_to: the message it concerns`
  if (action.kind === 'edit' && action.text === null) return 'an edit needs the new text'
  return null
}

/** What a documented contact does on its own when it gets `text` (sent as `waMessageId`), if anything. */
export function autoResponse(recipientDigits: string, waMessageId: string, text: string | undefined): SimulateInbound | null {
  const base = { from: recipientDigits, media_url: null, group_id: null, emoji: null }
  if (recipientDigits.endsWith(REPLYING_SUFFIX)) return { ...base, kind: 'message', text: `Re: ${text ?? ''}`, reply_to: waMessageId }
  if (recipientDigits.endsWith(REACTING_SUFFIX)) return { ...base, kind: 'reaction', text: null, reply_to: waMessageId, emoji: '👍' }
  return null
}
