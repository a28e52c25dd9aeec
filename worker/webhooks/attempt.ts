// One delivery attempt: a signed POST of the event's body to the endpoint. Success is a 2xx
// within WEBHOOK_TIMEOUT_MS; a redirect is a failure (the endpoint should be updated, not
// followed). An attempt that timed out may still have reached the receiver: deliveries are
// at least once, and receivers de-duplicate by `webhook-id`.
import { parseRetryAfter } from './retry-schedule'
import { webhookHeaders } from './signing'

export const WEBHOOK_TIMEOUT_MS = 15_000
/** What the delivery log keeps of a response body. */
const SNIPPET_BYTES = 1024

export interface AttemptResult {
  ok: boolean
  httpStatus: number | null
  durationMs: number
  /** The first 1 KB of the response body. */
  responseSnippet: string | null
  error: string | null
  retryAfterMs: number | null
}

export interface AttemptRequest {
  url: string
  eventId: string
  body: string
  secrets: string[]
  /** Seconds, for `webhook-timestamp`. */
  timestampSec: number
  now: number
}

export async function attemptDelivery(request: AttemptRequest, fetcher: typeof fetch = fetch): Promise<AttemptResult> {
  const started = Date.now()
  const headers = await webhookHeaders(request.secrets, request.eventId, request.timestampSec, request.body)
  try {
    const response = await fetcher(request.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      headers: { 'content-type': 'application/json', 'user-agent': 'edge-whatsapp-api webhooks', ...headers },
      body: request.body,
    })
    const snippet = await readSnippet(response)
    const ok = response.status >= 200 && response.status <= 299
    const throttled = response.status === 429 || response.status === 503
    return {
      ok,
      httpStatus: response.status,
      durationMs: Date.now() - started,
      responseSnippet: snippet,
      error: ok ? null : response.status >= 300 && response.status < 400 ? 'redirects are not followed' : `HTTP ${response.status}`,
      retryAfterMs: throttled ? parseRetryAfter(response.headers.get('retry-after'), request.now) : null,
    }
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
    return {
      ok: false,
      httpStatus: null,
      durationMs: Date.now() - started,
      responseSnippet: null,
      error: timedOut ? `no answer within ${WEBHOOK_TIMEOUT_MS / 1000} s` : `could not connect: ${String(error).slice(0, 200)}`,
      retryAfterMs: null,
    }
  }
}

async function readSnippet(response: Response): Promise<string | null> {
  if (!response.body) return null
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < SNIPPET_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.length
    }
  } finally {
    await reader.cancel().catch(() => undefined)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return new TextDecoder().decode(bytes.subarray(0, SNIPPET_BYTES))
}
