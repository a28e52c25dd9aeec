// The node's half of sending: a `send` command from DeviceDO becomes one engine send (media
// fetched here first, within the node's media budget, never by the engine), answered with the WhatsApp id or a failure code
// from MESSAGE_FAILURE_CODES (the engine's receipts go through receipt-relay.ts).
import { metrics } from './ops/metrics'
import type { z } from 'zod'
import type { SendAccepted, SendCommand } from '../protocol/frames'
import { SendError, type Engine, type MediaPayload } from './engines/engine'
import type { MediaSource } from './media/media-budget'
import { CommandError } from './transport/errors'
import { messageOf } from './error-message'

/**
 * Runs one `send` command. Resolves with the result data; rejects with a CommandError whose code
 * is a SendError's, unchanged (`outcome_unknown` included), else `send_failed` for anything
 * unexpected before the engine had the message and `outcome_unknown` for anything unexpected the
 * engine's send threw (it may have handed the message to WhatsApp). Never an internal code.
 */
export async function runSend(
  frame: SendCommand,
  engineNow: () => Engine | null,
  media: MediaSource,
): Promise<z.infer<typeof SendAccepted>> {
  try {
    // Checked before fetching: a paused device should not download anything.
    if (!engineNow()) throw new SendError('not_ready', 'the device session is paused or not running')
    // With media, the text is its caption (DeviceDO may put it in either place).
    const text = frame.media ? (frame.media.caption ?? frame.text) : frame.text
    if (!frame.media && !text) throw new SendError('send_failed', 'a message needs text or media')
    const send = async (file: MediaPayload | undefined) => {
      // The engine may have been stopped or replaced while the media downloaded.
      const engine = engineNow()
      if (!engine) throw new SendError('not_ready', 'the device session is paused or not running')
      return engine
        .send({
          messageId: frame.message_id,
          chatId: frame.chat_id,
          ...(text ? { text } : {}),
          ...(file && { media: file }),
          ...(frame.quoted && { quoted: quotedOf(frame.quoted) }),
        })
        .catch((error: unknown) => {
          // Engines fail with SendErrors; anything else is a surprise from inside the send, after
          // which nobody can say the message did not go out.
          if (error instanceof SendError) throw error
          throw new SendError(
            'outcome_unknown',
            `the engine failed while sending; the message may have been sent: ${messageOf(error).slice(0, 200)}`,
          )
        })
    }
    // The fetched file is held (and counted against the budget) until the engine is done with it.
    const { waMessageId } = frame.media ? await media(frame.media.url, send) : await send(undefined)
    metrics.sends.inc({ outcome: 'sent' })
    return { wa_message_id: waMessageId, sent_at: Date.now() }
  } catch (error) {
    const failure =
      error instanceof SendError
        ? new CommandError(error.code, error.message)
        : new CommandError('send_failed', `the message could not be sent: ${messageOf(error)}`)
    metrics.sends.inc({ outcome: failure.code })
    throw failure
  }
}

const quotedOf = (q: NonNullable<SendCommand['quoted']>) => ({
  waMessageId: q.wa_message_id,
  fromMe: q.from_me,
  ...(q.participant && { participant: q.participant }),
  ...(q.text !== undefined && { text: q.text }),
})
