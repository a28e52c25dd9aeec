import { createRoute } from '@hono/zod-openapi'
import { scoped } from '../../auth/scopes'
import { envelopeOf } from '../../lib/envelope'
import { PUBLIC_AUTH_ERRORS, errorResponses, jsonContent } from '../../lib/openapi-helpers'
import { EventPageSchema, EventQuerySchema } from './events.schemas'

export const listEvents = createRoute({
  operationId: 'listEvents',
  method: 'get',
  path: '/events',
  tags: ['Events'],
  ...scoped('messages:read'),
  summary: "The company's event feed, oldest first: catch up on anything a webhook missed (kept 30 days)",
  request: { query: EventQuerySchema },
  responses: {
    200: jsonContent(envelopeOf(EventPageSchema), 'One page of events'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'device_not_found'),
  },
})
