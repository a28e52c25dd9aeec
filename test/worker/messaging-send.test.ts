// POST /send through a linked device: delivery tracking, validation, outcomes and refunds,
// quota and rate limits, idempotency.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { sleep, tenant } from './helpers'
import { linkedDevice, resetWorld } from './node-client'

afterEach(resetWorld)

const deviceDO = (id: number) => deviceOf(env, id)

describe('POST /send', () => {
  it('sends a text through the device and tracks it to read', async () => {
    const { api, device, sends, session } = await linkedDevice()
    const res = await api('POST', '/send', { recipient: '+22370123456', message: 'Hello' })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({
      chat_id: '22370123456@s.whatsapp.net',
      device_id: device.id,
      status: 'sent',
      quota: { limit: null, used: 1, remaining: null, period: expect.stringMatching(/^\d{4}-\d{2}$/) },
    })
    const id = res.body.data.message_id
    expect(sends).toEqual([expect.objectContaining({ type: 'send', message_id: id, chat_id: '22370123456@s.whatsapp.net', text: 'Hello' })])

    session.send({ type: 'receipt', id: 'r1', wa_message_id: `WA-${id}`, status: 'delivered', at: Date.now() })
    await session.resultOf('r1')
    session.send({ type: 'receipt', id: 'r2', wa_message_id: `WA-${id}`, status: 'read', at: Date.now() })
    await session.resultOf('r2')
    const message = (await api('GET', `/messages/${id}`)).body.data
    expect(message).toMatchObject({
      message_id: id,
      status: 'read',
      type: 'text',
      recipient: '+22370123456',
      device_id: device.id,
      batch_id: null,
      error: null,
    })
    for (const field of ['created_at', 'sent_at', 'delivered_at', 'read_at'] as const) expect(message[field]).toEqual(expect.any(String))
    expect(message.failed_at).toBeNull()
  })

  it('takes the receipts of several messages in one frame, acknowledged once, each with its event', async () => {
    const { api, session } = await linkedDevice()
    expect(session.frames.find((f) => f.type === 'welcome')).toMatchObject({ receipt_batches: true })
    const ids: string[] = []
    for (const n of [1, 2]) ids.push((await api('POST', '/send', { recipient: `+2237012345${n}`, message: `m${n}` })).body.data.message_id)
    const [a, b] = ids as [string, string]
    const at = Date.now()
    session.send({
      type: 'receipts',
      id: 'batch',
      receipts: [
        { wa_message_id: `WA-${a}`, status: 'delivered', at },
        { wa_message_id: `WA-${b}`, status: 'delivered', at },
        { wa_message_id: `WA-${a}`, status: 'read', at: at + 1 },
        // Sent from the phone itself: not ours, ignored like a single receipt would be.
        { wa_message_id: 'WA-from-the-phone', status: 'read', at },
      ],
    })
    expect(await session.resultOf('batch')).toMatchObject({ ok: true })
    expect(session.frames.filter((f) => f.type === 'result' && f.id === 'batch')).toHaveLength(1)
    expect((await api('GET', `/messages/${a}`)).body.data).toMatchObject({ status: 'read', delivered_at: expect.any(String) })
    expect((await api('GET', `/messages/${b}`)).body.data).toMatchObject({ status: 'delivered', read_at: null })
    await vi.waitFor(
      async () => {
        const { events } = (await api('GET', '/events?limit=100')).body.data as {
          events: Array<{ type: string; data: { message_id?: string } }>
        }
        const of = (id: string) => events.filter((e) => e.data.message_id === id).map((e) => e.type)
        expect(of(a)).toEqual(['message.sent', 'message.delivered', 'message.read'])
        expect(of(b)).toEqual(['message.sent', 'message.delivered'])
      },
      { timeout: 5_000, interval: 50 },
    )
  })

  it('sends media with a caption and to groups', async () => {
    const { api, sends } = await linkedDevice()
    const media = await api('POST', '/send', { recipient: '22370123456', message: 'Invoice', media_url: 'https://example.com/a.pdf' })
    expect(media.status).toBe(200)
    expect(sends[0]).toMatchObject({ media: { url: 'https://example.com/a.pdf', caption: 'Invoice' } })
    expect(sends[0]?.text).toBe('Invoice')
    const group = await api('POST', '/send', { recipient: '120363012345678901@g.us', is_group: true, message: 'Hi all' })
    expect(group.body.data.chat_id).toBe('120363012345678901@g.us')
    expect((await api('GET', `/messages/${media.body.data.message_id}`)).body.data.type).toBe('document')
  })

  it('accepts null for optional fields, as PHP and axios clients send them', async () => {
    const { api, device } = await linkedDevice()
    const res = await api('POST', '/send', { recipient: '+22370123456', message: 'x', media_url: null, is_group: null, device_id: null })
    expect(res.status).toBe(200)
    expect(res.body.data.device_id).toBe(device.id)
    expect((await api('POST', '/send', { recipient: '+22370123456', message: 'x', device_id: String(device.id) })).status).toBe(200)
  })

  it('refuses an oversized body with validation_error, not a crash', async () => {
    const { api } = await linkedDevice()
    const res = await api('POST', '/send', { recipient: '+22370123456', message: 'x'.repeat(17 * 1024 * 1024) })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('validation_error')
  })

  it('uses the default device, and device_not_found without one or for another company', async () => {
    const { api, device } = await linkedDevice()
    expect((await api('POST', '/send', { recipient: '+22370123456', message: 'x' })).body.data.device_id).toBe(device.id)
    const other = await tenant()
    const theirs = await other.api('POST', '/send', { recipient: '+22370123456', message: 'x', device_id: device.id })
    expect(theirs.status).toBe(404)
    expect(theirs.body.error.code).toBe('device_not_found')
    const none = await other.api('POST', '/send', { recipient: '+22370123456', message: 'x' })
    expect(none.body.error.code).toBe('device_not_found')
  })

  it('answers device_not_ready for a device that is not linked, paused, or without its node', async () => {
    const t = await tenant()
    const pending = (await t.api('POST', '/devices', { name: 'unlinked' })).body.data
    const res = await t.api('POST', '/send', { recipient: '+22370123456', message: 'x', device_id: pending.id })
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('device_not_ready')

    const linked = await linkedDevice()
    linked.session.ws.close(1000, 'node gone')
    await sleep(100)
    expect((await linked.api('POST', '/send', { recipient: '+22370123456', message: 'x' })).body.error.code).toBe('device_not_ready')
    // Nothing was charged for sends that never happened.
    expect((await linked.api('GET', '/quota')).body.data.used).toBe(0)
  })

  it('validates the body with the design’s codes', async () => {
    const { api } = await linkedDevice()
    const cases: Array<[unknown, number, string]> = [
      [{ recipient: '+22370123456' }, 422, 'validation_error'],
      [{ recipient: '+22370123456', message: 'x', media_url: 'ftp://example.com/a.png' }, 422, 'validation_error'],
      [{ recipient: '+22370123456', message: 'x', media_url: 'file:///etc/passwd' }, 422, 'validation_error'],
      [{ recipient: '+22370123456', message: 'a'.repeat(4097) }, 422, 'message_too_long'],
      [{ recipient: '+22370123456', message: 'a'.repeat(1025), media_url: 'https://example.com/a.png' }, 422, 'message_too_long'],
      [{ recipient: '12', message: 'x' }, 422, 'invalid_phone_number'],
      [{ recipient: '+999123', message: 'x' }, 422, 'invalid_phone_number'],
      [{ recipient: 'not-a-group', is_group: true, message: 'x' }, 422, 'validation_error'],
      [{ message: 'x' }, 422, 'validation_error'],
    ]
    for (const [body, status, code] of cases) {
      const res = await api('POST', '/send', body)
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(status)
      expect(res.body.error.code, JSON.stringify(body).slice(0, 80)).toBe(code)
    }
    expect((await api('POST', '/send', { recipient: '+22370123456', message: 'a'.repeat(4096) })).status).toBe(200)
    expect((await api('GET', '/quota')).body.data.used).toBe(1)
  })

  it('reports not_on_whatsapp and media_unavailable from the node, and refunds them', async () => {
    const { api } = await linkedDevice({}, (command) =>
      command.chat_id.startsWith('22370120000')
        ? { ok: false, code: 'not_on_whatsapp' }
        : command.media
          ? { ok: false, code: 'media_unavailable', message: 'refused: private address' }
          : { ok: true },
    )
    const unknown = await api('POST', '/send', { recipient: '+22370120000', message: 'x' })
    expect(unknown.status).toBe(422)
    expect(unknown.body.error).toMatchObject({ code: 'invalid_phone_number', details: { reason: 'not_on_whatsapp' } })
    const media = await api('POST', '/send', { recipient: '+22370123456', message: 'x', media_url: 'http://10.0.0.1/a.png' })
    expect(media.status).toBe(422)
    expect(media.body.error.code).toBe('media_unavailable')
    expect((await api('GET', '/quota')).body.data.used).toBe(0)
    const failed = (await api('GET', `/messages/${unknown.body.error.details.message_id}`)).body.data
    expect(failed).toMatchObject({ status: 'failed', error: 'not_on_whatsapp', failed_at: expect.any(String) })
  })
})

