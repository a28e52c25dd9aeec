// Sending one message on a live Baileys socket: check that a person is on WhatsApp, build
// Baileys' content from already-fetched media, upload the media, and send it under an id derived
// from ours.
//
// Decisions:
// - The WhatsApp id is derived from our message id (sha256, shaped like Baileys' own ids
//   `3EB0…`), not random: a send repeated after a node died mid-send reuses the same id, and
//   WhatsApp clients show a message id once. Our id itself is not used: its alphabet and
//   length are the worker's business, and WhatsApp ids are uppercase hex by convention.
// - `onWhatsApp` leaves unregistered numbers out of its answer (it never says exists:false).
//   The JID it answers with is the one sent to: for some countries (Brazil's extra 9) it
//   differs from the number as dialled.
// - Audio has no caption in WhatsApp. A caption given with audio is sent as a text message
//   right after it (id derived from ours + ":caption"); the send's id and receipts are the
//   audio's. If that text fails, the audio is still reported sent (it was), with a warning.
// - Audio goes as a plain audio file, not a voice note (ptt).
// - Media is not sent with `sendMessage`, which uploads and relays in one call (so an upload
//   failure would look like a failed send). We do its two steps ourselves: `generateWAMessage`
//   (encrypt and upload to WhatsApp's media servers, build the message) with the options
//   sendMessage would pass (less its URL-fetch and media-cache options, which only apply to URL
//   media: ours is a Buffer), then `relayMessage` under the same message id, so receipts carry
//   the id we return, then the own-message upsert sendMessage does after a relay
//   (`emitOwnEvents`, which our config leaves on). Text still goes through `sendMessage` (it
//   uploads nothing).
// - What each failure means for the recipient:
//   - before anything is handed over (the onWhatsApp check, building the content):
//     `not_on_whatsapp` / `send_failed`, certainly not sent;
//   - uploading the media: `media_unavailable`, certainly not sent (the upload goes to the media
//     servers, not to the recipient; nothing was relayed);
//   - `relayMessage` (media) or `sendMessage` (text): `outcome_unknown`. Baileys' relay timeout
//     or "Connection Closed" can come after the stanza was written to WhatsApp's socket, so the
//     message may have gone out and must not be retried (that would send it twice).
//   Only a short reason (the error's first line, cut, and its status code) is passed on, never
//   Baileys' whole error.
import { createHash } from 'node:crypto'
import { generateWAMessage, type AnyMessageContent, type proto, type WAMessage } from '@whiskeysockets/baileys'
import type { Logger } from 'pino'
import { SendError, type OutgoingMessage } from '../engine'
import type { BaileysLogger, BaileysSocket } from './socket'
import { messageOf } from '../../error-message'
import { MEDIA_UPLOAD_TIMEOUT_MS } from '../../../protocol/timing'

/** Media upload has no timeout in Baileys by default; a stuck upload must not hang a send. */
/** Positive `onWhatsApp` answers are kept this long, so a bulk send does not query every time. */
const KNOWN_TTL_MS = 60 * 60_000
const KNOWN_MAX = 5_000

/** `3EB0` + 18 hex digits, like Baileys' generateMessageIDV2, but the same for the same message id. */
export function waMessageIdFor(messageId: string): string {
  return `3EB0${createHash('sha256').update(`edge-wa:${messageId}`).digest('hex').toUpperCase().slice(0, 18)}`
}

/** What Baileys is asked to send, in order (audio with a caption is two messages). */
/**
 * A text message with no link preview: Baileys would otherwise fetch any URL in the text from
 * this node (around the media SSRF guard) as soon as `link-preview-js` is installed.
 */
const textContent = (text: string): AnyMessageContent => ({ text, linkPreview: null })

/** The message a reply quotes, as Baileys wants it: its key, and its text as the quoted preview. */
export function quotedMessage(chatId: string, message: OutgoingMessage): WAMessage | undefined {
  const q = message.quoted
  if (!q) return undefined
  return {
    key: { remoteJid: chatId, fromMe: q.fromMe, id: q.waMessageId, ...(q.participant && { participant: q.participant }) },
    message: { conversation: q.text ?? '' },
  }
}

export function buildContents(message: OutgoingMessage): AnyMessageContent[] {
  const text = message.text?.length ? message.text : undefined
  const media = message.media
  if (!media) {
    if (!text) throw new SendError('send_failed', 'a message needs text or media')
    return [textContent(text)]
  }
  const caption = text === undefined ? {} : { caption: text }
  switch (media.kind) {
    case 'image':
      return [{ image: media.data, mimetype: media.mimetype, ...caption }]
    case 'video':
      return [{ video: media.data, mimetype: media.mimetype, ...caption }]
    case 'audio':
      return text === undefined
        ? [{ audio: media.data, mimetype: media.mimetype }]
        : [{ audio: media.data, mimetype: media.mimetype }, textContent(text)]
    case 'document':
      return [{ document: media.data, mimetype: media.mimetype, fileName: media.fileName ?? 'file', ...caption }]
  }
}

const MEDIA_KEYS = ['image', 'video', 'audio', 'document'] as const

const hasMedia = (content: AnyMessageContent) => MEDIA_KEYS.some((key) => key in content)

export class Sender {
  /** Phone JID → the JID WhatsApp answered with, and until when that is trusted. */
  private readonly known = new Map<string, { jid: string; until: number }>()

  /**
   * @param log this engine's log
   * @param baileysLog the logger the socket was built with: Baileys' media code logs to it, as
   *   it would inside `sendMessage`
   */
  constructor(
    private readonly log: Logger,
    private readonly baileysLog?: BaileysLogger,
  ) {}

