import { createRoute, z } from '@hono/zod-openapi'
import { createRouter } from '../../lib/create-router'
import { envelopeOf } from '../../lib/envelope'
import { errorResponses, jsonContent } from '../../lib/openapi-helpers'

const health = createRoute({
  operationId: 'getHealth',
  method: 'get',
  path: '/health',
  tags: ['System'],
  security: [],
  summary: 'Liveness probe (no authentication, touches no storage)',
  responses: { 200: jsonContent(envelopeOf(z.object({ status: z.literal('ok') })), 'The worker is up'), ...errorResponses() },
})

export const systemRouter = createRouter().openapi(health, (c) => c.json({ success: true as const, data: { status: 'ok' as const } }, 200))