describe('outcomes and refunds', () => {
  it('charges a failed hand-over once: a device that cannot send refunds exactly what it reserved', async () => {
    const linked = await linkedDevice()
    expect((await linked.api('POST', '/send', { recipient: '+22370123456', message: 'ok' })).status).toBe(200)
    linked.session.ws.close(1000, 'node gone')
    await sleep(100)
    expect((await linked.api('POST', '/send', { recipient: '+22370123456', message: 'x' })).body.error.code).toBe('device_not_ready')
    expect((await linked.api('GET', '/quota')).body.data.used).toBe(1)
  })

  it('never retries a send whose outcome is unknown, even with the same Idempotency-Key', async () => {
    const { api, sends } = await linkedDevice({}, () => ({ ok: false, code: 'outcome_unknown', message: 'socket closed after write' }))
    const body = { recipient: '+22370123456', message: 'maybe' }
    const first = await api('POST', '/send', body, { 'Idempotency-Key': 'unknown-1' })
    expect(first.status).toBe(503)
    expect(first.body.error).toMatchObject({ code: 'device_not_ready', details: { outcome: 'unknown', message_id: expect.any(String) } })
    const retry = await api('POST', '/send', body, { 'Idempotency-Key': 'unknown-1' })
    expect(retry.body).toEqual(first.body)
    expect(sends).toHaveLength(1)
    // It may have gone out, so it stays charged, and it reads as failed/interrupted.
    expect((await api('GET', '/quota')).body.data.used).toBe(1)
    expect((await api('GET', `/messages/${first.body.error.details.message_id}`)).body.data).toMatchObject({
      status: 'failed',
      error: 'interrupted',
    })
  })

  it('fails and refunds bulk messages still queued after a day', async () => {
    // A node that takes sends and never answers, then disappears for good.
    const { api, device, session } = await linkedDevice({}, () => 'ignore')
    const res = await api('POST', '/send-bulk', { messages: [1, 2, 3].map((i) => ({ recipient: '+22370123456', message: `m${i}` })) })
    expect(res.status).toBe(202)
    session.ws.close(1000, 'gone')
    await sleep(100)
    await runInDurableObject(deviceDO(device.id), (_instance, state) => {
      state.storage.sql.exec('UPDATE messages SET created_at = created_at - ?', 25 * 3600 * 1000)
    })
    await runDurableObjectAlarm(deviceDO(device.id))
    const batch = (await api('GET', `/batches/${res.body.data.batch_id}`)).body.data
    expect(batch.counts).toMatchObject({ queued: 0, failed: 3 })
    const errors = await Promise.all(
      res.body.data.messages.map(async (m) => (await api('GET', `/messages/${m.message_id}`)).body.data.error),
    )
    // The first may have been handed to the node before it vanished (unknown, kept); the rest expired.
    expect(errors.slice(1)).toEqual(['expired', 'expired'])
    expect(['expired', 'interrupted']).toContain(errors[0])
    expect((await api('GET', '/quota')).body.data.used).toBe(errors.filter((e) => e === 'interrupted').length)
  })
})

