import { z } from '@hono/zod-openapi'
import { MESSAGE_DIRECTIONS, MESSAGE_TYPES, VISIBLE_MESSAGE_STATUSES } from '../../durable-objects/device/message-kinds'
import { isoTimestamp } from '../../lib/openapi-helpers'
import { MAX_BULK_MESSAGES, MAX_RECIPIENT } from '../../messaging/outgoing'

// Lenient where existing clients differ (a device id sent as "3"), strict where it matters.
const deviceIdField = z
  .union([
    z.number().int().positive(),
    z
      .string()
      .regex(/^\d{1,15}$/)
      .transform(Number),
  ])
  .nullish()
  .transform((value) => value ?? undefined)
  .openapi({ type: 'integer', description: "The sending device; the company's default when omitted" })

const outgoing = {
  recipient: z
    .string()
    .min(1)
    .max(MAX_RECIPIENT)
    .openapi({ example: '+22370123456', description: 'E.164 phone number, or a group id with is_group' }),
  message: z.string().nullable().optional().openapi({ description: 'Text (≤ 4096), or the caption (≤ 1024) when media_url is set' }),
  media_url: z
    .string()
    .nullable()
    .optional()
    .openapi({ example: 'https://example.com/invoice.pdf', description: 'Public http(s) URL of an image, video, audio or document' }),
  is_group: z
    .boolean()
    .nullish()
    .transform((value) => value ?? false),
  reply_to: z
    .string()
    .max(64)
    .nullish()
    .openapi({ description: 'Quote this message (a message_id of the sending device, inbound or outbound): a WhatsApp reply' }),
  send_at: z.iso.datetime({ offset: true }).nullish().openapi({
    example: '2026-12-03T09:00:00+01:00',
    description: 'Send it at this time (up to 30 days ahead) instead of now: the answer is 202 `scheduled`, the quota reserved now',
  }),
}

export const SendBodySchema = z
  .object({ ...outgoing, device_id: deviceIdField })
  .openapi('SendMessage', { example: { recipient: '+22370123456', message: 'Your order #1001 has shipped', device_id: 1 } })

export const BulkBodySchema = z
  .object({
    messages: z.array(z.object(outgoing)).min(1).max(MAX_BULK_MESSAGES),
    device_id: deviceIdField,
  })
  .openapi('SendBulk', {
    example: {
      device_id: 1,
      messages: [
        { recipient: '+22370123456', message: 'Hello Awa, your appointment is tomorrow at 9' },
        { recipient: '+22370123457', message: 'Our new flyer', media_url: 'https://example.com/flyer.png' },
      ],
    },
  })

export const QuotaSchema = z
  .object({
    limit: z.number().int().nullable().openapi({ description: 'Messages per calendar month (UTC); null is unlimited' }),
    used: z.number().int(),
    remaining: z.number().int().nullable(),
    period: z.string().openapi({ example: '2026-11' }),
    resets_at: isoTimestamp,
  })
  .openapi('Quota')

const MessageStatusSchema = z.enum(VISIBLE_MESSAGE_STATUSES).openapi('MessageStatus')

export const SendResultSchema = z
  .object({
    message_id: z.string().openapi({ example: 'msg_1_Ab3dEf6hIj9kLm2nOp5q' }),
    chat_id: z.string().openapi({ example: '22370123456@s.whatsapp.net' }),
    device_id: z.number().int(),
    status: MessageStatusSchema,
    send_at: isoTimestamp.nullable().openapi({ description: 'Scheduled: when it will be sent' }),
    quota: QuotaSchema,
  })
  .openapi('SendResult')

export const BulkResultSchema = z
  .object({
    batch_id: z.string(),
    device_id: z.number().int(),
    total: z.number().int(),
    messages: z.array(
      z.object({
        index: z.number().int(),
        message_id: z.string(),
        recipient: z.string(),
        status: MessageStatusSchema,
        send_at: isoTimestamp.nullable(),
      }),
    ),
    quota: QuotaSchema,
  })
  .openapi('BulkResult')

const SenderSchema = z
  .object({
    jid: z.string().openapi({ description: 'The WhatsApp id that wrote it: `…@s.whatsapp.net` or `…@lid`' }),
    lid: z.string().nullable().openapi({ description: "The sender's LID (`…@lid`), when WhatsApp told it" }),
    phone: z.string().nullable().openapi({ description: 'E.164; null when WhatsApp did not tell (see docs/events.md)' }),
    push_name: z.string().nullable().openapi({ description: 'The name the sender set in WhatsApp' }),
  })
  .openapi('Sender')

