// The dashboard reads and acts through the public and admin APIs themselves, in-process, as the
// signed-in caller (auth/internal-callers.ts): one set of rules for both, and the pages show the
// API's own error codes.
import type { Context } from 'hono'
import { asCaller } from '../auth/internal-callers'
import type { AppEnv, Caller } from '../lib/app-env'

export type ApiFetch = (request: Request, env: Env, ctx: Context<AppEnv>['executionCtx']) => Response | Promise<Response>

let fetchApi: ApiFetch | undefined

/** Called once by createApp with the app itself. */
export function bindApi(fetch: ApiFetch): void {
  fetchApi = fetch
}

export interface ApiError {
  code: string
  message: string
  details?: unknown
}
export type ApiAnswer<D> = { ok: true; status: number; data: D } | { ok: false; status: number; error: ApiError }

export interface DashApi {
  call<D>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiAnswer<D>>
  /** The raw response (media downloads). */
  raw(path: string): Promise<Response>
}

export function apiFor(c: Context<AppEnv>, as: Caller | 'admin'): DashApi {
  const base = as === 'admin' ? '/api/admin' : '/api/whatsapp'
  const send = (method: string, path: string, body?: unknown): Promise<Response> => {
    if (!fetchApi) throw new Error('the dashboard API client was not bound (createApp calls bindApi)')
    const request = new Request(new URL(`${base}${path}`, c.req.url), {
      method,
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return asCaller(request, as, async (marked) => fetchApi!(marked, c.env, c.executionCtx))
  }
  return {
    async call<D>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<ApiAnswer<D>> {
      const res = await send(method, path, body)
      const envelope = (await res.json()) as { success: boolean; data?: D; error?: ApiError }
      return envelope.success
        ? { ok: true, status: res.status, data: envelope.data as D }
        : { ok: false, status: res.status, error: envelope.error! }
    },
    raw: (path) => send('GET', path),
  }
}
