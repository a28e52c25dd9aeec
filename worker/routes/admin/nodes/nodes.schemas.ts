import { z } from '@hono/zod-openapi'
import { DEFAULT_NODE_MAX_CAPACITY } from '../../../db/schema'
import { isoTimestamp, patchBody } from '../../../lib/openapi-helpers'

const maxCapacity = z.number().int().min(1).max(100_000)

export const SessionNodeSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    status: z.enum(['online', 'offline']),
    devices: z.number().int().openapi({ description: 'Sessions the node holds now' }),
    capacity: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Sessions the node accepts (its declared NODE_CAPACITY, at most max_capacity); null until it connects' }),
    max_capacity: maxCapacity.openapi({
      description: `The most sessions the fleet gives this node, whatever it declares (default ${DEFAULT_NODE_MAX_CAPACITY})`,
    }),
    last_seen_at: isoTimestamp.nullable(),
    is_active: z.boolean(),
    drained: z.boolean().openapi({ description: 'Drained: nothing is placed on it until undrained (its devices were moved off)' }),
    version: z.string().nullable().openapi({ description: 'The software version the node reported in its hello' }),
    protocol: z.number().int().nullable().openapi({ description: 'The session protocol the node speaks' }),
    created_at: isoTimestamp,
  })
  .openapi('SessionNode')

export const IssuedSessionNodeSchema = SessionNodeSchema.extend({
  token: z.string().openapi({ description: 'NODE_TOKEN for this node. Shown once: store it now.' }),
}).openapi('IssuedSessionNode')

export const UpdatedSessionNodeSchema = SessionNodeSchema.extend({
  token: z.string().optional().openapi({ description: 'Only when a revoked node was activated again: its new NODE_TOKEN. Shown once.' }),
}).openapi('UpdatedSessionNode')

export const CreateSessionNodeSchema = z.object({ name: z.string().trim().min(1).max(200), max_capacity: maxCapacity.optional() }).strict()

export const UpdateSessionNodeSchema = patchBody(
  z.object({
    name: z.string().trim().min(1).max(200).optional(),
    max_capacity: maxCapacity.optional().openapi({ description: 'Applies when the node next connects' }),
    is_active: z.boolean().optional().openapi({
      description: 'false revokes the token for good (disconnected, devices move at once); true on a revoked node issues a new one',
    }),
  }),
)
