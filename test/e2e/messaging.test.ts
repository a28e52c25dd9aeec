// Messaging with real processes: wrangler dev, two simulator session nodes, real HTTP.
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, sleep, tempDir, until } from './harness'
import { ApiError, createClient, eachMessage, idempotencyKey, idempotent, unwrap } from '../../clients/typescript/src/index'

const GRACE_MS = 2_000
let stack: Stack
let client: ReturnType<typeof clientsOf>
let deviceId: number
let media: Server
let mediaBase: string
const nodeLog: string[] = []
const FINAL = ['sent', 'delivered', 'read', 'failed']

beforeAll(async () => {
  // A media server on loopback: reachable only because MEDIA_ALLOW_PRIVATE=1 is set for the nodes.
  media = createServer((req, res) => {
    if (req.url === '/flyer.png') {
      res.writeHead(200, { 'Content-Type': 'image/png' })
      res.end(Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'))
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve))
  const address = media.address()
  mediaBase = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`

  stack = await startStack({
    port: await freePort(),
    stateDir: tempDir('messaging'),
    nodes: 2,
    log: (source, line) => {
      if (source.startsWith('dev-node')) nodeLog.push(`${source} ${line}`)
    },
    env: {
      WA_ENGINE: 'simulator',
      SIM_SCAN_DELAY_MS: '300',
      SIM_DELIVERY_MS: '100',
      SIM_READ_MS: '200',
      MEDIA_ALLOW_PRIVATE: '1',
      LOG_LEVEL: 'info',
      FLEET_FAILOVER_GRACE_MS: String(GRACE_MS),
      RATE_LIMIT_PER_SEC: '1000',
      RATE_LIMIT_BURST: '1000',
    },
  })
  client = clientsOf(stack)
  await until(
    async () => ((await client.admin('GET', '/nodes')).body.data.filter((n) => n.status === 'online').length === 2 ? true : undefined),
    30_000,
    'nodes online',
  )
  deviceId = (await client.api('POST', '/devices', { name: 'e2e sender' })).body.data.id
  await until(
    async () => ((await client.api('GET', `/devices/${deviceId}/status`)).body.data.status === 'authenticated' ? true : undefined),
    30_000,
    'device linked',
  )
})

afterAll(async () => {
  await stack?.stop()
  media?.close()
})

describe('messaging end to end', () => {
  it('sends a text, then WhatsApp reports it delivered and read', async () => {
    const res = await client.api('POST', '/send', { recipient: '+22370123456', message: 'Hello from e2e' })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ chat_id: '22370123456@s.whatsapp.net', device_id: deviceId, status: 'sent' })
    const read = await until(
      async () => {
        const m = (await client.api('GET', `/messages/${res.body.data.message_id}`)).body.data
        return m.status === 'read' ? m : undefined
      },
      10_000,
      'read receipt',
    )
    expect(Date.parse(read.delivered_at ?? '')).toBeLessThanOrEqual(Date.parse(read.read_at ?? ''))
  })

  it('fetches media for real, and refuses what it cannot fetch', async () => {
    const ok = await client.api('POST', '/send', { recipient: '+22370123456', message: 'Flyer', media_url: `${mediaBase}/flyer.png` })
    expect(ok.status).toBe(200)
    const missing = await client.api('POST', '/send', { recipient: '+22370123456', media_url: `${mediaBase}/missing.png` })
    expect(missing.status).toBe(422)
    expect(missing.body.error.code).toBe('media_unavailable')
  })

  it('reports a number without WhatsApp, and refunds it', async () => {
    const before = (await client.api('GET', '/quota')).body.data.used
    const res = await client.api('POST', '/send', { recipient: '+22370120000', message: 'x' })
    expect(res.status).toBe(422)
    expect(res.body.error).toMatchObject({ code: 'invalid_phone_number', details: { reason: 'not_on_whatsapp' } })
    expect((await client.api('GET', '/quota')).body.data.used).toBe(before)
  })

  it('checks numbers through the device before sending: the sandbox has no WhatsApp behind digits ending in 0000', async () => {
    const used = (await client.api('GET', '/quota')).body.data.used
    const res = await client.api('POST', '/contacts/check', { phone_numbers: ['+22370123456', '+22370120000'], device_id: deviceId })
    expect(res.status).toBe(200)
    expect(res.body.data.map((n) => [n.phone_number, n.on_whatsapp])).toEqual([
      ['+22370123456', true],
      ['+22370120000', false],
    ])
    expect((await client.api('GET', '/quota')).body.data.used).toBe(used)
  })

  it("lists the sandbox device's two groups, sends to one, and refuses a group it is not in", async () => {
    const groups = (await client.api('GET', `/devices/${deviceId}/groups`)).body.data
    expect(groups.map((g) => g.subject)).toEqual(['Sandbox team', 'Sandbox customers'])
    const ok = await client.api('POST', '/send', { recipient: groups[0]!.id, is_group: true, message: 'Hello team', device_id: deviceId })
    expect(ok.status).toBe(200)
    const stranger = await client.api('POST', '/send', {
      recipient: '120363099999999999@g.us',
      is_group: true,
      message: 'x',
      device_id: deviceId,
    })
    expect(stranger.status).toBe(422)
  })

  it('gives a reporting job a key that can read but not send, and shows when each key was last used', async () => {
    const created = await client.api('POST', '/api-keys', { name: 'reporting', scopes: ['messages:read'] })
    expect(created.status).toBe(201)
    const reporting = { 'X-API-Key': created.body.data.key }
    expect((await client.api('GET', '/messages?limit=1', undefined, reporting)).status).toBe(200)
    const refused = await client.api('POST', '/send', { recipient: '+22370123456', message: 'x', device_id: deviceId }, reporting)
    expect(refused.status).toBe(403)
    expect(refused.body.error).toMatchObject({ code: 'insufficient_scope', details: { required: ['messages:send'] } })
    const listed = await until(
      async () => (await client.api('GET', '/api-keys')).body.data.find((k) => k.id === created.body.data.id && k.last_used_at !== null),
      10_000,
      'last_used_at of the reporting key',
    )
    expect(listed).toMatchObject({ scopes: ['messages:read'], device_ids: null })
    expect(JSON.stringify(listed)).not.toContain(created.body.data.key)
  })

  it("tells why a device is up, lists its bulk requests with their progress, and counts the day's usage", async () => {
    const status = (await client.api('GET', `/devices/${deviceId}/status`)).body.data
    expect(status).toMatchObject({ status: 'authenticated', status_reason: null })
    expect(Date.parse(status.linked_at!)).toBeLessThanOrEqual(Date.now())
    await client.api('PATCH', `/devices/${deviceId}`, { send_interval_ms: 0 })
    const before = (await client.api('GET', `/usage?device_id=${deviceId}`)).body.data.totals.sent
    const bulk = await client.api('POST', '/send-bulk', {
      device_id: deviceId,
      messages: [1, 2].map((i) => ({ recipient: `+2237012340${i}`, message: `report ${i}` })),
    })
    expect(bulk.status).toBe(202)
    const listed = await until(
      async () => {
        const batch = (await client.api('GET', `/batches?device_id=${deviceId}&limit=1`)).body.data.batches[0]
        return batch?.batch_id === bulk.body.data.batch_id && batch.counts.queued === 0 ? batch : undefined
      },
      30_000,
      'the bulk request to be sent',
    )
    expect(listed.total).toBe(2)
    const usage = (await client.api('GET', `/usage?device_id=${deviceId}`)).body.data
    expect(usage.totals.sent).toBe(before + 2)
    expect(usage.days.at(-1)!.date).toBe(new Date().toISOString().slice(0, 10))
  })

  it('drives devices, retry-safe sends, a bulk and its messages through the typed client', async () => {
    const wa = createClient({ baseUrl: stack.baseUrl, apiKey: stack.credentials.apiKey })
    const devices = await unwrap(wa.GET('/api/whatsapp/devices'))
    expect(devices.map((d) => d.id)).toContain(deviceId)
    expect((await unwrap(wa.GET('/api/whatsapp/devices/{id}/status', { params: { path: { id: deviceId } } }))).status).toBe('authenticated')

    const key = idempotencyKey()
    const body = { recipient: '+22370123456', message: 'typed client', device_id: deviceId }
    const first = await unwrap(wa.POST('/api/whatsapp/send', { body, params: { header: idempotent(key) } }))
    const retried = await unwrap(wa.POST('/api/whatsapp/send', { body, params: { header: idempotent(key) } }))
    expect(retried.message_id).toBe(first.message_id)

    const bulk = await unwrap(
      wa.POST('/api/whatsapp/send-bulk', {
        body: { device_id: deviceId, messages: [1, 2, 3].map((i) => ({ recipient: `+2237012350${i}`, message: `typed ${i}` })) },
      }),
    )
    const listed: string[] = []
    for await (const message of eachMessage(wa, { batch_id: bulk.batch_id, limit: 1 })) listed.push(message.message_id)
    expect(listed.sort()).toEqual(bulk.messages.map((m) => m.message_id).sort())

    const refused = unwrap(wa.POST('/api/whatsapp/send', { body: { recipient: 'not a number', message: 'x', device_id: deviceId } }))
    await expect(refused).rejects.toBeInstanceOf(ApiError)
    await expect(refused).rejects.toMatchObject({ code: 'invalid_phone_number', status: 422 })
  })

  it('accepts exactly the remaining quota when many sends race', async () => {
    const used = (await client.api('GET', '/quota')).body.data.used
    await client.admin('PATCH', `/companies/${stack.credentials.companyId}`, { monthly_quota: used + 7 })
    await sleep(5_500) // the worker's key cache (5 s) picks up the new limit
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.api('POST', '/send', { recipient: '+22370123456', message: `race ${i}` })),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(7)
    expect(results.filter((r) => r.status === 429 && r.body.error.code === 'quota_exceeded')).toHaveLength(13)
    expect((await client.api('GET', '/quota')).body.data).toMatchObject({ used: used + 7, remaining: 0 })
    await client.admin('PATCH', `/companies/${stack.credentials.companyId}`, { monthly_quota: null })
    await sleep(5_500)
  })

  it('sends once for concurrent retries with one Idempotency-Key', async () => {
    const used = (await client.api('GET', '/quota')).body.data.used
    const body = { recipient: '+22370123456', message: 'exactly once' }
    const results = await Promise.all(Array.from({ length: 5 }, () => client.api('POST', '/send', body, { 'Idempotency-Key': 'e2e-once' })))
    const ids = new Set(results.filter((r) => r.status === 200).map((r) => r.body.data.message_id))
    expect(ids.size).toBe(1)
    expect(results.every((r) => r.status === 200 || r.body.error.code === 'idempotency_conflict')).toBe(true)
    const retry = await client.api('POST', '/send', body, { 'Idempotency-Key': 'e2e-once' })
    expect(retry.body.data.message_id).toBe([...ids][0])
    expect((await client.api('GET', '/quota')).body.data.used).toBe(used + 1)
  })

  it('finishes a bulk across kill -9 of its node: every message final, none sent twice', async () => {
    await client.api('PATCH', `/devices/${deviceId}`, { send_interval_ms: 100 })
    const total = 40
    const bulk = await client.api('POST', '/send-bulk', {
      messages: Array.from({ length: total }, (_, i) => ({ recipient: `+2237012${String(i).padStart(4, '1')}`, message: `bulk ${i}` })),
    })
    expect(bulk.status).toBe(202)
    const batchId = bulk.body.data.batch_id
    await until(
      async () => ((await client.api('GET', `/batches/${batchId}`)).body.data.counts.queued <= total - 8 ? true : undefined),
      30_000,
      'bulk under way',
    )

    const holder = (await client.admin('GET', '/nodes')).body.data.find((n) => n.devices === 1)
    await stack.nodes.find((n) => n.id === holder?.id)!.kill('SIGKILL')

    const batch = await until(
      async () => {
        const b = (await client.api('GET', `/batches/${batchId}`)).body.data
        return b.counts.queued === 0 ? b : undefined
      },
      GRACE_MS + 60_000,
      'every bulk message final',
    )
    expect(batch.total).toBe(total)
    // At most the one message in flight at the kill is lost to an unknown outcome.
    expect(batch.counts.failed).toBeLessThanOrEqual(1)
    expect(batch.counts.sent + batch.counts.delivered + batch.counts.read + batch.counts.failed).toBe(total)
    for (const { message_id } of bulk.body.data.messages) {
      const m = (await client.api('GET', `/messages/${message_id}`)).body.data
      expect(FINAL).toContain(m.status)
      if (m.status === 'failed') expect(m.error).toBe('interrupted')
      // Each node logs every message it hands to WhatsApp: no message appears twice across both.
      expect(nodeLog.filter((line) => line.includes(message_id) && line.includes('message sent')).length).toBeLessThanOrEqual(1)
    }
    const sentLines = nodeLog.filter(
      (line) => line.includes('message sent') && bulk.body.data.messages.some((m) => line.includes(m.message_id)),
    )
    expect(sentLines.length).toBeGreaterThanOrEqual(total - 1)
  })
})
