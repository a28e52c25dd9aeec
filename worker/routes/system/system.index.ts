import { createRoute, z } from '@hono/zod-openapi'
import { createRouter } from '../../lib/create-router'
import { envelopeOf } from '../../lib/envelope'
import { jsonContent } from '../../lib/openapi-helpers'

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['System'],
  summary: 'Liveness probe (no authentication, touches no storage)',
  responses: { 200: jsonContent(envelopeOf(z.object({ status: z.literal('ok') })), 'The worker is up') },
})

export const systemRouter = createRouter().openapi(health, (c) => c.json({ success: true as const, data: { status: 'ok' as const } }, 200))
