import { z } from '@hono/zod-openapi'
import type { WebhookEndpoint } from '../../db/schema'
import { EVENT_TYPES } from '../../events/event-types'
import { DELIVERY_STATUSES } from '../../webhooks/delivery-statuses'
import { isoTimestamp, patchBody } from '../../lib/openapi-helpers'
import { iso } from '../../lib/time'

/** Endpoints one company may have. */
export const MAX_WEBHOOKS = 10

const eventTypes = z
  .array(z.enum(['*', ...EVENT_TYPES]))
  .min(1)
  .max(EVENT_TYPES.length + 1)
  .openapi({ description: 'Event types to receive (exact names), or `["*"]` for all', example: ['message.received', 'message.read'] })

const webhookFields = {
  url: z
    .string()
    .max(2048)
    .openapi({ description: 'Where events are POSTed: https:// and a public host', example: 'https://example.com/hooks/wa' }),
  event_types: eventTypes,
  device_ids: z
    .array(z.number().int().positive())
    .min(1)
    .max(50)
    .nullable()
    .openapi({ description: "Only events of these devices; null (the default) for all the company's devices" }),
  description: z.string().trim().max(500).nullable(),
  is_active: z.boolean(),
}

export const CreateWebhookSchema = z
  .object({
    url: webhookFields.url,
    event_types: webhookFields.event_types,
    device_ids: webhookFields.device_ids.optional(),
    description: webhookFields.description.optional(),
    is_active: webhookFields.is_active.optional(),
  })
  .strict()
  .openapi('CreateWebhook', {
    example: { url: 'https://example.com/hooks/whatsapp', event_types: ['message.received', 'message.read', 'device.status'] },
  })

export const UpdateWebhookSchema = patchBody(z.object(webhookFields).partial()).openapi('UpdateWebhook')

export const WebhookSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    description: z.string().nullable(),
    event_types: z.array(z.string()),
    device_ids: z.array(z.number().int()).nullable(),
    is_active: z.boolean(),
    disabled_reason: z.string().nullable().openapi({ description: 'Why deliveries stopped on their own (a 410, 5 days of failures)' }),
    created_at: isoTimestamp,
    updated_at: isoTimestamp,
  })
  .openapi('Webhook')

export const CreatedWebhookSchema = WebhookSchema.extend({
  secret: z.string().openapi({ description: 'The signing secret (`whsec_…`). Shown once: store it now.' }),
}).openapi('CreatedWebhook')

export const RotatedSecretSchema = z
  .object({
    secret: z.string().openapi({ description: 'The new signing secret. Shown once.' }),
    previous_secret_expires_at: isoTimestamp.openapi({ description: 'Until then deliveries carry both signatures' }),
  })
  .openapi('RotatedSecret')

export const toWebhookJson = (w: WebhookEndpoint): z.infer<typeof WebhookSchema> => ({
  id: w.id,
  url: w.url,
  description: w.description,
  event_types: w.eventTypes,
  device_ids: w.deviceIds ?? null,
  is_active: w.isActive,
  disabled_reason: w.disabledReason,
  created_at: iso(w.createdAt)!,
  updated_at: iso(w.updatedAt)!,
})

const deliveryFields = {
  delivery_id: z.string(),
  event_id: z.string().openapi({ description: 'Also the `webhook-id` header: the same across retries and replays' }),
  event_type: z.string(),
  device_id: z.number().int().nullable(),
  status: z.enum(DELIVERY_STATUSES),
  origin: z.enum(['live', 'test', 'replay']),
  replay_id: z.string().nullable(),
  attempts: z.number().int(),
  next_attempt_at: isoTimestamp.nullable(),
  last_http_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
}

export const DeliverySchema = z.object(deliveryFields).openapi('WebhookDelivery')

export const DeliveryDetailSchema = z
  .object({
    ...deliveryFields,
    event: z.record(z.string(), z.unknown()).openapi({ description: 'The event exactly as delivered' }),
    attempt_log: z.array(
      z.object({
        attempt: z.number().int(),
        started_at: isoTimestamp,
        duration_ms: z.number().int(),
        http_status: z.number().int().nullable(),
        response_snippet: z.string().nullable().openapi({ description: 'The first 1 KB of the response body' }),
        error: z.string().nullable(),
      }),
    ),
  })
  .openapi('WebhookDeliveryDetail')

export const DeliveryListSchema = z
  .object({ deliveries: z.array(DeliverySchema), next_cursor: z.string().nullable() })
  .openapi('WebhookDeliveryList')

export const DeliveryListQuerySchema = z.object({
  status: z.enum(DELIVERY_STATUSES).optional(),
  event_type: z.enum(EVENT_TYPES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
})

export const DeliveryParamSchema = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' }, type: 'integer' }),
  delivery_id: z
    .string()
    .regex(/^dlv_[0-9a-z]{26}$/, 'is not a delivery id')
    .openapi({ param: { name: 'delivery_id', in: 'path' } }),
})

export const ReplaySchema = z
  .object({
    since: z.iso.datetime({ offset: true }).openapi({ description: 'Re-send events that happened at or after this time' }),
    until: z.iso.datetime({ offset: true }).optional().openapi({ description: 'and before this one (now by default)' }),
    event_types: z.array(z.enum(EVENT_TYPES)).min(1).optional().openapi({ description: 'Only these types (of those the endpoint takes)' }),
  })
  .strict()
  .openapi('WebhookReplay')

export const ReplayResultSchema = z
  .object({ replay_id: z.string(), events: z.number().int().openapi({ description: 'Events queued for delivery again' }) })
  .openapi('WebhookReplayResult')

export const TestResultSchema = z.object({ event_id: z.string(), queued: z.boolean() }).openapi('WebhookTestResult')
