// Every dashboard page renders what the API holds for the signed-in company, in the API's
// words, and acts through it: messages with their statuses, batches with progress, usage, webhook
// endpoints with their once-shown secret and delivery log, API keys, and the operator's pages.
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { admin, tenant } from './helpers'
import { connectNode, linkedDevice, registerNode, resetWorld } from './node-client'
import { browser, operator, signedIn } from './dash-client'

const WEBHOOK_SECRET = /whsec_[A-Za-z0-9+/]{43}=/

afterEach(resetWorld)

describe('dashboard pages with data', () => {
  it('messages (list, filter, detail), batches and usage show what was sent, in the API’s words', async () => {
    const { api, company, device } = await linkedDevice()
    const sent = (await api('POST', '/send', { recipient: '+22370123456', message: 'Invoice <b>42</b>' })).body.data
    const bulk = (await api('POST', '/send-bulk', { messages: [{ recipient: '+22370123457', message: 'bulk one' }] })).body.data
    const b = await signedIn(company.id)

    const list = await b.get('/dash/messages')
    expect(list.text).toContain('data-status="sent"')
    expect(list.text).toContain('Invoice &lt;b&gt;42&lt;/b&gt;')
    expect((await b.get(`/dash/messages?direction=outbound&device_id=${device.id}`)).text).toContain('bulk one')
    expect((await b.get('/dash/messages?status=read')).text).toContain('No messages match')
    const detail = await b.get(`/dash/messages/${sent.message_id}`)
    expect(detail.text).toContain(sent.message_id)
    expect(detail.text).toContain('As the API returns it')
    expect((await b.get(`/dash/messages/${sent.message_id}/chip`)).text).toContain('hx-trigger="every 1s"')

    const batches = await b.get('/dash/batches')
    expect(batches.text).toContain(bulk.batch_id)
    expect(batches.text).toContain('<progress')
    expect((await b.get(`/dash/batches/${bulk.batch_id}`)).text).toContain('+22370123457')

    const usage = await b.get('/dash/usage')
    expect(usage.text).toContain(new Date().toISOString().slice(0, 10))
    expect(usage.text).toMatch(/messages used in \d{4}-\d{2}/)

    const other = await signedIn((await tenant()).company.id)
    expect((await other.get(`/dash/messages/${sent.message_id}`)).status).toBe(404)
    expect((await other.get(`/dash/batches/${bulk.batch_id}`)).status).toBe(404)
    expect((await other.get('/dash/messages')).text).not.toContain('Invoice')
  })

  it('webhooks: add an endpoint (its secret shown once), see its delivery log, delete it', async () => {
    const { company } = await tenant()
    const b = await signedIn(company.id)
    const page = await b.get('/dash/webhooks')
    expect(page.text).toContain('<h1>Webhooks</h1>')
    expect(page.text).toContain('<label for="endpoint-url">Endpoint URL</label>')
    const added = await b.post('/dash/webhooks', { url: 'https://example.com/hooks/wa', event_types: 'message.read' })
    expect(added.status).toBe(201)
    // The secret's whole format (base64 may begin with + or /, which \w missed one time in 32).
    expect(added.text).toMatch(WEBHOOK_SECRET)
    const listed = await b.get('/dash/webhooks')
    expect(listed.text).toContain('https://example.com/hooks/wa')
    expect(listed.text).not.toMatch(WEBHOOK_SECRET)
    const id = /\/dash\/webhooks\/(\d+)/.exec(listed.text)![1]
    expect((await b.get(`/dash/webhooks/${id}`)).text).toContain('Delivery log')
    expect((await b.post('/dash/webhooks', { url: 'not a url', event_types: 'message.read' })).text).toContain('validation_error')
    expect((await b.post(`/dash/webhooks/${id}/delete`)).status).toBe(303)
    expect((await b.get('/dash/webhooks')).text).not.toContain('https://example.com/hooks/wa')
  })

  it('API keys: create one (shown once, within the session’s scopes), see its last use, revoke it', async () => {
    const { company } = await tenant()
    const b = await signedIn(company.id)
    const created = await b.post('/dash/api-keys', { name: 'reporting', scopes: 'messages:read' })
    expect(created.status).toBe(201)
    const secret = /wak_\w{40}/.exec(created.text)![0]
    const keys = await b.get('/dash/api-keys')
    expect(keys.text).toContain('reporting')
    expect(keys.text).not.toContain(secret)
    const id = /\/dash\/api-keys\/(\d+)\/revoke/.exec(keys.text.slice(keys.text.indexOf('reporting')))![1]
    expect((await b.post(`/dash/api-keys/${id}/revoke`)).status).toBe(303)
    expect((await b.get('/dash/api-keys')).text).toContain('data-status="revoked"')
  })

  it('sessions expire: an expired one is sent to sign in again', async () => {
    const { company } = await tenant()
    const b = await signedIn(company.id)
    expect((await b.get('/dash/devices')).status).toBe(200)
    await env.DB.prepare('UPDATE dashboard_sessions SET expires_at = ?')
      .bind(Date.now() - 1)
      .run()
    expect((await b.get('/dash/devices')).headers.get('Location')).toBe('/dash/login')
  })
})

describe('operator pages with data', () => {
  it('creates a company, sets its quota and device limit, deactivates it, and issues a login link that works once', async () => {
    const ops = await operator()
    const created = await ops.post('/dash/admin/companies', { name: 'Acme <Ltd>', monthly_quota: '500' })
    expect(created.status).toBe(303)
    const path = created.headers.get('Location')!
    const page = await ops.get(path)
    expect(page.text).toContain('Acme &lt;Ltd&gt;')
    expect((await ops.post(path, { monthly_quota: '900', max_devices: '3', is_active: 'true' })).status).toBe(303)
    const id = Number(path.split('/').pop())
    expect((await admin('GET', `/companies/${id}`)).body.data).toMatchObject({ monthly_quota: 900, max_devices: 3 })

    const linkPage = await ops.post(`${path}/login-link`)
    const url = /http:\/\/api\.test\/dash\/login\/\w+/.exec(linkPage.text)![0]
    const customer = browser()
    expect((await customer.post(new URL(url).pathname)).status).toBe(303)
    expect((await customer.get('/dash/devices')).status).toBe(200)

    expect((await ops.post(path, { monthly_quota: '900', max_devices: '3', is_active: 'false' })).status).toBe(303)
    // A deactivated company's sessions end.
    expect((await customer.get('/dash/devices')).status).toBe(303)
    const keyPage = await ops.post(`${path}/api-keys`, { name: 'production' })
    expect(keyPage.text).toMatch(/wak_\w{40}/)
  })

  it('lists session nodes with their load and version, and drains and undrains one', async () => {
    const node = await registerNode('vps-1')
    await connectNode(node.token)
    const ops = await operator()
    const page = await ops.get('/dash/admin/nodes')
    expect(page.text).toContain('vps-1')
    expect(page.text).toContain('<progress')
    expect((await ops.post(`/dash/admin/nodes/${node.id}/drain`)).status).toBe(303)
    expect((await admin('GET', '/nodes')).body.data.find((n) => n.id === node.id)?.drained).toBe(true)
    expect((await ops.get('/dash/admin/nodes')).text).toContain('Undrain')
    await ops.post(`/dash/admin/nodes/${node.id}/undrain`)
    expect((await admin('GET', '/nodes')).body.data.find((n) => n.id === node.id)?.drained).toBe(false)
  })
})
