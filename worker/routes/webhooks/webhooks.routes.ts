import { createRoute, z } from '@hono/zod-openapi'
import { scoped } from '../../auth/scopes'
import { envelopeOf } from '../../lib/envelope'
import type { ErrorCode } from '../../lib/errors'
import { IdParamSchema, PUBLIC_AUTH_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi-helpers'
import {
  CreateWebhookSchema,
  CreatedWebhookSchema,
  DeliveryDetailSchema,
  DeliveryListQuerySchema,
  DeliveryListSchema,
  DeliveryParamSchema,
  DeliverySchema,
  ReplayResultSchema,
  ReplaySchema,
  RotatedSecretSchema,
  TestResultSchema,
  UpdateWebhookSchema,
  WebhookSchema,
} from './webhooks.schemas'

const tags = ['Webhooks']
const webhookErrors: ErrorCode[] = [...PUBLIC_AUTH_ERRORS, 'webhook_not_found']

export const listWebhooks = createRoute({
  operationId: 'listWebhooks',
  method: 'get',
  path: '/webhooks',
  tags,
  ...scoped('webhooks:manage'),
  summary: "List the company's webhook endpoints",
  responses: {
    200: jsonContent(envelopeOf(z.array(WebhookSchema)), 'The endpoints, oldest first'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS),
  },
})

export const createWebhook = createRoute({
  operationId: 'createWebhook',
  method: 'post',
  path: '/webhooks',
  tags,
  ...scoped('webhooks:manage'),
  summary: 'Add a webhook endpoint (at most 10); its signing secret is returned once',
  request: { body: jsonBody(CreateWebhookSchema) },
  responses: {
    201: jsonContent(envelopeOf(CreatedWebhookSchema), 'The endpoint, with its secret'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'invalid_json', 'webhook_limit_reached'),
  },
})

export const getWebhook = createRoute({
  operationId: 'getWebhook',
  method: 'get',
  path: '/webhooks/{id}',
  tags,
  ...scoped('webhooks:manage'),
  summary: 'Get one webhook endpoint',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(envelopeOf(WebhookSchema), 'The endpoint'), ...errorResponses(...webhookErrors) },
})

export const updateWebhook = createRoute({
  operationId: 'updateWebhook',
  method: 'patch',
  path: '/webhooks/{id}',
  tags,
  ...scoped('webhooks:manage'),
  summary: 'Change an endpoint: URL, event types, devices, description, or turn it off and on',
  request: { params: IdParamSchema, body: jsonBody(UpdateWebhookSchema) },
  responses: { 200: jsonContent(envelopeOf(WebhookSchema), 'The endpoint'), ...errorResponses(...webhookErrors, 'invalid_json') },
})

export const deleteWebhook = createRoute({
  operationId: 'deleteWebhook',
  method: 'delete',
  path: '/webhooks/{id}',
  tags,
  ...scoped('webhooks:manage'),
  summary: 'Delete an endpoint and its delivery log',
  request: { params: IdParamSchema },
  responses: {
    200: jsonContent(envelopeOf(z.object({ id: z.number().int(), deleted: z.literal(true) })), 'The endpoint is gone'),
    ...errorResponses(...webhookErrors),
  },
})

export const rotateSecret = createRoute({
  operationId: 'rotateWebhookSecret',
  method: 'post',
  path: '/webhooks/{id}/rotate-secret',
  tags,
  ...scoped('webhooks:manage'),
  summary: 'A new signing secret (returned once); the old one keeps signing for 24 h',
  request: { params: IdParamSchema },
  responses: { 200: jsonContent(envelopeOf(RotatedSecretSchema), 'The new secret'), ...errorResponses(...webhookErrors) },
})

export const testWebhook = createRoute({
  operationId: 'sendWebhookTest',
  method: 'post',
  path: '/webhooks/{id}/test',
  tags,
  ...scoped('webhooks:manage'),
  summary: 'Send a `webhook.test` event to this endpoint',
  request: { params: IdParamSchema },
  responses: { 202: jsonContent(envelopeOf(TestResultSchema), 'Queued for delivery'), ...errorResponses(...webhookErrors) },
})

export const listDeliveries = createRoute({
  operationId: 'listWebhookDeliveries',
  method: 'get',
  path: '/webhooks/{id}/deliveries',
  tags,
  ...scoped('webhooks:manage'),
  summary: "The endpoint's delivery log, newest first",
  request: { params: IdParamSchema, query: DeliveryListQuerySchema },
  responses: { 200: jsonContent(envelopeOf(DeliveryListSchema), 'One page of deliveries'), ...errorResponses(...webhookErrors) },
})

export const getDelivery = createRoute({
  operationId: 'getWebhookDelivery',
  method: 'get',
  path: '/webhooks/{id}/deliveries/{delivery_id}',
  tags,
  ...scoped('webhooks:manage'),
  summary: 'One delivery with every attempt (time, duration, HTTP status, first 1 KB of the response, error)',
  request: { params: DeliveryParamSchema },
  responses: { 200: jsonContent(envelopeOf(DeliveryDetailSchema), 'The delivery'), ...errorResponses(...webhookErrors, 'not_found') },
})

export const retryDelivery = createRoute({
  operationId: 'retryWebhookDelivery',
  method: 'post',
  path: '/webhooks/{id}/deliveries/{delivery_id}/retry',
  tags,
  ...scoped('webhooks:manage'),
  summary: 'Try a delivery again now',
  request: { params: DeliveryParamSchema },
  responses: {
    200: jsonContent(envelopeOf(DeliverySchema), 'The delivery after the attempt'),
    ...errorResponses(...webhookErrors, 'not_found'),
  },
})

export const replayWebhook = createRoute({
  operationId: 'replayWebhookEvents',
  method: 'post',
  path: '/webhooks/{id}/replay',
  tags,
  ...scoped('webhooks:manage'),
  summary: 'Send the events of a time range again, with the same ids and bodies',
  request: { params: IdParamSchema, body: jsonBody(ReplaySchema) },
  responses: {
    202: jsonContent(envelopeOf(ReplayResultSchema), 'Queued for delivery'),
    ...errorResponses(...webhookErrors, 'invalid_json'),
  },
})
