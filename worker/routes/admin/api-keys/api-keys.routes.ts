import { createRoute, z } from '@hono/zod-openapi'
import { envelopeOf } from '../../../lib/envelope'
import { ADMIN_AUTH_ERRORS, IdParamSchema, errorResponses, jsonBody, jsonContent } from '../../../lib/openapi-helpers'
import { ApiKeySchema, CreateApiKeySchema, IssuedApiKeySchema, UpdateApiKeySchema } from './api-keys.schemas'

const tags = ['Admin: API keys']
const security = [{ AdminToken: [] }]

export const createApiKey = createRoute({
  operationId: 'createCompanyApiKey',
  method: 'post',
  path: '/companies/{id}/api-keys',
  tags,
  security,
  summary: 'Issue an API key (the plaintext is returned once)',
  request: { params: IdParamSchema, body: jsonBody(CreateApiKeySchema) },
  responses: {
    201: jsonContent(envelopeOf(IssuedApiKeySchema), 'The new key, with its plaintext in `key`'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'company_not_found', 'invalid_json'),
  },
})

export const listApiKeys = createRoute({
  operationId: 'listCompanyApiKeys',
  method: 'get',
  path: '/companies/{id}/api-keys',
  tags,
  security,
  summary: "List a company's API keys (prefixes only)",
  request: { params: IdParamSchema },
  responses: {
    200: jsonContent(envelopeOf(z.array(ApiKeySchema)), 'The keys, oldest first'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'company_not_found'),
  },
})

export const updateApiKey = createRoute({
  operationId: 'updateCompanyApiKey',
  method: 'patch',
  path: '/api-keys/{id}',
  tags,
  security,
  summary: 'Activate, deactivate or change the expiry of a key',
  request: { params: IdParamSchema, body: jsonBody(UpdateApiKeySchema) },
  responses: {
    200: jsonContent(envelopeOf(ApiKeySchema), 'The updated key'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'api_key_not_found', 'invalid_json'),
  },
})

export const revokeApiKey = createRoute({
  operationId: 'revokeCompanyApiKey',
  method: 'delete',
  path: '/api-keys/{id}',
  tags,
  security,
  summary: 'Revoke a key for good',
  request: { params: IdParamSchema },
  responses: {
    200: jsonContent(envelopeOf(ApiKeySchema), 'The revoked key'),
    ...errorResponses(...ADMIN_AUTH_ERRORS, 'api_key_not_found'),
  },
})
