import { z } from '@hono/zod-openapi'
import { EVENT_TYPES, isEventType } from '../../events/event-types'
import { isoTimestamp } from '../../lib/openapi-helpers'

export const EventSchema = z
  .object({
    id: z.string().openapi({ description: 'Derived from what happened: the same event always has the same id', example: 'evt_4k2m…' }),
    type: z.enum(EVENT_TYPES),
    created_at: isoTimestamp,
    device_id: z.number().int().nullable(),
    sequence: z.number().int().openapi({ description: 'Grows by one per event of the device' }),
    data: z.record(z.string(), z.any()).openapi({ description: 'The whole current state of what changed (a message, a status, a batch)' }),
  })
  .openapi('Event')

export const EventPageSchema = z
  .object({
    events: z.array(EventSchema),
    has_more: z.boolean().openapi({ description: 'More events follow: ask again with `after` = the last id of this page' }),
  })
  .openapi('EventPage')

export const EventQuerySchema = z.object({
  after: z
    .string()
    .regex(/^evt_[0-9a-z]{26}$/, 'is not an event id')
    .optional()
    .openapi({ description: 'The id of the last event you have; the feed starts from the oldest kept without it' }),
  type: z
    .string()
    .max(400)
    .optional()
    .refine((value) => value === undefined || value.split(',').every((t) => isEventType(t.trim())), 'must be event types, comma-separated')
    .openapi({ description: 'Only these event types, comma-separated' }),
  device_id: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
})
