// What the linked phone receives, from Baileys' `messages.upsert` (TECH-FACTS-EVENTS §3):
// - both `notify` (live) and `append` (messages WhatsApp queued while the socket was down):
//   dropping `append` loses real messages. History sync is `messaging-history.set`, not imported.
// - inbound is `key.fromMe === false`; our own sends (and what the owner types on the phone)
//   are fromMe and skipped.
// - undecryptable stubs (CIPHERTEXT, no content) are skipped: the phone resends the message
//   later under the same id.
// - each WhatsApp id is reported once (a bounded memory of ids; DeviceDO de-duplicates too).
// - reactions, edits and deletions are taken from the upsert of their own message only, never
//   from the `messages.update` / `messages.reaction` Baileys derives from it (that would be twice).
// - the sender's phone comes from the key's `remoteJidAlt` / `participantAlt`, else from the
//   LID mapping of the auth state; null when neither knows (a LID WhatsApp sent no number for).
// Media is downloaded only when the session asks (InboundEvent.download); on a CDN 404/410 the
// phone is asked to upload it again (Baileys' own retry never fires: its error has no `.status`).
import {
  downloadMediaMessage,
  getContentType,
  jidNormalizedUser,
  normalizeMessageContent,
  proto,
  type WAMessage,
  type WAMessageKey,
} from '@whiskeysockets/baileys'
import type { Logger } from 'pino'
import type { InboundMessageInput } from '../../../protocol/inbound'
import type { InboundEvent } from '../engine'
import type { BaileysSocket } from './socket'

const REMEMBERED_IDS = 5_000
const Protocol = proto.Message.ProtocolMessage.Type

export type MediaDownloader = (message: WAMessage, socket: BaileysSocket) => Promise<Buffer>

/** Baileys' download, and once more after asking the phone to re-upload when the CDN lost the file. */
export const downloadWithReupload: MediaDownloader = async (message, socket) => {
  try {
    return await downloadMediaMessage(message, 'buffer', {})
  } catch (error) {
    const status = (error as { output?: { statusCode?: number } }).output?.statusCode
    if (status !== 404 && status !== 410) throw error
    return downloadMediaMessage(await socket.updateMediaMessage(message), 'buffer', {})
  }
}

const phoneOf = (jid: string | null | undefined): string | null => {
  if (!jid?.endsWith('@s.whatsapp.net')) return null
  const digits = jidNormalizedUser(jid).split('@')[0] ?? ''
  return /^\d{6,15}$/.test(digits) ? `+${digits}` : null
}

const seconds = (value: WAMessage['messageTimestamp']): number => {
  const n = typeof value === 'number' ? value : value ? Number(value.toString()) : 0
  return n > 0 ? n * 1000 : Date.now()
}