  async send(socket: BaileysSocket, message: OutgoingMessage): Promise<{ waMessageId: string }> {
    const contents = buildContents(message)
    const chatId = message.chatId.endsWith('@s.whatsapp.net') ? await this.registeredJid(socket, message.chatId) : message.chatId
    const waMessageId = waMessageIdFor(message.messageId)
    const quoted = quotedMessage(chatId, message)
    let sentId: string | undefined
    for (const [index, content] of contents.entries()) {
      const messageId = index === 0 ? waMessageId : waMessageIdFor(`${message.messageId}:caption`)
      try {
        const id = await this.sendOne(socket, chatId, content, {
          messageId,
          ourId: message.messageId,
          ...(index === 0 && quoted && { quoted }),
        })
        if (index === 0) sentId = id
      } catch (error) {
        if (index > 0) {
          this.log.warn({ err: error, messageId: message.messageId }, 'the caption of an audio message could not be sent')
          continue
        }
        // Thrown before anything was relayed (the media upload): certainly not sent.
        if (error instanceof SendError) throw error
        this.log.warn(
          { err: error, messageId: message.messageId },
          'sending failed after the message was handed to WhatsApp; it may have been sent',
        )
        throw new SendError(
          'outcome_unknown',
          `the message was handed to WhatsApp and then the send failed (${shortReason(error)}); it may have been sent`,
        )
      }
    }
    return { waMessageId: sentId ?? waMessageId }
  }

  /**
   * Sends one content under `messageId` and answers the id WhatsApp has it under. Rejects with a
   * SendError only when nothing was handed to WhatsApp; any other rejection came from the relay.
   */
  private async sendOne(
    socket: BaileysSocket,
    chatId: string,
    content: AnyMessageContent,
    { messageId, ourId, quoted }: { messageId: string; ourId: string; quoted?: WAMessage },
  ): Promise<string> {
    if (!hasMedia(content)) {
      const sent = await socket.sendMessage(chatId, content, {
        messageId,
        mediaUploadTimeoutMs: MEDIA_UPLOAD_TIMEOUT_MS,
        ...(quoted && { quoted }),
      })
      return sent?.key.id ?? messageId
    }
    const prepared = await this.uploadMedia(socket, chatId, content, messageId, ourId, quoted)
    // Under the id the message was built with (what receipts will carry); the options are what
    // sendMessage passes for a plain (not edit, delete, poll…) message.
    await socket.relayMessage(chatId, prepared.message, { messageId: prepared.id, additionalAttributes: {}, additionalNodes: [] })
    this.emitOwnMessage(socket, prepared.full)
    return prepared.id
  }

  /** Uploads the media and builds the message, as `sendMessage` does before it relays. */
  private async uploadMedia(
    socket: BaileysSocket,
    chatId: string,
    content: AnyMessageContent,
    messageId: string,
    ourId: string,
    quoted?: WAMessage,
  ): Promise<{ id: string; message: proto.IMessage; full: WAMessage }> {
    const userJid = socket.authState.creds.me?.id
    if (!userJid) throw new SendError('not_ready', 'the device is not linked')
    try {
      const prepared = await generateWAMessage(chatId, content, {
        ...(this.baileysLog && { logger: this.baileysLog }),
        userJid,
        upload: socket.waUploadToServer,
        messageId,
        mediaUploadTimeoutMs: MEDIA_UPLOAD_TIMEOUT_MS,
        ...(quoted && { quoted }),
      })
      if (!prepared.message) throw new Error('Baileys built an empty message')
      return { id: prepared.key.id ?? messageId, message: prepared.message, full: prepared }
    } catch (error) {
      this.log.warn({ err: error, messageId: ourId }, 'uploading the media to WhatsApp failed; nothing was sent')
      throw new SendError('media_unavailable', `the media could not be uploaded to WhatsApp (${shortReason(error)}); nothing was sent`)
    }
  }

  /** sendMessage's `emitOwnEvents` step: the sent message as a `messages.upsert` (append), after the relay. */
  private emitOwnMessage(socket: BaileysSocket, sent: WAMessage): void {
    process.nextTick(() => {
      socket.messageMutex
        .mutex(() => socket.upsertMessage(sent, 'append'))
        .catch((error: unknown) => this.log.debug({ err: error }, 'emitting the sent message failed'))
    })
  }

  private async registeredJid(socket: BaileysSocket, jid: string): Promise<string> {
    const cached = this.known.get(jid)
    if (cached && cached.until > Date.now()) return cached.jid
    const digits = jid.split('@')[0] ?? ''
    let answer: { jid: string; exists: boolean }[] | undefined
    try {
      answer = await socket.onWhatsApp(digits)
    } catch (error) {
      throw new SendError('send_failed', `could not check whether +${digits} is on WhatsApp: ${shortReason(error)}`)
    }
    const found = answer?.find((entry) => entry.exists)
    if (!found) throw new SendError('not_on_whatsapp', `+${digits} is not on WhatsApp`)
    const registered = found.jid.endsWith('@s.whatsapp.net') ? found.jid : jid
    if (this.known.size >= KNOWN_MAX) this.known.delete(this.known.keys().next().value as string)
    this.known.set(jid, { jid: registered, until: Date.now() + KNOWN_TTL_MS })
    return registered
  }
}

const MAX_REASON_CHARS = 80

/** A few words about a Baileys error: its first line, cut short, and a Boom status code when it has one. */
export function shortReason(error: unknown): string {
  const firstLine = (messageOf(error).split('\n')[0] ?? '').trim()
  const text = firstLine.length > MAX_REASON_CHARS ? `${firstLine.slice(0, MAX_REASON_CHARS - 1)}…` : firstLine || 'unknown error'
  const status = (error as { output?: { statusCode?: unknown } } | null)?.output?.statusCode
  return typeof status === 'number' ? `${text}, ${status}` : text
}
