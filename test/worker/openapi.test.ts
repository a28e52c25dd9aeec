import { describe, expect, it } from 'vitest'
import { callText } from './helpers'
import committed from '../../clients/openapi.json'
import { EVENT_TYPES } from '../../worker/events/event-types'

interface OpenApiDocument {
  openapi: string
  paths: Record<string, Record<string, { responses: Record<string, { description: string }>; security?: Array<Record<string, string[]>> }>>
  components: { securitySchemes: Record<string, unknown> }
}

describe('OpenAPI document and docs page', () => {
  it('documents every public and admin route with its error responses', async () => {
    const res = await callText('GET', '/api/openapi.json')
    expect(res.status).toBe(200)
    const spec = JSON.parse(res.text) as OpenApiDocument
    expect(spec.openapi).toBe('3.1.0')
    const expected: Array<[string, string]> = [
      ['get', '/api/whatsapp/devices'],
      ['post', '/api/whatsapp/devices'],
      ['get', '/api/whatsapp/devices/{id}'],
      ['put', '/api/whatsapp/devices/{id}'],
      ['patch', '/api/whatsapp/devices/{id}'],
      ['delete', '/api/whatsapp/devices/{id}'],
      ['post', '/api/whatsapp/devices/{id}/set-default'],
      ['get', '/api/whatsapp/devices/{id}/status'],
      ['post', '/api/admin/companies'],
      ['patch', '/api/admin/companies/{id}'],
      ['post', '/api/admin/companies/{id}/api-keys'],
      ['delete', '/api/admin/api-keys/{id}'],
      ['post', '/api/admin/nodes'],
      ['get', '/api/admin/nodes'],
      ['get', '/api/whatsapp/devices/{id}/groups'],
      ['post', '/api/whatsapp/contacts/check'],
      ['post', '/api/whatsapp/messages/{message_id}/read'],
      ['delete', '/api/whatsapp/messages/{message_id}'],
      ['get', '/api/whatsapp/api-keys'],
      ['post', '/api/whatsapp/api-keys'],
      ['delete', '/api/whatsapp/api-keys/{id}'],
      ['get', '/api/whatsapp/batches'],
      ['get', '/api/whatsapp/usage'],
    ]
    for (const [method, path] of expected) {
      const op = spec.paths[path]?.[method]
      expect(op, `${method} ${path}`).toBeDefined()
      expect(
        Object.keys(op?.responses ?? {}).some((s) => Number(s) >= 400),
        `${method} ${path} errors`,
      ).toBe(true)
    }
    const deviceGet = spec.paths['/api/whatsapp/devices/{id}']?.get
    expect(deviceGet?.responses['401']?.description).toContain('invalid_api_key')
    expect(deviceGet?.responses['404']?.description).toContain('device_not_found')
    // Each public route names the scope it needs, and documents the 403 a key without it gets.
    expect(spec.paths['/api/whatsapp/send']?.post?.security).toEqual([{ ApiKey: ['messages:send'] }])
    expect(spec.paths['/api/whatsapp/api-keys']?.post?.security).toEqual([{ ApiKey: ['keys:manage'] }])
    expect(spec.paths['/api/whatsapp/usage']?.get?.responses['403']?.description).toContain('insufficient_scope')
    expect(spec.paths['/api/whatsapp/messages/{message_id}']?.delete?.responses['409']?.description).toContain('message_not_cancellable')
    expect(spec.components.securitySchemes.ApiKey).toMatchObject({ type: 'apiKey', name: 'X-API-Key' })
  })

  it('is the committed clients/openapi.json (regenerate it with npm run openapi), with an operationId on every operation', async () => {
    const served = JSON.parse((await callText('GET', '/api/openapi.json')).text) as {
      paths: Record<string, Record<string, { operationId?: string; security?: unknown[] }>>
      webhooks: Record<string, unknown>
      servers: unknown[]
    }
    expect(served, 'clients/openapi.json is stale: run npm run openapi').toEqual(committed)
    const operations = Object.values(served.paths).flatMap((item) => Object.values(item))
    const ids = operations.map((op) => op.operationId)
    expect(ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(['sendMessage', 'sendBulkMessages', 'listDevices', 'listMessages', 'createWebhook']))
    expect(served.paths['/api/health']?.get?.security).toEqual([])
    expect(Object.keys(served.webhooks).sort()).toEqual([...EVENT_TYPES].sort())
    expect(served.servers).toHaveLength(2)
  })

  it('serves a docs page (Redoc, vendored) that loads no script from elsewhere, with code samples in four languages', async () => {
    const res = await callText('GET', '/api/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('Content-Type')).toContain('text/html')
    expect(res.text).toContain('data-spec-url="/api/openapi.json"')
    const scripts = [...res.text.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1])
    expect(scripts).toEqual(['/api/docs/redoc-2.5.4.standalone.js', '/api/docs/docs.js'])
    expect(res.headers.get('Content-Security-Policy')).toContain("script-src 'self'")
    for (const src of scripts) {
      const js = await callText('GET', src!)
      expect(js.status, src).toBe(200)
      expect(js.headers.get('Content-Type')).toContain('javascript')
    }
    const spec = JSON.parse((await callText('GET', '/api/openapi.json')).text) as {
      paths: Record<string, Record<string, { 'x-codeSamples'?: Array<{ label: string; source: string }> }>>
      'x-tagGroups': Array<{ name: string; tags: string[] }>
    }
    const send = spec.paths['/api/whatsapp/send']?.post?.['x-codeSamples'] ?? []
    expect(send.map((s) => s.label)).toEqual(['curl', 'Python', 'JavaScript', 'PHP'])
    expect(send[0]?.source).toContain('X-API-Key: $API_KEY')
    expect(send[0]?.source).toContain('+22370123456')
    expect(spec['x-tagGroups'].map((g) => g.name)).toEqual(['WhatsApp API', 'Admin API'])
  })
})
