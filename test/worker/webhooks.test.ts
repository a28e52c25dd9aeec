// Webhook endpoints in the Workers runtime: the API (secret shown once, URL rules, limits,
// tenant isolation on every route), signed delivery that `standardwebhooks` verifies unchanged,
// the retry schedule on EndpointDO's injectable clock, Retry-After, 410 and five days of
// failures disabling the endpoint, rotation with two signatures, test events, the delivery log,
// manual retries and replays with the same ids. Receivers are a spy on fetch (the Durable
// Objects run in this isolate), answering as each test says.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Webhook as Verifier } from 'standardwebhooks'
import { describe, expect, it, vi } from 'vitest'
import { endpointOf } from '../../worker/durable-objects/stubs'
import type { EndpointDO } from '../../worker/durable-objects/webhooks/endpoint-do'
import { MAX_ATTEMPTS, RETRY_SCHEDULE_MS } from '../../worker/webhooks/retry-schedule'
import { tenant } from './helpers'
import { linkedDevice } from './node-client'
import { arrivals, endpoint, HOOK, listenForWebhooks, ofType, receiver } from './webhook-receiver'

listenForWebhooks()

/** Moves an endpoint's clock `ms` forward and runs its alarm. */
async function advance(endpointId: number, ms: number) {
  const stub = endpointOf(env, endpointId)
  await runInDurableObject(stub, (instance: EndpointDO) => {
    const base = instance.clock.now()
    const setAt = Date.now()
    instance.clock = { now: () => base + ms + (Date.now() - setAt) }
  })
  await runDurableObjectAlarm(stub)
}

describe('webhook endpoints: the API', () => {
  it('shows the secret once, keeps to https and public hosts, and takes at most 10', async () => {
    const { api } = await tenant()
    const created = await endpoint(api, { event_types: ['message.read'], description: 'CRM' })
    expect(created).toMatchObject({ url: HOOK, event_types: ['message.read'], device_ids: null, is_active: true, description: 'CRM' })
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    const read = (await api('GET', `/webhooks/${created.id}`)).body.data
    expect(read).not.toHaveProperty('secret')
    expect(JSON.stringify((await api('GET', '/webhooks')).body.data)).not.toContain(created.secret)
    for (const url of [
      'http://hooks.example.com/x',
      'https://10.0.0.1/x',
      'https://localhost/x',
      'https://[::1]/x',
      'ftp://x.example.com',
    ]) {
      const refused = await api('POST', '/webhooks', { url, event_types: ['*'] })
      expect(refused.status, url).toBe(422)
      expect(refused.body.error).toMatchObject({ code: 'validation_error', details: [{ field: 'url' }] })
    }
    expect((await api('POST', '/webhooks', { url: HOOK, event_types: ['message.nope'] })).status).toBe(422)
    for (let n = 1; n < 10; n += 1) await endpoint(api)
    const eleventh = await api('POST', '/webhooks', { url: HOOK, event_types: ['*'] })
    expect(eleventh.status).toBe(403)
    expect(eleventh.body.error).toMatchObject({ code: 'webhook_limit_reached', details: { max_webhooks: 10 } })
  })

  it("keeps every route to the endpoint's company, and device_ids to its devices", async () => {
    const { api, device } = await linkedDevice()
    const mine = await endpoint(api)
    const other = await tenant()
    const id = mine.id
    const attempts = [
      other.api('GET', `/webhooks/${id}`),
      other.api('PATCH', `/webhooks/${id}`, { description: 'x' }),
      other.api('DELETE', `/webhooks/${id}`),
      other.api('POST', `/webhooks/${id}/rotate-secret`),
      other.api('POST', `/webhooks/${id}/test`),
      other.api('GET', `/webhooks/${id}/deliveries`),
      other.api('GET', `/webhooks/${id}/deliveries/dlv_${'0'.repeat(26)}`),
      other.api('POST', `/webhooks/${id}/deliveries/dlv_${'0'.repeat(26)}/retry`),
      other.api('POST', `/webhooks/${id}/replay`, { since: new Date(0).toISOString() }),
    ]
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('webhook_not_found')
    }
    expect((await other.api('GET', '/webhooks')).body.data).toEqual([])
    const stranger = await other.api('POST', '/webhooks', { url: HOOK, event_types: ['*'], device_ids: [device.id] })
    expect(stranger.status).toBe(422)
    expect(stranger.body.error.details).toEqual([expect.objectContaining({ field: 'device_ids' })])
    expect((await api('GET', `/webhooks/${id}`)).status).toBe(200)
  })
})

