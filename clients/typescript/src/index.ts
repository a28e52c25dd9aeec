// The Edge WhatsApp API client: the typed fetch client generated from the OpenAPI document
// (openapi-fetch over src/generated/schema.d.ts, made by `npm run client:generate`), plus the
// few things generation cannot give: unwrapping the envelope into data or a typed error,
// Idempotency-Key values, iterating cursor pages, and verifying webhook signatures.
import createFetchClient, { type Client } from 'openapi-fetch'
import { Webhook } from 'standardwebhooks'
import type { components, paths } from './generated/schema'

export type { components, paths, webhooks } from './generated/schema'
export type Schemas = components['schemas']
export type EdgeWhatsAppClient = Client<paths>

export interface ClientOptions {
  /** Where the worker runs, without a path: `https://whatsapp-api.your-company.net`. */
  baseUrl: string
  /** `X-API-Key` sent with every request. */
  apiKey: string
  fetch?: typeof fetch
}

export function createClient(options: ClientOptions): EdgeWhatsAppClient {
  return createFetchClient<paths>({
    baseUrl: options.baseUrl,
    headers: { 'X-API-Key': options.apiKey },
    ...(options.fetch && { fetch: options.fetch }),
  })
}

/** A failure as the API reports it: its code from the error table, HTTP status and details. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly details: unknown,
  ) {
    super(`${code}: ${message}`)
    this.name = 'ApiError'
  }
}

type Envelope<D> = { success: boolean; data?: D; error?: { code: string; message: string; details?: unknown } }

/** The `data` of a call's envelope, or its error thrown as an ApiError. */
export async function unwrap<D>(call: Promise<{ data?: Envelope<D>; error?: unknown; response: Response }>): Promise<D> {
  const { data, error, response } = await call
  const envelope = (data ?? error) as Envelope<D> | undefined
  if (envelope?.success && envelope.data !== undefined) return envelope.data
  const failure = envelope?.error ?? { code: 'unexpected_response', message: `HTTP ${response.status}` }
  throw new ApiError(failure.code, failure.message, response.status, failure.details)
}

/** A fresh Idempotency-Key: keep it with the request you may retry, and retry with the same one. */
export const idempotencyKey = (): string => crypto.randomUUID()

/** The header parameter for a retry-safe send: `{ params: { header: idempotent(key) } }`. */
export const idempotent = (key: string = idempotencyKey()) => ({ 'Idempotency-Key': key })

/**
 * Every item of a cursor-paginated list, page after page, newest first: `load` fetches one page
 * (the cursor is undefined for the first) and says which items it holds.
 */
export async function* cursorPages<T>(
  load: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>,
): AsyncGenerator<T> {
  let cursor: string | undefined
  do {
    const page = await load(cursor)
    yield* page.items
    cursor = page.next_cursor ?? undefined
  } while (cursor !== undefined)
}

type MessageQuery = NonNullable<paths['/api/whatsapp/messages']['get']['parameters']['query']>

/** Every message matching `query` (device, status, batch, direction, chat), all pages. */
export function eachMessage(client: EdgeWhatsAppClient, query: Omit<MessageQuery, 'cursor'> = {}): AsyncGenerator<Schemas['Message']> {
  return cursorPages(async (cursor) => {
    const page = await unwrap(client.GET('/api/whatsapp/messages', { params: { query: { ...query, ...(cursor && { cursor }) } } }))
    return { items: page.messages, next_cursor: page.next_cursor }
  })
}

/** Every bulk request (of one device, or all), newest first, all pages. */
export function eachBatch(client: EdgeWhatsAppClient, query: { device_id?: number } = {}): AsyncGenerator<Schemas['Batch']> {
  return cursorPages(async (cursor) => {
    const page = await unwrap(client.GET('/api/whatsapp/batches', { params: { query: { ...query, ...(cursor && { cursor }) } } }))
    return { items: page.batches, next_cursor: page.next_cursor }
  })
}

/** One event as every webhook delivery carries it. */
export interface WebhookEvent {
  id: string
  type: string
  created_at: string
  device_id: number | null
  sequence: number
  data: Record<string, unknown>
}

/**
 * Checks a delivery's Standard Webhooks signature with the endpoint's secret (`whsec_…`) and
 * returns its event; throws when the signature, the id or the timestamp (5 minutes) is wrong.
 * Pass the raw body, exactly as received.
 */
export function verifyWebhook(secret: string, rawBody: string, headers: Headers | Record<string, string>): WebhookEvent {
  const plain = headers instanceof Headers ? Object.fromEntries(headers.entries()) : headers
  return new Webhook(secret).verify(rawBody, plain) as WebhookEvent
}
