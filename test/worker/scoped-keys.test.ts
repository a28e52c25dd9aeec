// Scoped API keys: what a key may do (scopes) and with which devices (device_ids); a company's
// own keys:manage keys, which never give more than they have; and last_used_at, written at most
// once a minute per key, after the response.
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { issueKey, publicApi, tenant } from './helpers'
import { resetWorld } from './node-client'
import { forgetKeyUses } from '../../worker/auth/key-usage'

afterEach(resetWorld)

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString()
const ALL = ['messages:send', 'messages:read', 'devices:read', 'devices:write', 'webhooks:manage', 'keys:manage']

/** A company with two devices (`other` is the default) and a key of its own with `fields`. */
async function companyWithKey(fields: Record<string, unknown> = {}) {
  const t = await tenant()
  const other = (await t.api('POST', '/devices', { name: 'other' })).body.data
  const mine = (await t.api('POST', '/devices', { name: 'mine' })).body.data
  const issued = await issueKey(t.company.id, fields)
  const scopedApi = <M extends 'GET' | 'POST' | 'DELETE' | 'PATCH', P extends string>(method: M, path: P, body?: unknown) =>
    publicApi(issued.key, method, path, body)
  return { ...t, other, mine, issued, scopedApi }
}

describe('scopes', () => {
  it('a key has every scope unless told otherwise', async () => {
    const { api, keyId } = await tenant()
    const keys = (await api('GET', '/api-keys')).body.data
    expect(keys.find((k) => k.id === keyId)).toMatchObject({ scopes: ALL, device_ids: null })
  })

  it('refuses a route outside its scopes with 403 insufficient_scope naming the scope, before reading the body', async () => {
    const { scopedApi } = await companyWithKey({ scopes: ['messages:read'] })
    const send = await scopedApi('POST', '/send', { recipient: '+22370123456', message: 'x' })
    expect(send.status).toBe(403)
    expect(send.body.error).toMatchObject({ code: 'insufficient_scope', details: { required: ['messages:send'] } })
    // A body the route would refuse is not even looked at: the scope comes first.
    expect((await scopedApi('POST', '/send', { nonsense: true })).body.error.code).toBe('insufficient_scope')
    expect((await scopedApi('GET', '/devices')).body.error.details.required).toEqual(['devices:read'])
    expect((await scopedApi('POST', '/webhooks', { url: 'https://example.com/h' })).body.error.details.required).toEqual([
      'webhooks:manage',
    ])
    expect((await scopedApi('GET', '/api-keys')).body.error.details.required).toEqual(['keys:manage'])
    expect((await scopedApi('GET', '/messages')).status).toBe(200)
    expect((await scopedApi('GET', '/events')).status).toBe(200)
    // The quota is any key's to read.
    expect((await scopedApi('GET', '/quota')).status).toBe(200)
  })
})

describe('device_ids', () => {
  it('lists only its devices and refuses the others by id, as the default, and for new devices', async () => {
    const { api, company } = await tenant()
    const other = (await api('POST', '/devices', { name: 'the default' })).body.data
    const mine = (await api('POST', '/devices', { name: 'mine' })).body.data
    const limited = (await issueKey(company.id, { device_ids: [mine.id] })).key
    const as = <M extends 'GET' | 'POST' | 'DELETE', P extends string>(method: M, path: P, body?: unknown) =>
      publicApi(limited, method, path, body)
    expect((await as('GET', '/devices')).body.data).toEqual([expect.objectContaining({ id: mine.id })])
    expect((await as('GET', `/devices/${mine.id}`)).status).toBe(200)
    const foreign = await as('GET', `/devices/${other.id}`)
    expect(foreign.status).toBe(403)
    expect(foreign.body.error).toMatchObject({ code: 'insufficient_scope', details: { required: [`device:${other.id}`] } })
    // The company's default device is `other`: a send without device_id is outside this key.
    const byDefault = await as('POST', '/send', { recipient: '+22370123456', message: 'x', send_at: inMs(60_000) })
    expect(byDefault.body.error.details.required).toEqual([`device:${other.id}`])
    expect((await as('POST', '/devices', { name: 'one more' })).body.error.details.required).toEqual(['device:*'])

    // Messages: its own device's only, in lists and by id.
    const theirs = (await api('POST', '/send', { recipient: '+22370123456', message: 'b', device_id: other.id, send_at: inMs(60_000) }))
      .body.data
    const ours = (await as('POST', '/send', { recipient: '+22370123456', message: 'a', device_id: mine.id, send_at: inMs(60_000) })).body
      .data
    expect(ours.status).toBe('scheduled')
    const listed = (await as('GET', '/messages')).body.data
    expect(listed.messages.map((m) => m.message_id)).toEqual([ours.message_id])
    expect((await as('GET', `/messages/${theirs.message_id}`)).status).toBe(403)
    expect((await as('DELETE', `/messages/${theirs.message_id}`)).status).toBe(403)
    expect((await api('GET', `/messages/${theirs.message_id}`)).body.data.status).toBe('scheduled')
  })
})