describe('quota', () => {
  it('accepts exactly the remaining quota under concurrency, then quota_exceeded with Retry-After', async () => {
    const { api } = await linkedDevice({ monthly_quota: 3 })
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => api('POST', '/send', { recipient: '+22370123456', message: `m${i}` })),
    )
    expect(results.filter((r) => r.status === 200)).toHaveLength(3)
    const refused = results.filter((r) => r.status === 429)
    expect(refused).toHaveLength(5)
    expect(refused[0]!.body.error.code).toBe('quota_exceeded')
    expect(Number(refused[0]!.headers.get('Retry-After'))).toBeGreaterThan(0)
    const quota = (await api('GET', '/quota')).body.data
    expect(quota).toMatchObject({ limit: 3, used: 3, remaining: 0 })
    expect(Date.parse(quota.resets_at)).toBeGreaterThan(Date.now())
  })

  it('rate_limited once a key exceeds its burst', async () => {
    const t = await tenant()
    const device = (await t.api('POST', '/devices', { name: 'x' })).body.data
    const results = await Promise.all(
      Array.from({ length: 60 }, () => t.api('POST', '/send', { recipient: '+22370123456', message: 'x', device_id: device.id })),
    )
    const limited = results.filter((r) => r.status === 429)
    expect(limited.length).toBeGreaterThan(0)
    expect(limited[0]!.body.error.code).toBe('rate_limited')
    expect(limited[0]!.headers.get('Retry-After')).toMatch(/^\d+$/)
  })
})