export class InboundReader {
  private readonly seen = new Set<string>()
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly emit: (event: InboundEvent) => void,
    private readonly logger: Logger,
    private readonly download: MediaDownloader = downloadWithReupload,
  ) {}

  onUpsert(socket: BaileysSocket, upsert: { messages: WAMessage[]; type: 'notify' | 'append' }): void {
    for (const message of upsert.messages) {
      // In order: the sender's LID lookup is asynchronous.
      this.chain = this.chain
        .then(() => this.read(socket, message))
        .catch((error: unknown) => this.logger.warn({ err: error, id: message.key?.id }, 'an inbound message could not be read'))
    }
  }

  private async read(socket: BaileysSocket, message: WAMessage): Promise<void> {
    const key = message.key
    if (!key?.id || key.fromMe !== false || !key.remoteJid || key.remoteJid === 'status@broadcast') return
    if (!message.message || message.messageStubType === proto.WebMessageInfo.StubType.CIPHERTEXT) return
    if (this.seen.has(key.id)) return
    const content = this.contentOf(message)
    if (!content) return
    this.remember(key.id)
    const event: InboundEvent = { message: { ...(await this.identity(socket, key, message)), ...content } }
    if (content.media) event.download = () => this.download(message, socket)
    this.emit(event)
  }

  private remember(id: string): void {
    this.seen.add(id)
    if (this.seen.size > REMEMBERED_IDS) this.seen.delete(this.seen.values().next().value as string)
  }

  private async identity(socket: BaileysSocket, key: WAMessageKey, message: WAMessage) {
    const chat = key.remoteJid!
    const isGroup = chat.endsWith('@g.us')
    const jid = (isGroup ? key.participant : chat) ?? chat
    const alt = (isGroup ? key.participantAlt : key.remoteJidAlt) ?? null
    const lid = [jid, alt].find((j) => j?.endsWith('@lid')) ?? null
    let phone = phoneOf([jid, alt].find((j) => j?.endsWith('@s.whatsapp.net')))
    if (phone === null && lid !== null) phone = phoneOf(await socket.signalRepository.lidMapping.getPNForLID(lid).catch(() => null))
    return {
      wa_message_id: key.id!,
      chat_id: chat,
      is_group: isGroup,
      sender: { jid, lid, phone, push_name: message.pushName ?? null },
      participant: isGroup ? jid : null,
      at: seconds(message.messageTimestamp),
    }
  }

  /** What the message is, or null for kinds this API does not carry (polls, calls, system messages). */
  private contentOf(message: WAMessage): Omit<InboundMessageInput, 'wa_message_id' | 'chat_id' | 'is_group' | 'sender' | 'at'> | null {
    const content = normalizeMessageContent(message.message)
    const type = getContentType(content)
    if (!content || !type) return null
    const replyTo = (content[type] as { contextInfo?: proto.IContextInfo } | null)?.contextInfo?.stanzaId ?? null
    switch (type) {
      case 'conversation':
        return { kind: 'message', type: 'text', text: content.conversation ?? '' }
      case 'extendedTextMessage':
        return { kind: 'message', type: 'text', text: content.extendedTextMessage?.text ?? '', reply_to: replyTo }
      case 'imageMessage':
      case 'videoMessage':
      case 'audioMessage':
      case 'documentMessage':
      case 'stickerMessage': {
        const media = content[type] as proto.Message.IDocumentMessage
        return {
          kind: 'message',
          type: type.replace('Message', '') as 'image' | 'video' | 'audio' | 'document' | 'sticker',
          text: media.caption ?? null,
          reply_to: replyTo,
          media: {
            mimetype: media.mimetype ?? 'application/octet-stream',
            file_name: media.fileName ?? null,
            size: Number(media.fileLength ?? 0) || null,
            stored: false,
          },
        }
      }
      case 'locationMessage': {
        const l = content.locationMessage!
        return {
          kind: 'message',
          type: 'location',
          location: { latitude: l.degreesLatitude ?? 0, longitude: l.degreesLongitude ?? 0, name: l.name ?? null },
        }
      }
      case 'contactMessage':
        return {
          kind: 'message',
          type: 'contact',
          contact: { display_name: content.contactMessage?.displayName ?? '', vcard: content.contactMessage?.vcard ?? '' },
        }
      case 'reactionMessage': {
        const reaction = content.reactionMessage!
        return { kind: 'reaction', type: 'reaction', target: reaction.key?.id ?? null, emoji: reaction.text ?? '' }
      }
      case 'protocolMessage': {
        const protocol = content.protocolMessage!
        const target = protocol.key?.id ?? null
        if (protocol.type === Protocol.REVOKE) return { kind: 'delete', type: 'text', target }
        if (protocol.type === Protocol.MESSAGE_EDIT) {
          const edited = normalizeMessageContent(protocol.editedMessage)
          const text =
            edited?.conversation ??
            edited?.extendedTextMessage?.text ??
            edited?.imageMessage?.caption ??
            edited?.videoMessage?.caption ??
            null
          return { kind: 'edit', type: 'text', target, text }
        }
        return null
      }
      default:
        return null
    }
  }
}