export const MessageSchema = z
  .object({
    message_id: z.string(),
    direction: z.enum(MESSAGE_DIRECTIONS).openapi({ description: '`outbound`: sent through this API; `inbound`: received by the device' }),
    status: MessageStatusSchema,
    type: z.enum(MESSAGE_TYPES),
    recipient: z.string().openapi({ description: 'Outbound: who it was sent to. Inbound: the sender (phone, else JID)' }),
    chat_id: z.string(),
    is_group: z.boolean(),
    text: z.string().nullable().openapi({ description: 'The text, or the caption of media' }),
    device_id: z.number().int(),
    batch_id: z.string().nullable(),
    wa_message_id: z.string().nullable().openapi({ description: "WhatsApp's id of the message, once it has one" }),
    error: z.string().nullable().openapi({ description: 'Why it failed: not_on_whatsapp, media_unavailable, interrupted, …' }),
    sender: SenderSchema.nullable().openapi({ description: 'Inbound: who wrote it' }),
    participant: z.string().nullable().openapi({ description: 'Inbound, in a group: the member who wrote it' }),
    reply_to: z
      .object({ wa_message_id: z.string(), message_id: z.string().nullable() })
      .nullable()
      .openapi({ description: 'Inbound: the message it quotes (message_id when this device has it)' }),
    media: z
      .object({
        mimetype: z.string(),
        file_name: z.string().nullable(),
        size: z.number().int().nullable(),
        url: z.string().nullable().openapi({ description: 'Where to download it (with your API key); null when it could not be stored' }),
        error: z.string().nullable(),
      })
      .nullable(),
    location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().nullable() }).nullable(),
    contact: z.object({ display_name: z.string(), vcard: z.string() }).nullable(),
    reaction: z
      .object({ emoji: z.string(), wa_message_id: z.string().nullable(), message_id: z.string().nullable() })
      .nullable()
      .openapi({ description: 'A reaction: its emoji (empty when taken back) and the message reacted to' }),
    created_at: isoTimestamp,
    received_at: isoTimestamp.nullable(),
    sent_at: isoTimestamp.nullable(),
    delivered_at: isoTimestamp.nullable(),
    read_at: isoTimestamp.nullable(),
    failed_at: isoTimestamp.nullable(),
    send_at: isoTimestamp.nullable().openapi({ description: 'Scheduled: when it is (or was) to be sent' }),
    cancelled_at: isoTimestamp.nullable(),
    edited_at: isoTimestamp.nullable(),
    deleted_at: isoTimestamp.nullable(),
  })
  .openapi('Message')
export type MessageView = z.infer<typeof MessageSchema>

export const MessageListSchema = z.object({ messages: z.array(MessageSchema), next_cursor: z.string().nullable() }).openapi('MessageList')

export const MessageListQuerySchema = z.object({
  device_id: z.coerce.number().int().positive().optional(),
  direction: z.enum(MESSAGE_DIRECTIONS).optional(),
  chat_id: z.string().min(3).max(128).optional(),
  status: MessageStatusSchema.optional(),
  batch_id: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
})

export const BatchSchema = z
  .object({
    batch_id: z.string(),
    device_id: z.number().int(),
    total: z.number().int(),
    counts: z.object({
      scheduled: z.number().int(),
      queued: z.number().int(),
      sent: z.number().int(),
      delivered: z.number().int(),
      read: z.number().int(),
      failed: z.number().int(),
      cancelled: z.number().int(),
    }),
    created_at: isoTimestamp,
  })
  .openapi('Batch')

export const BatchListQuerySchema = z.object({
  device_id: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
})

export const BatchListSchema = z.object({ batches: z.array(BatchSchema), next_cursor: z.string().nullable() }).openapi('BatchList')

export const MessageIdParamSchema = z.object({
  message_id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'message_id', in: 'path' }, example: 'msg_1_Ab3dEf6hIj9kLm2nOp5q' }),
})
export const BatchIdParamSchema = z.object({
  batch_id: z
    .string()
    .max(64)
    .openapi({ param: { name: 'batch_id', in: 'path' } }),
})
