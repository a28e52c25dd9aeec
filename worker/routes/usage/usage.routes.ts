import { createRoute } from '@hono/zod-openapi'
import { scoped } from '../../auth/scopes'
import { envelopeOf } from '../../lib/envelope'
import { PUBLIC_AUTH_ERRORS, errorResponses, jsonContent } from '../../lib/openapi-helpers'
import { UsageQuerySchema, UsageSchema } from './usage.schemas'

export const getUsage = createRoute({
  operationId: 'getUsage',
  method: 'get',
  path: '/usage',
  tags: ['Quota'],
  ...scoped('messages:read'),
  summary: 'Messages per UTC day: sent, delivered, read, failed and received, for the company or one device',
  description:
    'Each count is of what happened that day: a message sent on the 1st and read on the 2nd counts as sent on the 1st ' +
    'and read on the 2nd. At most 366 days per request.',
  request: { query: UsageQuerySchema },
  responses: {
    200: jsonContent(envelopeOf(UsageSchema), 'The usage, day by day'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'device_not_found'),
  },
})
