// Requests the worker makes to its own API on behalf of a signed-in dashboard user. The caller
// stays in this isolate's memory, keyed by a random nonce the request carries in a header for as
// long as it runs (the API's middleware may rebuild the Request object, headers survive). A
// request from outside cannot name a caller: it would have to guess a live 122-bit nonce.
import type { Caller } from '../lib/app-env'

export const INTERNAL_CALLER_HEADER = 'X-Dash-Caller'
const callers = new Map<string, Caller | 'admin'>()

/** Runs `send` with `request` marked as made by `caller`; the mark ends with it. */
export async function asCaller(
  request: Request,
  caller: Caller | 'admin',
  send: (request: Request) => Promise<Response>,
): Promise<Response> {
  const nonce = crypto.randomUUID()
  const marked = new Request(request, { headers: new Headers(request.headers) })
  marked.headers.set(INTERNAL_CALLER_HEADER, nonce)
  callers.set(nonce, caller)
  try {
    return await send(marked)
  } finally {
    callers.delete(nonce)
  }
}

export const internalCallerOf = (request: Request): Caller | 'admin' | undefined => {
  const nonce = request.headers.get(INTERNAL_CALLER_HEADER)
  return nonce === null ? undefined : callers.get(nonce)
}
