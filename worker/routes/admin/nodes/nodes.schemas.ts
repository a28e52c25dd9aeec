import { z } from '@hono/zod-openapi'
import { isoTimestamp, patchBody } from '../../../lib/openapi-helpers'

export const SessionNodeSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    status: z.enum(['online', 'offline']),
    devices: z.number().int().openapi({ description: 'Sessions the node holds now' }),
    capacity: z.number().int().nullable().openapi({ description: 'Sessions the node accepts; null until it connects' }),
    last_seen_at: isoTimestamp.nullable(),
    is_active: z.boolean(),
    created_at: isoTimestamp,
  })
  .openapi('SessionNode')

export const IssuedSessionNodeSchema = SessionNodeSchema.extend({
  token: z.string().openapi({ description: 'NODE_TOKEN for this node. Shown once: store it now.' }),
}).openapi('IssuedSessionNode')

export const UpdatedSessionNodeSchema = SessionNodeSchema.extend({
  token: z.string().optional().openapi({ description: 'Only when a revoked node was activated again: its new NODE_TOKEN. Shown once.' }),
}).openapi('UpdatedSessionNode')

export const CreateSessionNodeSchema = z.object({ name: z.string().trim().min(1).max(200) }).strict()

export const UpdateSessionNodeSchema = patchBody(
  z.object({
    name: z.string().trim().min(1).max(200).optional(),
    is_active: z.boolean().optional().openapi({
      description: 'false revokes the token for good (disconnected, devices move at once); true on a revoked node issues a new one',
    }),
  }),
)
