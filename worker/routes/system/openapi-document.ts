// The OpenAPI document's frame: servers, license and contact, what each tag is about (public
// tags first, the admin ones apart), and the webhook payloads (the 3.1 `webhooks` section),
// one per event type, each the envelope every delivery carries.
import { z, type OpenAPIHono } from '@hono/zod-openapi'
import { EVENT_TYPES, type EventType } from '../../events/event-types'
import type { AppEnv } from '../../lib/app-env'
import { isoTimestamp } from '../../lib/openapi-helpers'
import { BatchSchema, MessageSchema } from '../messages/messages.schemas'
import { addCodeSamples } from './code-samples'

export const TAGS = [
  {
    name: 'Devices',
    description: 'WhatsApp accounts linked to the API, by QR code or pairing code: their live status and why they are down.',
  },
  { name: 'Messages', description: 'Send one message, queue up to 1,000, schedule or cancel them; read what was sent and received.' },
  { name: 'Contacts', description: 'Which numbers have WhatsApp, before you send.' },
  { name: 'Quota', description: "The company's monthly quota and per-day usage." },
  { name: 'Webhooks', description: 'Endpoints that receive every event, signed (Standard Webhooks), retried, logged and replayable.' },
  { name: 'Events', description: 'The same events as a pull feed, to catch up from any point.' },
  { name: 'API keys', description: 'Keys the company manages itself (`keys:manage`), never more powerful than the key creating them.' },
  { name: 'Sandbox', description: 'The simulator engine: make a simulated contact write to a device.' },
  { name: 'System', description: 'Liveness of the worker.' },
  {
    name: 'Admin: companies',
    description: 'Operator API (`Authorization: Bearer <ADMIN_TOKEN>`): companies and their dashboard login links.',
  },
  { name: 'Admin: API keys', description: 'Operator API: every company key.' },
  { name: 'Admin: session nodes', description: 'Operator API: the session nodes that run the WhatsApp sockets.' },
]

const DeviceStatusDataSchema = z.object({
  device_id: z.number().int(),
  status: z.enum(['pending', 'qr_ready', 'authenticated', 'disconnected', 'error', 'logged_out']),
  reason: z.string().nullable(),
  phone_number: z.string().nullable(),
  previous_status: z.string(),
})

const dataOf = (type: EventType): z.ZodType => {
  if (type.startsWith('message.')) return MessageSchema
  if (type === 'batch.completed') return BatchSchema
  if (type === 'device.status') return DeviceStatusDataSchema
  return z.object({ webhook_id: z.number().int(), message: z.string() })
}

const SIGNATURE_HEADERS = [
  { name: 'webhook-id', description: 'The event id: the same across retries and replays (deduplicate on it)' },
  { name: 'webhook-timestamp', description: 'Unix seconds when this attempt was signed' },
  { name: 'webhook-signature', description: '`v1,<base64 HMAC-SHA256>` of `id.timestamp.body` with the endpoint secret (`whsec_…`)' },
]

export function describeDocument(app: OpenAPIHono<AppEnv>): void {
  for (const type of EVENT_TYPES) {
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `on${type.replace(/(^|\.)(\w)/g, (_, __, c: string) => c.toUpperCase())}`,
      tags: ['Webhooks'],
      // Posted by us to the endpoint: it authenticates us by the signature, not by a key.
      security: [],
      summary: `The \`${type}\` event, posted to every endpoint subscribed to it`,
      parameters: SIGNATURE_HEADERS.map((h) => ({
        name: h.name,
        in: 'header' as const,
        required: true,
        description: h.description,
        schema: { type: 'string' as const },
      })),
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z.object({
                id: z.string().openapi({ example: 'evt_6v3q2kx0a1b2c3d4e5f6g7h8j9' }),
                type: z.literal(type),
                created_at: isoTimestamp,
                device_id: z.number().int().nullable(),
                sequence: z.number().int().openapi({ description: 'Grows by one per event of the device' }),
                data: dataOf(type),
              }),
            },
          },
        },
      },
      responses: {
        200: { description: 'Any 2xx acknowledges the delivery' },
        410: { description: 'Gone: the endpoint is disabled and nothing more is sent' },
      },
    })
  }
}

export const DOCUMENT_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'Edge WhatsApp API',
    version: '1.0.0',
    description:
      'Send and receive WhatsApp messages through your own linked accounts. Authenticate with the `X-API-Key` header; every answer is an ' +
      'envelope `{success, data}` or `{success: false, error: {code, message, details}}`.',
    // Placeholders for the operator's own deployment, like the production server below.
    license: { name: 'Proprietary', url: 'https://api.example.com/terms' },
    contact: { name: 'API support', email: 'support@example.com', url: 'https://api.example.com/api/docs' },
  },
  servers: [
    {
      url: 'https://{host}',
      description: 'Your deployment of the worker',
      variables: { host: { default: 'whatsapp-api.your-company.net', description: 'The host the worker is deployed on' } },
    },
    { url: 'http://127.0.0.1:8000', description: 'Local (npm run dev)' },
  ],
  tags: TAGS,
}

/** The document the worker serves: the routes' own, framed, with code samples and tag groups (made once per isolate). */
let built: Record<string, unknown> | undefined
export function openApiDocument(app: OpenAPIHono<AppEnv>): Record<string, unknown> {
  if (built) return built
  const document = app.getOpenAPI31Document(DOCUMENT_INFO) as unknown as Record<string, unknown>
  const admin = TAGS.filter((t) => t.name.startsWith('Admin')).map((t) => t.name)
  document['x-tagGroups'] = [
    { name: 'WhatsApp API', tags: TAGS.map((t) => t.name).filter((name) => !admin.includes(name)) },
    { name: 'Admin API', tags: admin },
  ]
  built = addCodeSamples(document)
  return built
}
