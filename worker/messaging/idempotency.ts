// `Idempotency-Key`: a retry of a send or bulk request returns the first response (same ids)
// for 24 h without sending or charging again; the same key with another body is a conflict.
import type { Context } from 'hono'
import type { AppEnv } from '../lib/app-env'
import { sha256Hex } from '../lib/crypto'
import { errorBody } from '../lib/envelope'
import { ApiError } from '../lib/errors'
import { companyOf } from '../durable-objects/stubs'

const KEY = /^[\x21-\x7e]{1,255}$/

/**
 * Stores the answer for replay. If that fails the answer still goes out (the work is done);
 * the key stays "in progress" until it expires, so a retry meanwhile is refused, not re-sent.
 */
async function remember(company: ReturnType<typeof companyOf>, record: { key: string; fingerprint: string; status: number; body: string }) {
  try {
    await company.idempotencyComplete(record)
  } catch (error) {
    console.error(JSON.stringify({ msg: 'idempotency record not completed', key: record.key, error: String(error) }))
  }
}

/**
 * Responses worth replaying: success and final client errors. Anything retryable is forgotten,
 * except a send whose outcome is unknown: retrying that could send the message twice.
 */
const isFinal = (status: number, details?: unknown) =>
  (status < 500 && status !== 429 && status !== 409) ||
  (typeof details === 'object' && details !== null && (details as { outcome?: unknown }).outcome === 'unknown')

/**
 * Runs `handle` once per Idempotency-Key. Without the header it just runs it. The handler's
 * response (status and JSON body) is what a retry gets back, byte for byte.
 */
export async function withIdempotency(c: Context<AppEnv>, body: unknown, handle: () => Promise<Response>): Promise<Response> {
  const key = c.req.header('Idempotency-Key')
  if (key === undefined) return handle()
  if (!KEY.test(key)) {
    throw new ApiError('validation_error', 'Idempotency-Key must be 1-255 visible ASCII characters', [
      { field: 'Idempotency-Key', message: 'invalid' },
    ])
  }
  const fingerprint = await sha256Hex(`${c.req.method} ${new URL(c.req.url).pathname} ${JSON.stringify(body)}`)
  const company = companyOf(c.env, c.get('caller').company.id)
  const begun = await company.idempotencyBegin({ key, fingerprint })
  if (begun.state === 'replay') {
    return new Response(begun.body, {
      status: begun.status,
      headers: { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true', 'X-Request-Id': c.get('requestId') },
    })
  }
  if (begun.state === 'conflict') {
    throw new ApiError('idempotency_conflict', 'This Idempotency-Key was already used with a different request body')
  }
  if (begun.state === 'in_progress') {
    throw new ApiError('idempotency_conflict', 'A request with this Idempotency-Key is still in progress; retry later')
  }
  let response: Response
  try {
    response = await handle()
  } catch (error) {
    // An ApiError is a response too: final client errors are remembered like successes.
    if (error instanceof ApiError && isFinal(error.status, error.details)) {
      await remember(company, {
        key,
        fingerprint,
        status: error.status,
        body: JSON.stringify(errorBody(error.code, error.message, error.details)),
      })
    } else {
      // Nothing irreversible happened: the handlers turn a failure after a send into an
      // `outcome: "unknown"` ApiError, which is remembered above.
      await company.idempotencyAbandon({ key }).catch(() => undefined)
    }
    throw error
  }
  if (isFinal(response.status)) await remember(company, { key, fingerprint, status: response.status, body: await response.clone().text() })
  else await company.idempotencyAbandon({ key }).catch(() => undefined)
  return response
}
