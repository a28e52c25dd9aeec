// HTTP through the real worker entrypoint, typed by route (api-types.ts): what most worker tests
// start from.
import { exports } from 'cloudflare:workers'
import type { AdminData, Body, Method, PublicData } from '../support/api-types'

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghij'

export interface Reply<D = unknown> {
  status: number
  headers: Headers
  body: Body<D>
}

/** A reply whose body is not JSON (the docs page). */
export interface TextReply {
  status: number
  headers: Headers
  text: string
}

export type { Method } from '../support/api-types'
interface CallOptions {
  body?: unknown
  headers?: Record<string, string>
}

async function send(method: string, path: string, options: CallOptions): Promise<Response> {
  const headers = new Headers(options.headers)
  let body: BodyInit | undefined
  if (typeof options.body === 'string') body = options.body
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json')
  }
  return exports.default.fetch(new Request(`http://api.test${path}`, { method, headers, body }))
}

/** One request; `body` objects are sent as JSON, and the answer is parsed as the envelope. */
export async function call<D = unknown>(method: Method | string, path: string, options: CallOptions = {}): Promise<Reply<D>> {
  const res = await send(method, path, options)
  return { status: res.status, headers: res.headers, body: (await res.json()) as Body<D> }
}

/** One request whose answer is not JSON. */
export async function callText(method: Method, path: string, options: CallOptions = {}): Promise<TextReply> {
  const res = await send(method, path, options)
  return { status: res.status, headers: res.headers, text: await res.text() }
}

export const admin = <M extends Method, P extends string>(method: M, path: P, body?: unknown) =>
  call<AdminData<M, P>>(method, `/api/admin${path}`, { body, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })

export const publicApi = <M extends Method, P extends string>(
  key: string,
  method: M,
  path: P,
  body?: unknown,
  headers: Record<string, string> = {},
) => call<PublicData<M, P>>(method, `/api/whatsapp${path}`, { body, headers: { 'X-API-Key': key, ...headers } })

export async function createCompany(fields: Record<string, unknown> = {}) {
  const res = await admin('POST', '/companies', { name: `Company ${crypto.randomUUID().slice(0, 8)}`, ...fields })
  if (res.status !== 201) throw new Error(`company: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.data
}

export async function issueKey(companyId: number, fields: Record<string, unknown> = {}) {
  const res = await admin('POST', `/companies/${companyId}/api-keys`, { name: 'test key', service_type: 'whatsapp', ...fields })
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.data
}

/** A fresh company with one live WhatsApp key: what most public-API tests start from. */
export async function tenant(companyFields: Record<string, unknown> = {}) {
  const company = await createCompany(companyFields)
  const { key, id: keyId } = await issueKey(company.id)
  const api = <M extends Method, P extends string>(method: M, path: P, body?: unknown, headers?: Record<string, string>) =>
    publicApi(key, method, path, body, headers)
  return { company, key, keyId, api }
}

/** An id no other test uses, for a Durable Object of its own (its own storage). */
export const freshId = () => 1_000_000 + crypto.getRandomValues(new Uint32Array(1))[0]!

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
