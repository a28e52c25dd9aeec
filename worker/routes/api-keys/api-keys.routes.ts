import { createRoute, z } from '@hono/zod-openapi'
import { scoped } from '../../auth/scopes'
import { envelopeOf } from '../../lib/envelope'
import { IdParamSchema, PUBLIC_AUTH_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi-helpers'
import { ApiKeySchema, IssuedApiKeySchema } from '../admin/api-keys/api-keys.schemas'
import { OwnApiKeyBodySchema } from './api-keys.schemas'

const tags = ['API keys']

export const listOwnApiKeys = createRoute({
  operationId: 'listApiKeys',
  method: 'get',
  path: '/api-keys',
  tags,
  ...scoped('keys:manage'),
  summary: "List the company's API keys (prefixes, scopes and last use; never a secret)",
  responses: {
    200: jsonContent(envelopeOf(z.array(ApiKeySchema)), 'The keys, oldest first'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS),
  },
})

export const createOwnApiKey = createRoute({
  operationId: 'createApiKey',
  method: 'post',
  path: '/api-keys',
  tags,
  ...scoped('keys:manage'),
  summary: 'Create an API key, at most as powerful as the key creating it (the secret is returned once)',
  request: { body: jsonBody(OwnApiKeyBodySchema) },
  responses: {
    201: jsonContent(envelopeOf(IssuedApiKeySchema), 'The new key, with its secret in `key`: store it now'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'invalid_json'),
  },
})

export const revokeOwnApiKey = createRoute({
  operationId: 'revokeApiKey',
  method: 'delete',
  path: '/api-keys/{id}',
  tags,
  ...scoped('keys:manage'),
  summary: 'Revoke an API key of the company (one no more powerful than the calling key)',
  request: { params: IdParamSchema },
  responses: {
    200: jsonContent(envelopeOf(ApiKeySchema), 'The key, revoked'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'api_key_not_found'),
  },
})
