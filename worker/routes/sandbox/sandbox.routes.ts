import { createRoute, z } from '@hono/zod-openapi'
import { scoped } from '../../auth/scopes'
import { INBOUND_KINDS } from '../../../protocol/inbound'
import { envelopeOf } from '../../lib/envelope'
import { IdParamSchema, PUBLIC_AUTH_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi-helpers'

export const SimulateInboundSchema = z
  .object({
    from: z.string().min(6).max(20).openapi({ description: 'The simulated contact, E.164', example: '+22370111111' }),
    text: z.string().max(4096).nullable().optional(),
    media_url: z.string().url().max(2048).nullable().optional().openapi({ description: 'A file the contact sends (fetched by the node)' }),
    group_id: z
      .string()
      .regex(/^[0-9-]{5,64}@g\.us$/)
      .nullable()
      .optional()
      .openapi({ description: 'Write in this group instead of a 1:1 chat' }),
    reply_to: z
      .string()
      .max(128)
      .nullable()
      .optional()
      .openapi({ description: 'A message id of ours (or a WhatsApp id): the message replied to, reacted to, edited or deleted' }),
    kind: z.enum(INBOUND_KINDS).default('message'),
    emoji: z.string().max(32).nullable().optional().openapi({ description: 'For a reaction (👍 by default)' }),
  })
  .strict()
  .openapi('SimulateInbound')

export const simulateInbound = createRoute({
  operationId: 'simulateInboundMessage',
  method: 'post',
  path: '/sandbox/devices/{id}/inbound',
  tags: ['Sandbox'],
  ...scoped('messages:send'),
  summary: 'Simulator only: a simulated contact writes to the device, reacts, edits or deletes',
  request: { params: IdParamSchema, body: jsonBody(SimulateInboundSchema) },
  responses: {
    202: jsonContent(envelopeOf(z.object({ wa_message_id: z.string() })), 'The contact did it; the message arrives as message.received'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'device_not_found', 'device_not_ready', 'invalid_phone_number', 'invalid_json'),
  },
})