describe('idempotency', () => {
  it('returns the first response to a retry without sending or charging again', async () => {
    const { api, sends } = await linkedDevice()
    const body = { recipient: '+22370123456', message: 'once' }
    const first = await api('POST', '/send', body, { 'Idempotency-Key': 'order-42' })
    const retry = await api('POST', '/send', body, { 'Idempotency-Key': 'order-42' })
    expect(retry.status).toBe(200)
    expect(retry.body.data.message_id).toBe(first.body.data.message_id)
    expect(retry.headers.get('Idempotent-Replayed')).toBe('true')
    expect(retry.headers.get('X-Request-Id')).toMatch(/.+/)
    expect(sends).toHaveLength(1)
    expect((await api('GET', '/quota')).body.data.used).toBe(1)
    const conflict = await api('POST', '/send', { ...body, message: 'other' }, { 'Idempotency-Key': 'order-42' })
    expect(conflict.status).toBe(409)
    expect(conflict.body.error.code).toBe('idempotency_conflict')
  })

  it('replays a bulk request with the same ids', async () => {
    const { api } = await linkedDevice()
    const body = { messages: [{ recipient: '+22370123456', message: 'a' }] }
    const first = await api('POST', '/send-bulk', body, { 'Idempotency-Key': 'bulk-1' })
    const retry = await api('POST', '/send-bulk', body, { 'Idempotency-Key': 'bulk-1' })
    expect(retry.body.data.batch_id).toBe(first.body.data.batch_id)
    expect((await api('GET', '/quota')).body.data.used).toBe(1)
  })
})
