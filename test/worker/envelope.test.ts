import { describe, expect, it } from 'vitest'
import { createRouter } from '../../worker/lib/create-router'
import { notFound, onError } from '../../worker/lib/on-error'
import { call, tenant } from './helpers'
import type { Body } from '../support/api-types'

describe('the envelope', () => {
  it('puts an X-Request-Id on every response, success or error', async () => {
    for (const res of [await call('GET', '/api/health'), await call('GET', '/api/nope'), await call('GET', '/api/whatsapp/devices')]) {
      expect(res.headers.get('X-Request-Id')).toMatch(/.+/)
    }
  })

  it('answers not_found for an unknown route', async () => {
    const res = await call('GET', '/api/does-not-exist')
    expect(res.status).toBe(404)
    expect(res.body).toMatchObject({ success: false, error: { code: 'not_found' } })
    const { api } = await tenant()
    expect((await api('GET', '/nothing-here')).body.error.code).toBe('not_found')
  })

  it('answers invalid_json for a broken body, an empty body and a non-JSON content type', async () => {
    const { key } = await tenant()
    const headers = { 'X-API-Key': key, 'Content-Type': 'application/json' }
    for (const [body, extra] of [
      ['{"name": ', {}],
      ['', {}],
      ['name=x', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ] as const) {
      const res = await call('POST', '/api/whatsapp/devices', { body, headers: { ...headers, ...extra } })
      expect(res.status, body).toBe(400)
      expect(res.body.error.code).toBe('invalid_json')
    }
  })

  it('answers internal_error without a stack, naming the request id', async () => {
    const app = createRouter()
    app.onError(onError)
    app.notFound(notFound)
    app.get('/boom', () => {
      throw new Error('secret detail at /srv/app.ts:12')
    })
    const res = await app.request('/boom', {}, {} as Env)
    expect(res.status).toBe(500)
    const body = await res.json<Body<unknown>>()
    expect(body.error.code).toBe('internal_error')
    expect(JSON.stringify(body)).not.toContain('secret detail')
    expect(JSON.stringify(body)).not.toContain('app.ts')
  })
})