describe('/api-keys with keys:manage', () => {
  it('creates a key shown once, within its own scopes, and lists keys without secrets', async () => {
    const { scopedApi, issued } = await companyWithKey({ scopes: ['keys:manage', 'messages:read'] })
    const tooMuch = await scopedApi('POST', '/api-keys', { name: 'sender', scopes: ['messages:send', 'messages:read'] })
    expect(tooMuch.status).toBe(403)
    expect(tooMuch.body.error).toMatchObject({ code: 'insufficient_scope', details: { required: ['messages:send'] } })

    const created = await scopedApi('POST', '/api-keys', { name: 'reporting', scopes: ['messages:read'] })
    expect(created.status).toBe(201)
    expect(created.body.data).toMatchObject({ name: 'reporting', scopes: ['messages:read'], device_ids: null, service_type: 'whatsapp' })
    const secret = created.body.data.key
    expect(secret.startsWith(created.body.data.prefix)).toBe(true)
    expect((await publicApi(secret, 'GET', '/messages')).status).toBe(200)
    expect((await publicApi(secret, 'POST', '/api-keys', { name: 'x' })).status).toBe(403)

    // Without scopes, a new key gets exactly the creating key's.
    const inherited = await scopedApi('POST', '/api-keys', { name: 'same as me' })
    expect(inherited.body.data.scopes).toEqual(['messages:read', 'keys:manage'])

    const listed = await scopedApi('GET', '/api-keys')
    expect(listed.body.data.map((k) => k.name)).toEqual(['test key', issued.name, 'reporting', 'same as me'])
    expect(JSON.stringify(listed.body)).not.toContain(secret)
    expect(JSON.stringify(listed.body)).not.toContain('hash')
  })

  it('keeps a new key within its devices and its lifetime', async () => {
    const t = await tenant()
    const mine = (await t.api('POST', '/devices', { name: 'mine' })).body.data
    const other = (await t.api('POST', '/devices', { name: 'other' })).body.data
    const expiresAt = inMs(3_600_000)
    const { key } = await issueKey(t.company.id, { device_ids: [mine.id], expires_at: expiresAt })
    const as = (body: Record<string, unknown>) => publicApi(key, 'POST', '/api-keys', { name: 'k', ...body })
    expect((await as({ device_ids: [other.id] })).body.error.details.required).toEqual([`device:${other.id}`])
    expect((await as({ expires_at: inMs(7_200_000) })).body.error.details.required).toEqual(['expires_at'])
    const same = (await as({})).body.data
    expect(same.device_ids).toEqual([mine.id])
    expect(Date.parse(same.expires_at!)).toBe(Date.parse(expiresAt))
    // A full key may not name a device of another company.
    const stranger = await tenant()
    const foreign = (await stranger.api('POST', '/devices', { name: 'theirs' })).body.data
    const bad = await t.api('POST', '/api-keys', { name: 'k', device_ids: [foreign.id] })
    expect(bad.status).toBe(422)
    expect(bad.body.error.details[0]?.field).toBe('device_ids')
  })

  it('revokes keys no more powerful than itself (at once), its own too, and no other company’s', async () => {
    const { api, keyId, company } = await tenant()
    const manager = await issueKey(company.id, { scopes: ['keys:manage', 'messages:read'] })
    const weaker = await issueKey(company.id, { scopes: ['messages:read'] })
    const asManager = (path: string) => publicApi(manager.key, 'DELETE', path)
    const refused = await asManager(`/api-keys/${keyId}`)
    expect(refused.status).toBe(403)
    expect(refused.body.error.details.required).toEqual(['messages:send', 'devices:read', 'devices:write', 'webhooks:manage'])
    expect((await api('GET', '/quota')).status).toBe(200)

    const revoked = await asManager(`/api-keys/${weaker.id}`)
    expect(revoked.status).toBe(200)
    expect(revoked.body.data).toMatchObject({ id: weaker.id, is_active: false })
    expect((await publicApi(weaker.key, 'GET', '/messages')).body.error.code).toBe('invalid_api_key')

    const other = await tenant()
    expect((await other.api('DELETE', `/api-keys/${manager.id}`)).body.error.code).toBe('api_key_not_found')
    expect((await other.api('GET', '/api-keys')).body.data.map((k) => k.id)).toEqual([other.keyId])
    expect((await asManager(`/api-keys/${manager.id}`)).status).toBe(200)
    expect((await publicApi(manager.key, 'GET', '/messages')).status).toBe(401)
  })
})

describe('last_used_at', () => {
  it('is written after a request, and not again within the minute', async () => {
    const { api, keyId } = await tenant()
    // Key ids start over with each test's fresh D1; this isolate's memory of writes does not.
    forgetKeyUses()
    const stored = () =>
      env.DB.prepare('SELECT last_used_at FROM api_keys WHERE id = ?')
        .bind(keyId)
        .first<{ last_used_at: number | null }>()
        .then((row) => row?.last_used_at ?? null)
    await api('GET', '/quota')
    const first = await vi.waitFor(async () => {
      const at = await stored()
      if (at === null) throw new Error('not written yet')
      return at
    })
    expect(Math.abs(first - Date.now())).toBeLessThan(10_000)
    for (let i = 0; i < 5; i++) await api('GET', '/quota')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await stored()).toBe(first)
    const listed = (await api('GET', '/api-keys')).body.data.find((k) => k.id === keyId)
    expect(Date.parse(listed!.last_used_at!)).toBe(first)
  })
})
