// Made-up API keys cost their sender, not the other tenants: they never push a real key out of
// the isolate cache, and an address that keeps presenting them is refused before D1 is asked.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { lookupKey, MAX_UNKNOWN_PREFIXES } from '../../worker/auth/api-key-cache'
import { FAILED_LOOKUP_BURST } from '../../worker/auth/lookup-budget'
import { randomBase62 } from '../../worker/lib/crypto'
import { call, tenant } from './helpers'

const MINUTE = 60_000

describe('unknown API keys', () => {
  it('never push a real key out of the cache, however many there are', async () => {
    const { key } = await tenant()
    const prefix = key.slice(0, 12)
    expect(await lookupKey(env.DB, prefix, MINUTE)).toMatchObject({ usable: true })
    // Revoked behind the cache's back: only a fresh D1 lookup would see it.
    await env.DB.prepare('UPDATE api_keys SET is_active = 0 WHERE prefix = ?').bind(prefix).run()
    for (let i = 0; i <= MAX_UNKNOWN_PREFIXES; i += 500) {
      await Promise.all(Array.from({ length: 500 }, () => lookupKey(env.DB, `wak_${randomBase62(8)}`, MINUTE)))
    }
    expect(await lookupKey(env.DB, prefix, MINUTE)).toMatchObject({ usable: true })
  }, 60_000)

  it('are refused for an address that keeps sending them, with Retry-After; other addresses and cached keys go on', async () => {
    const { key, api } = await tenant()
    const wrong = (address: string) =>
      call('GET', '/api/whatsapp/quota', { headers: { 'X-API-Key': `wak_${randomBase62(40)}`, 'CF-Connecting-IP': address } })
    for (let i = 0; i < FAILED_LOOKUP_BURST; i++) expect((await wrong('203.0.113.7')).status).toBe(401)
    const refused = await wrong('203.0.113.7')
    expect(refused.status).toBe(429)
    expect(refused.body.error.code).toBe('rate_limited')
    expect(Number(refused.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1)
    expect((await wrong('198.51.100.9')).status).toBe(401)
    // A key this isolate has cached (looked up from elsewhere a moment ago) is not held back.
    expect((await api('GET', '/quota', undefined, { 'CF-Connecting-IP': '198.51.100.9' })).status).toBe(200)
    const cached = await call('GET', '/api/whatsapp/quota', { headers: { 'X-API-Key': key, 'CF-Connecting-IP': '203.0.113.7' } })
    expect(cached.status).toBe(200)
  })
})
