import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../worker/app'
import type { Body } from '../support/api-types'
import { admin, call, createCompany } from './helpers'

describe('admin authentication', () => {
  it.each([
    ['no header', {}],
    ['wrong token', { Authorization: 'Bearer not-the-token' }],
    ['wrong scheme', { Authorization: 'Basic test-admin-token' }],
  ])('refuses %s with 401', async (_label, headers) => {
    const res = await call('GET', '/api/admin/companies', { headers })
    expect(res.status).toBe(401)
    expect(res.body).toMatchObject({ success: false, error: { code: 'unauthorized' } })
  })
})

describe('an unsafe ADMIN_TOKEN', () => {
  it.each([
    ['missing', undefined],
    ['shorter than 32 characters', 'short-but-set'],
  ])('keeps the admin API shut when it is %s, with a clear 503, even for the right token', async (_label, token) => {
    const app = createApp()
    const res = await app.request(
      '/api/admin/companies',
      { headers: { Authorization: `Bearer ${token ?? ''}` } },
      { ...env, ADMIN_TOKEN: token as string },
    )
    expect(res.status).toBe(503)
    const body = await res.json<Body<unknown>>()
    expect(body.error).toMatchObject({ code: 'admin_disabled', message: expect.stringContaining('at least 32 characters') })
  })
})

describe('companies', () => {
  it('creates, lists, reads and patches a company', async () => {
    const created = await admin('POST', '/companies', { name: 'Acme', monthly_quota: 1000 })
    expect(created.status).toBe(201)
    expect(created.body.data).toMatchObject({ name: 'Acme', monthly_quota: 1000, is_active: true })
    const id = created.body.data.id

    const listed = await admin('GET', '/companies')
    expect(listed.body.data.map((c: { id: number }) => c.id)).toContain(id)

    const patched = await admin('PATCH', `/companies/${id}`, { is_active: false, monthly_quota: null })
    expect(patched.status).toBe(200)
    expect(patched.body.data).toMatchObject({ id, is_active: false, monthly_quota: null })
    expect((await admin('GET', `/companies/${id}`)).body.data.is_active).toBe(false)
  })

  it('defaults to an unlimited, active company', async () => {
    const res = await admin('POST', '/companies', { name: 'Defaults' })
    expect(res.body.data).toMatchObject({ monthly_quota: null, is_active: true })
  })

  it('rejects a bad body with field details', async () => {
    const res = await admin('POST', '/companies', { name: '', monthly_quota: -5 })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('validation_error')
    const fields = res.body.error.details.map((d) => d.field)
    expect(fields).toEqual(expect.arrayContaining(['name', 'monthly_quota']))
  })

  it('answers 404 for a missing company and 422 for a non-integer id', async () => {
    expect((await admin('GET', '/companies/999999')).body.error.code).toBe('company_not_found')
    const bad = await admin('GET', '/companies/abc')
    expect(bad.status).toBe(422)
    expect(bad.body.error.code).toBe('validation_error')
  })
})

describe('api keys', () => {
  it('returns the plaintext once and only a prefix afterwards', async () => {
    const company = await createCompany()
    const issued = await admin('POST', `/companies/${company.id}/api-keys`, { name: 'prod', service_type: 'whatsapp' })
    expect(issued.status).toBe(201)
    const { key, prefix, id } = issued.body.data
    expect(key).toMatch(/^wak_[0-9A-Za-z]{40}$/)
    expect(key.startsWith(prefix)).toBe(true)
    expect(typeof id).toBe('number')

    const listed = await admin('GET', `/companies/${company.id}/api-keys`)
    expect(listed.status).toBe(200)
    expect(listed.body.data).toHaveLength(1)
    expect(listed.body.data[0]).toMatchObject({ id, prefix, service_type: 'whatsapp', is_active: true })
    expect(JSON.stringify(listed.body)).not.toContain(key)
    expect(listed.body.data[0]).not.toHaveProperty('key_hash')
  })

  it('stores only a hash of the key', async () => {
    const company = await createCompany()
    const { key } = (await admin('POST', `/companies/${company.id}/api-keys`, { name: 'k', service_type: 'sms' })).body.data
    const { env } = await import('cloudflare:workers')
    const row = await env.DB.prepare('SELECT * FROM api_keys WHERE prefix = ?').bind(key.slice(0, 12)).first()
    expect(JSON.stringify(row)).not.toContain(key.slice(12))
    expect(row?.key_hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it('patches activity and expiry, and revokes for good', async () => {
    const company = await createCompany()
    const { id } = (await admin('POST', `/companies/${company.id}/api-keys`, { name: 'k', service_type: 'whatsapp' })).body.data
    const expires = new Date(Date.now() + 86_400_000).toISOString()
    const patched = await admin('PATCH', `/api-keys/${id}`, { is_active: false, expires_at: expires })
    expect(patched.body.data).toMatchObject({ is_active: false, expires_at: expires })

    const revoked = await admin('DELETE', `/api-keys/${id}`)
    expect(revoked.status).toBe(200)
    expect(revoked.body.data.revoked_at).not.toBeNull()
    const reactivate = await admin('PATCH', `/api-keys/${id}`, { is_active: true })
    expect(reactivate.status).toBe(422)
  })

  it('validates service type and expiry', async () => {
    const company = await createCompany()
    const badType = await admin('POST', `/companies/${company.id}/api-keys`, { name: 'k', service_type: 'fax' })
    expect(badType.status).toBe(422)
    const past = await admin('POST', `/companies/${company.id}/api-keys`, {
      name: 'k',
      service_type: 'whatsapp',
      expires_at: '2001-01-01T00:00:00Z',
    })
    expect(past.status).toBe(422)
    expect(past.body.error.details[0]?.field).toBe('expires_at')
  })

  it('answers 404 for keys and companies that do not exist', async () => {
    expect((await admin('PATCH', '/api-keys/999999', { is_active: false })).body.error.code).toBe('api_key_not_found')
    expect((await admin('DELETE', '/api-keys/999999')).status).toBe(404)
    const noCompany = await admin('POST', '/companies/999999/api-keys', { name: 'k', service_type: 'whatsapp' })
    expect(noCompany.body.error.code).toBe('company_not_found')
  })
})

describe('session nodes', () => {
  it('registers a node, returns its token once and lists it', async () => {
    const res = await admin('POST', '/nodes', { name: 'vps-1' })
    expect(res.status).toBe(201)
    expect(res.body.data.token).toMatch(/^wnt_[0-9A-Za-z]{40}$/)
    const listed = await admin('GET', '/nodes')
    const node = listed.body.data.find((n: { id: number }) => n.id === res.body.data.id)
    expect(node).toMatchObject({ name: 'vps-1', status: 'offline', devices: 0 })
    expect(node).not.toHaveProperty('token')
  })
})
