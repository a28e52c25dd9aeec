import { createRoute, z } from '@hono/zod-openapi'
import { envelopeOf } from '../../../lib/envelope'
import { errorResponses, jsonBody, jsonContent } from '../../../lib/openapi-helpers'
import { CreateSessionNodeSchema, IssuedSessionNodeSchema, SessionNodeSchema } from './nodes.schemas'

const tags = ['Admin: session nodes']
const security = [{ AdminToken: [] }]

export const registerNode = createRoute({
  method: 'post',
  path: '/nodes',
  tags,
  security,
  summary: 'Register a session node (its token is returned once)',
  request: { body: jsonBody(CreateSessionNodeSchema) },
  responses: {
    201: jsonContent(envelopeOf(IssuedSessionNodeSchema), 'The node, with its NODE_TOKEN in `token`'),
    ...errorResponses('unauthorized', 'invalid_json'),
  },
})

export const listNodes = createRoute({
  method: 'get',
  path: '/nodes',
  tags,
  security,
  summary: 'List session nodes with their live status and load',
  responses: {
    200: jsonContent(envelopeOf(z.array(SessionNodeSchema)), 'The nodes, oldest first'),
    ...errorResponses('unauthorized'),
  },
})
