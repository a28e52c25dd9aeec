// What a linked phone receives, as a node tells its DeviceDO: one `inbound` frame per WhatsApp
// message (acknowledged, and resent after a reconnect until it is), already normalised by the
// engine. `kind` says what it does: a new message, a reaction to one, an edit or a deletion of
// one (`target` is then the WhatsApp id of the message concerned). Media never travels in the
// frame: the node uploads it first (an authenticated HTTP PUT) and says so in `media.stored`.
import { z } from 'zod'

export const INBOUND_KINDS = ['message', 'reaction', 'edit', 'delete'] as const
export const INBOUND_TYPES = ['text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contact', 'reaction'] as const
export type InboundType = (typeof INBOUND_TYPES)[number]

const jid = z.string().min(3).max(128)
const waId = z.string().min(1).max(128)

export const InboundMessage = z.object({
  wa_message_id: waId,
  kind: z.enum(INBOUND_KINDS),
  type: z.enum(INBOUND_TYPES),
  /** The chat: the sender's JID in a 1:1 chat, the group's in a group. */
  chat_id: jid,
  is_group: z.boolean(),
  /** Who wrote it. `phone` is E.164, or null when WhatsApp did not tell (a LID with no known number). */
  sender: z.object({
    jid,
    lid: jid.nullable(),
    phone: z
      .string()
      .regex(/^\+\d{6,15}$/)
      .nullable(),
    push_name: z.string().max(256).nullable(),
  }),
  /** In a group, the member who wrote it (the same as sender.jid). */
  participant: jid.nullable().default(null),
  /** The text, or a media message's caption, or an edit's new text. */
  text: z.string().max(65_536).nullable().default(null),
  /** The WhatsApp id of the message this one quotes (a reply). */
  reply_to: waId.nullable().default(null),
  /** For a reaction, an edit or a deletion: the WhatsApp id of the message concerned. */
  target: waId.nullable().default(null),
  /** A reaction's emoji; empty when the reaction was taken back. */
  emoji: z.string().max(32).nullable().default(null),
  /** When WhatsApp says it was sent (ms). */
  at: z.number().int(),
  media: z
    .object({
      mimetype: z.string().max(255),
      file_name: z.string().max(255).nullable().default(null),
      size: z.number().int().nonnegative().nullable().default(null),
      /** The node uploaded it (GET /messages/{id}/media serves it); false with `error` when it could not. */
      stored: z.boolean(),
      error: z.string().max(300).nullable().default(null),
    })
    .nullable()
    .default(null),
  location: z
    .object({ latitude: z.number(), longitude: z.number(), name: z.string().max(512).nullable().default(null) })
    .nullable()
    .default(null),
  contact: z
    .object({ display_name: z.string().max(512), vcard: z.string().max(65_536) })
    .nullable()
    .default(null),
})
export type InboundMessage = z.infer<typeof InboundMessage>
export type InboundMessageInput = z.input<typeof InboundMessage>

/** What a simulated contact does (the sandbox route), sent by DeviceDO to a simulator node. */
export const SimulateInbound = z.object({
  from: z.string().regex(/^\d{6,15}$/),
  text: z.string().max(4096).nullable().default(null),
  media_url: z.string().url().max(2048).nullable().default(null),
  group_id: z
    .string()
    .regex(/^[0-9-]{5,64}@g\.us$/)
    .nullable()
    .default(null),
  reply_to: waId.nullable().default(null),
  kind: z.enum(INBOUND_KINDS).default('message'),
  /** For a reaction: the emoji (👍 by default). */
  emoji: z.string().max(32).nullable().default(null),
})
export type SimulateInbound = z.infer<typeof SimulateInbound>
