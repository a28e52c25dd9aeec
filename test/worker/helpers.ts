import { exports } from 'cloudflare:workers'

export const ADMIN_TOKEN = 'test-admin-token'

export interface Reply<T = any> {
  status: number
  headers: Headers
  body: T
}

/** One HTTP request through the real worker entrypoint; `body` objects are sent as JSON. */
export async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers = new Headers(options.headers)
  let body: BodyInit | undefined
  if (typeof options.body === 'string') body = options.body
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json')
  }
  const res = await exports.default.fetch(new Request(`http://api.test${path}`, { method, headers, body }))
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON (the docs page): keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed }
}

export const admin = (method: string, path: string, body?: unknown) =>
  call(method, `/api/admin${path}`, { body, headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } })

export const publicApi = (key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  call(method, `/api/whatsapp${path}`, { body, headers: { 'X-API-Key': key, ...headers } })

export async function createCompany(fields: Record<string, unknown> = {}) {
  const res = await admin('POST', '/companies', { name: `Company ${crypto.randomUUID().slice(0, 8)}`, ...fields })
  if (res.status !== 201) throw new Error(`company: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.data as { id: number; name: string }
}

export async function issueKey(companyId: number, fields: Record<string, unknown> = {}) {
  const res = await admin('POST', `/companies/${companyId}/api-keys`, { name: 'test key', service_type: 'whatsapp', ...fields })
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.data as { id: number; key: string; prefix: string }
}

/** A fresh company with one live WhatsApp key: what most public-API tests start from. */
export async function tenant(companyFields: Record<string, unknown> = {}) {
  const company = await createCompany(companyFields)
  const { key, id: keyId } = await issueKey(company.id)
  return {
    company,
    key,
    keyId,
    api: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => publicApi(key, method, path, body, headers),
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
