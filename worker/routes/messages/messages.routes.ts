import { createRoute, z } from '@hono/zod-openapi'
import { anyScope, scoped } from '../../auth/scopes'
import { envelopeOf } from '../../lib/envelope'
import type { ErrorCode } from '../../lib/errors'
import { PUBLIC_AUTH_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi-helpers'
import {
  BatchIdParamSchema,
  BatchListQuerySchema,
  BatchListSchema,
  BatchSchema,
  BulkBodySchema,
  BulkResultSchema,
  MessageIdParamSchema,
  MessageListQuerySchema,
  MessageListSchema,
  MessageSchema,
  QuotaSchema,
  SendBodySchema,
  SendResultSchema,
} from './messages.schemas'

const tags = ['Messages']
const idempotencyHeader = {
  name: 'Idempotency-Key',
  in: 'header' as const,
  required: false,
  schema: { type: 'string' as const },
  description: 'Makes a retry return the first response for 24 h without sending or charging again',
}
const sendErrors: ErrorCode[] = [
  ...PUBLIC_AUTH_ERRORS,
  'invalid_json',
  'device_not_found',
  'device_not_ready',
  'invalid_phone_number',
  'message_too_long',
  'media_unavailable',
  'idempotency_conflict',
  'quota_exceeded',
  'rate_limited',
]

export const send = createRoute({
  operationId: 'sendMessage',
  method: 'post',
  path: '/send',
  tags,
  ...scoped('messages:send'),
  summary: 'Send one message; answers once WhatsApp took it (or schedules it with send_at)',
  parameters: [idempotencyHeader],
  request: { body: jsonBody(SendBodySchema) },
  responses: {
    200: jsonContent(envelopeOf(SendResultSchema), 'Sent'),
    202: jsonContent(envelopeOf(SendResultSchema), 'Scheduled (send_at): stored, and sent at its time'),
    ...errorResponses(...sendErrors),
  },
})

export const sendBulk = createRoute({
  operationId: 'sendBulkMessages',
  method: 'post',
  path: '/send-bulk',
  tags,
  ...scoped('messages:send'),
  summary: 'Queue up to 1,000 messages for paced delivery; all are validated and charged, or none',
  parameters: [idempotencyHeader],
  request: { body: jsonBody(BulkBodySchema) },
  responses: {
    202: jsonContent(envelopeOf(BulkResultSchema), 'Accepted: every message is durably queued'),
    ...errorResponses(...sendErrors),
  },
})

export const getMessage = createRoute({
  operationId: 'getMessage',
  method: 'get',
  path: '/messages/{message_id}',
  tags,
  ...scoped('messages:read'),
  summary: 'Status and timestamps of one message',
  request: { params: MessageIdParamSchema },
  responses: { 200: jsonContent(envelopeOf(MessageSchema), 'The message'), ...errorResponses(...PUBLIC_AUTH_ERRORS, 'not_found') },
})

export const getMessageMedia = createRoute({
  operationId: 'getMessageMedia',
  method: 'get',
  path: '/messages/{message_id}/media',
  tags,
  ...scoped('messages:read'),
  summary: "An inbound message's media (image, video, audio, document, sticker), with its content type",
  request: { params: MessageIdParamSchema },
  responses: {
    200: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } }, description: 'The file' },
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'not_found'),
  },
})

export const markMessageRead = createRoute({
  operationId: 'markMessageRead',
  method: 'post',
  path: '/messages/{message_id}/read',
  tags,
  ...scoped('messages:send'),
  summary: 'Mark a received message read on WhatsApp (its sender sees blue ticks)',
  request: { params: MessageIdParamSchema },
  responses: {
    200: jsonContent(envelopeOf(MessageSchema), 'The message, with read_at'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'not_found', 'device_not_ready'),
  },
})

export const cancelMessage = createRoute({
  operationId: 'cancelMessage',
  method: 'delete',
  path: '/messages/{message_id}',
  tags,
  ...scoped('messages:send'),
  summary: 'Cancel a scheduled or queued message: it is not sent, and its quota comes back',
  request: { params: MessageIdParamSchema },
  responses: {
    200: jsonContent(envelopeOf(MessageSchema), 'The message, now cancelled'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'not_found', 'message_not_cancellable'),
  },
})

export const listMessages = createRoute({
  operationId: 'listMessages',
  method: 'get',
  path: '/messages',
  tags,
  ...scoped('messages:read'),
  summary: 'Messages, newest first, filtered by device, status or batch; cursor pagination',
  request: { query: MessageListQuerySchema },
  responses: {
    200: jsonContent(envelopeOf(MessageListSchema), 'A page of messages; pass next_cursor as cursor for the next'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'device_not_found'),
  },
})

export const getBatch = createRoute({
  operationId: 'getBatch',
  method: 'get',
  path: '/batches/{batch_id}',
  tags,
  ...scoped('messages:read'),
  summary: 'Progress of one bulk request: total and counts by status',
  request: { params: BatchIdParamSchema },
  responses: { 200: jsonContent(envelopeOf(BatchSchema), 'The batch'), ...errorResponses(...PUBLIC_AUTH_ERRORS, 'not_found') },
})

export const listBatches = createRoute({
  operationId: 'listBatches',
  method: 'get',
  path: '/batches',
  tags,
  ...scoped('messages:read'),
  summary: 'Bulk requests, newest first, with their counts by status; cursor pagination',
  request: { query: BatchListQuerySchema },
  responses: {
    200: jsonContent(envelopeOf(BatchListSchema), 'A page of batches; pass next_cursor as cursor for the next'),
    ...errorResponses(...PUBLIC_AUTH_ERRORS, 'device_not_found'),
  },
})

export const getQuota = createRoute({
  operationId: 'getQuota',
  method: 'get',
  path: '/quota',
  tags: ['Quota'],
  ...anyScope,
  summary: "The company's monthly quota and usage",
  responses: { 200: jsonContent(envelopeOf(QuotaSchema), 'The quota'), ...errorResponses(...PUBLIC_AUTH_ERRORS) },
})
