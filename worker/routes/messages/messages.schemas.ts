import { z } from '@hono/zod-openapi'
import { MESSAGE_TYPES, VISIBLE_MESSAGE_STATUSES } from '../../durable-objects/device/message-kinds'
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
}

export const SendBodySchema = z.object({ ...outgoing, device_id: deviceIdField }).openapi('SendMessage')

export const BulkBodySchema = z
  .object({
    messages: z.array(z.object(outgoing)).min(1).max(MAX_BULK_MESSAGES),
    device_id: deviceIdField,
  })
  .openapi('SendBulk')

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
    quota: QuotaSchema,
  })
  .openapi('SendResult')

export const BulkResultSchema = z
  .object({
    batch_id: z.string(),
    device_id: z.number().int(),
    total: z.number().int(),
    messages: z.array(z.object({ index: z.number().int(), message_id: z.string(), recipient: z.string(), status: MessageStatusSchema })),
    quota: QuotaSchema,
  })
  .openapi('BulkResult')

export const MessageSchema = z
  .object({
    message_id: z.string(),
    status: MessageStatusSchema,
    type: z.enum(MESSAGE_TYPES),
    recipient: z.string(),
    chat_id: z.string(),
    device_id: z.number().int(),
    batch_id: z.string().nullable(),
    error: z.string().nullable().openapi({ description: 'Why it failed: not_on_whatsapp, media_unavailable, interrupted, …' }),
    created_at: isoTimestamp,
    sent_at: isoTimestamp.nullable(),
    delivered_at: isoTimestamp.nullable(),
    read_at: isoTimestamp.nullable(),
    failed_at: isoTimestamp.nullable(),
  })
  .openapi('Message')
export type MessageView = z.infer<typeof MessageSchema>

export const MessageListSchema = z.object({ messages: z.array(MessageSchema), next_cursor: z.string().nullable() }).openapi('MessageList')

export const MessageListQuerySchema = z.object({
  device_id: z.coerce.number().int().positive().optional(),
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
      queued: z.number().int(),
      sent: z.number().int(),
      delivered: z.number().int(),
      read: z.number().int(),
      failed: z.number().int(),
    }),
    created_at: isoTimestamp,
  })
  .openapi('Batch')

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