describe('webhook delivery', () => {
  it("delivers a send's lifecycle signed so standardwebhooks verifies it, with the event id as webhook-id", async () => {
    const { api, session } = await linkedDevice()
    const hook = await endpoint(api, { event_types: ['message.sent', 'message.delivered'] })
    const sent = await api('POST', '/send', { recipient: '+22370123456', message: 'Hello' })
    session.send({ type: 'receipt', id: 'r1', wa_message_id: `WA-${sent.body.data.message_id}`, status: 'delivered', at: Date.now() })
    const [first, second] = await arrivals(() => true, 2)
    const verifier = new Verifier(hook.secret)
    for (const delivery of [first!, second!]) {
      const event = verifier.verify(delivery.body, delivery.headers) as { id: string; type: string; data: { message_id: string } }
      expect(delivery.headers['webhook-id']).toBe(event.id)
      expect(event.data.message_id).toBe(sent.body.data.message_id)
    }
    expect([first, second].map((d) => (JSON.parse(d!.body) as { type: string }).type)).toEqual(['message.sent', 'message.delivered'])
    // Only the types it asked for.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(receiver.received).toHaveLength(2)
    const log = (await api('GET', `/webhooks/${hook.id}/deliveries`)).body.data
    expect(log.deliveries.map((d) => d.status)).toEqual(['succeeded', 'succeeded'])
  })

  it('retries along the published schedule on its clock, then fails the delivery after the last attempt', async () => {
    const { api } = await tenant()
    const hook = await endpoint(api)
    receiver.answer = () => new Response('down for maintenance', { status: 500 })
    await api('POST', `/webhooks/${hook.id}/test`)
    await arrivals(() => true)
    let delivery = (await api('GET', `/webhooks/${hook.id}/deliveries`)).body.data.deliveries[0]!
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, last_http_status: 500 })
    for (const [n, wait] of RETRY_SCHEDULE_MS.entries()) {
      await advance(hook.id, wait * 1.25)
      await arrivals(() => true, n + 2)
    }
    delivery = (await api('GET', `/webhooks/${hook.id}/deliveries`)).body.data.deliveries[0]!
    expect(delivery).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, next_attempt_at: null })
    const detail = (await api('GET', `/webhooks/${hook.id}/deliveries/${delivery.delivery_id}`)).body.data
    expect(detail.attempt_log).toHaveLength(MAX_ATTEMPTS)
    expect(detail.attempt_log[0]).toMatchObject({
      attempt: 1,
      http_status: 500,
      response_snippet: 'down for maintenance',
      error: 'HTTP 500',
    })
    // Every attempt carried the same webhook-id.
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1)
  })

  it('waits for a Retry-After longer than its schedule, and tries again at once on a manual retry', async () => {
    const { api } = await tenant()
    const hook = await endpoint(api)
    receiver.answer = () => new Response('slow down', { status: 429, headers: { 'Retry-After': '3600' } })
    await api('POST', `/webhooks/${hook.id}/test`)
    await arrivals(() => true)
    const delivery = (await api('GET', `/webhooks/${hook.id}/deliveries`)).body.data.deliveries[0]!
    const waitMs = Date.parse(delivery.next_attempt_at!) - Date.parse(delivery.updated_at)
    expect(waitMs).toBeGreaterThanOrEqual(3_600_000)
    receiver.answer = () => new Response('ok')
    const retried = await api('POST', `/webhooks/${hook.id}/deliveries/${delivery.delivery_id}/retry`)
    expect(retried.body.data).toMatchObject({ status: 'succeeded', attempts: 2 })
  })

  it('disables the endpoint on a 410, and after five days without a success', async () => {
    const { api } = await tenant()
    const gone = await endpoint(api)
    receiver.answer = () => new Response('gone', { status: 410 })
    await api('POST', `/webhooks/${gone.id}/test`)
    await vi.waitFor(async () => expect((await api('GET', `/webhooks/${gone.id}`)).body.data.is_active).toBe(false))
    expect((await api('GET', `/webhooks/${gone.id}`)).body.data.disabled_reason).toMatch(/410/)

    const failing = await endpoint(api)
    receiver.answer = () => new Response('no', { status: 503 })
    await api('POST', `/webhooks/${failing.id}/test`)
    await arrivals((r) => r.url === HOOK, 2)
    // Its retry, five days after the first failure, fails too.
    await advance(failing.id, 4 * 24 * 60 * 60 * 1000)
    expect((await api('GET', `/webhooks/${failing.id}`)).body.data.is_active).toBe(true)
    await advance(failing.id, 24 * 60 * 60 * 1000 + 60_000)
    await vi.waitFor(async () => expect((await api('GET', `/webhooks/${failing.id}`)).body.data.is_active).toBe(false))
    expect((await api('GET', `/webhooks/${failing.id}`)).body.data.disabled_reason).toMatch(/5 days/)
    // Turned on again by the company, it delivers again.
    receiver.answer = () => new Response('ok')
    expect((await api('PATCH', `/webhooks/${failing.id}`, { is_active: true })).body.data).toMatchObject({
      is_active: true,
      disabled_reason: null,
    })
  })

  it('never lets a slow endpoint delay another one', async () => {
    const { api } = await linkedDevice()
    await endpoint(api, { url: 'https://hooks.example.com/slow', event_types: ['message.sent'] })
    await endpoint(api, { url: 'https://hooks.example.com/fast', event_types: ['message.sent'] })
    // The slow one answers only when the attempt gives up on it (15 s).
    receiver.answer = (request, signal) =>
      request.url.endsWith('/slow')
        ? new Promise((_, reject) => signal?.addEventListener('abort', () => reject(new DOMException('timed out', 'TimeoutError'))))
        : new Response('ok')
    await api('POST', '/send', { recipient: '+22370123456', message: 'one' })
    await api('POST', '/send', { recipient: '+22370123457', message: 'two' })
    const fast = await arrivals((r) => r.url.endsWith('/fast'), 2)
    expect(fast).toHaveLength(2)
    // Meanwhile the slow endpoint still holds its first delivery open.
    expect(receiver.received.filter((r) => r.url.endsWith('/slow'))).toHaveLength(1)
  })

  it('signs with both secrets for a day after a rotation; each verifies', async () => {
    const { api } = await tenant()
    const hook = await endpoint(api)
    const rotated = (await api('POST', `/webhooks/${hook.id}/rotate-secret`)).body.data
    expect(rotated.secret).not.toBe(hook.secret)
    await api('POST', `/webhooks/${hook.id}/test`)
    const [delivery] = await arrivals(() => true)
    expect(delivery!.headers['webhook-signature']!.split(' ')).toHaveLength(2)
    expect(new Verifier(rotated.secret).verify(delivery!.body, delivery!.headers)).toMatchObject({ type: 'webhook.test' })
    expect(new Verifier(hook.secret).verify(delivery!.body, delivery!.headers)).toMatchObject({ type: 'webhook.test' })
  })

  it("sends a device's events in sequence order even when their retries were jittered apart", async () => {
    const { api } = await linkedDevice()
    const hook = await endpoint(api, { event_types: ['message.sent'] })
    // The first event's retry is drawn latest, the last one's earliest.
    const draws = [0.99, 0.5, 0]
    await runInDurableObject(endpointOf(env, hook.id), (instance: EndpointDO) => {
      instance.random = () => draws.shift() ?? 0.5
    })
    receiver.answer = () => new Response('down', { status: 503 })
    for (const n of [1, 2, 3]) await api('POST', '/send', { recipient: `+2237012345${n}`, message: `m${n}` })
    await arrivals(() => true, 3)
    const pending = (await api('GET', `/webhooks/${hook.id}/deliveries?status=pending`)).body.data.deliveries
    const earliest = Math.min(...pending.map((d) => Date.parse(d.next_attempt_at!) - Date.parse(d.updated_at)))
    receiver.answer = () => new Response('ok')
    receiver.received = []
    // Only the last event's retry is due; the two before it go with it, first.
    await advance(hook.id, earliest + 50)
    const order = (await arrivals(() => true, 3)).map((r) => (JSON.parse(r.body) as { sequence: number }).sequence)
    expect(order).toEqual([...order].sort((a, b) => a - b))
  })

  it('replays a time range with the same event ids and bodies, as new deliveries', async () => {
    const { api } = await linkedDevice()
    const since = new Date(Date.now() - 1_000).toISOString()
    const hook = await endpoint(api, { event_types: ['message.sent'] })
    await api('POST', '/send', { recipient: '+22370123456', message: 'one' })
    await api('POST', '/send', { recipient: '+22370123457', message: 'two' })
    const live = await arrivals(ofType('message.sent'), 2)
    const replay = await api('POST', `/webhooks/${hook.id}/replay`, { since })
    expect(replay.status).toBe(202)
    expect(replay.body.data.events).toBe(2)
    const all = await arrivals(ofType('message.sent'), 4)
    const replayed = all.slice(2)
    expect(replayed.map((r) => r.headers['webhook-id'])).toEqual(live.map((r) => r.headers['webhook-id']))
    expect(replayed.map((r) => r.body)).toEqual(live.map((r) => r.body))
    const log = (await api('GET', `/webhooks/${hook.id}/deliveries`)).body.data.deliveries
    expect(log.filter((d) => d.origin === 'replay').map((d) => d.replay_id)).toEqual([
      replay.body.data.replay_id,
      replay.body.data.replay_id,
    ])
    expect((await api('POST', `/webhooks/${hook.id}/replay`, { since, until: since })).status).toBe(422)
  })
})
