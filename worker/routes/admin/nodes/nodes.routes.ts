import { createRoute, z } from '@hono/zod-openapi'
import { envelopeOf } from '../../../lib/envelope'
import { ADMIN_AUTH_ERRORS, IdParamSchema, errorResponses, jsonBody, jsonContent } from '../../../lib/openapi-helpers'
import {
  CreateSessionNodeSchema,
  IssuedSessionNodeSchema,
  SessionNodeSchema,
  UpdatedSessionNodeSchema,
  UpdateSessionNodeSchema,
} from './nodes.schemas'

const tags = ['Admin: session nodes']
const security = [{ AdminToken: [] }]

export const registerNode = createRoute({
  operationId: 'registerNode',
  method: 'post',
  path: '/nodes',
  tags,
  security,
  summary: 'Register a session node (its token is returned once)',
  request: { body: jsonBody(CreateSessionNodeSchema) },
  responses: {
    201: jsonContent(envelopeOf(IssuedSessionNodeSchema), 'The node, with its NODE_TOKEN in `token`'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'invalid_json'),
  },
})

export const listNodes = createRoute({
  operationId: 'listNodes',
  method: 'get',
  path: '/nodes',
  tags,
  security,
  summary: 'List session nodes with their live status and load',
  responses: {
    200: jsonContent(envelopeOf(z.array(SessionNodeSchema)), 'The nodes, oldest first'),
    ...errorResponses(...ADMIN_AUTH_ERRORS),
  },
})

export const updateNode = createRoute({
  operationId: 'updateNode',
  method: 'patch',
  path: '/nodes/{id}',
  tags,
  security,
  summary:
    'Rename a node, revoke its token for good (`is_active: false`: it is disconnected, its devices move at once), ' +
    'or activate it again with a new token (`is_active: true`)',
  request: { params: IdParamSchema, body: jsonBody(UpdateSessionNodeSchema) },
  responses: {
    200: jsonContent(envelopeOf(UpdatedSessionNodeSchema), 'The node (with a new `token` when a revoked node was activated again)'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'node_not_found', 'invalid_json'),
  },
})

const drainRoute = (action: 'drain' | 'undrain') =>
  createRoute({
    operationId: action === 'drain' ? 'drainNode' : 'undrainNode',
    method: 'post',
    path: `/nodes/{id}/${action}`,
    tags,
    security,
    summary:
      action === 'drain'
        ? 'Move every device off a node now (no rescan, no grace period) and place nothing new on it: before maintenance'
        : 'Let a drained node take devices again',
    request: { params: IdParamSchema },
    responses: {
      200: jsonContent(envelopeOf(SessionNodeSchema), 'The node'),
      ...errorResponses(...ADMIN_AUTH_ERRORS, 'node_not_found'),
    },
  })

export const drainNode = drainRoute('drain')
export const undrainNode = drainRoute('undrain')
