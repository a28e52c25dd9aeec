import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { admin, createCompany, issueKey, publicApi, sleep, tenant, type Reply } from './helpers'

const expectError = (res: Reply, status: number, code: string) => {
  expect(res.status).toBe(status)
  expect(res.body).toMatchObject({ success: false, error: { code } })
}

describe('X-API-Key authentication', () => {
  it('accepts a live key', async () => {
    const { api } = await tenant()
    const res = await api('GET', '/devices')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ success: true, data: [] })
  })

  it('invalid_api_key: missing, malformed, unknown, or right prefix with a wrong secret', async () => {
    const { key } = await tenant()
    expectError(await publicApi('', 'GET', '/devices'), 401, 'invalid_api_key')
    expectError(await publicApi('hello', 'GET', '/devices'), 401, 'invalid_api_key')
    expectError(await publicApi(`wak_${'A'.repeat(40)}`, 'GET', '/devices'), 401, 'invalid_api_key')
    const forged = key.slice(0, 12) + 'x'.repeat(32)
    expectError(await publicApi(forged, 'GET', '/devices'), 401, 'invalid_api_key')
  })

  it('invalid_api_key: a deactivated key and a revoked key', async () => {
    const company = await createCompany()
    const inactive = await issueKey(company.id)
    await admin('PATCH', `/api-keys/${inactive.id}`, { is_active: false })
    expectError(await publicApi(inactive.key, 'GET', '/devices'), 401, 'invalid_api_key')

    const revoked = await issueKey(company.id)
    expect((await publicApi(revoked.key, 'GET', '/devices')).status).toBe(200)
    await admin('DELETE', `/api-keys/${revoked.id}`)
    expectError(await publicApi(revoked.key, 'GET', '/devices'), 401, 'invalid_api_key')
  })

  it('key_expired once expires_at has passed', async () => {
    const company = await createCompany()
    const { key, id } = await issueKey(company.id, { expires_at: new Date(Date.now() + 400).toISOString() })
    expect((await publicApi(key, 'GET', '/devices')).status).toBe(200)
    await sleep(450)
    expectError(await publicApi(key, 'GET', '/devices'), 401, 'key_expired')
    // Extending the expiry brings the key back.
    await admin('PATCH', `/api-keys/${id}`, { expires_at: new Date(Date.now() + 60_000).toISOString() })
    expect((await publicApi(key, 'GET', '/devices')).status).toBe(200)
  })

  it('company_inactive for any key of a deactivated company', async () => {
    const { company, api } = await tenant()
    await admin('PATCH', `/companies/${company.id}`, { is_active: false })
    expectError(await api('GET', '/devices'), 403, 'company_inactive')
    await admin('PATCH', `/companies/${company.id}`, { is_active: true })
    expect((await api('GET', '/devices')).status).toBe(200)
  })

  it('service_type_mismatch for an sms or email key', async () => {
    const company = await createCompany()
    for (const service_type of ['sms', 'email']) {
      const { key } = await issueKey(company.id, { service_type })
      expectError(await publicApi(key, 'GET', '/devices'), 403, 'service_type_mismatch')
    }
  })

  it('serves a hot key from the isolate cache, and sees a change made elsewhere within the TTL', async () => {
    const { key, keyId, api } = await tenant()
    expect((await api('GET', '/devices')).status).toBe(200)
    // Revoke behind the worker's back, as another isolate (or an operator with SQL) would:
    // the cached lookup still answers, proving no D1 query per request...
    await env.DB.prepare('UPDATE api_keys SET revoked_at = ?, is_active = 0 WHERE id = ?').bind(Date.now(), keyId).run()
    expect((await publicApi(key, 'GET', '/devices')).status).toBe(200)
    // ...and once the TTL (300 ms in tests, 5 s by default) has passed, the revocation holds.
    await sleep(350)
    expectError(await publicApi(key, 'GET', '/devices'), 401, 'invalid_api_key')
  })

  it('sees a company deactivated elsewhere within the TTL', async () => {
    const { company, api } = await tenant()
    expect((await api('GET', '/devices')).status).toBe(200)
    await env.DB.prepare('UPDATE companies SET is_active = 0 WHERE id = ?').bind(company.id).run()
    await sleep(350)
    expectError(await api('GET', '/devices'), 403, 'company_inactive')
  })
})
