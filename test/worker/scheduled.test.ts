// Scheduled sends (send_at) and taking messages back (DELETE /messages/{id}): a scheduled message
// is stored and charged at once, waits in the device's ledger, and leaves at its time ahead of
// the queued backlog; a scheduled or queued message can be cancelled (refunded), nothing later.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { sleep, tenant } from './helpers'
import { linkedDevice, resetWorld } from './node-client'

afterEach(resetWorld)

const inMs = (ms: number) => new Date(Date.now() + ms).toISOString()
const alarmOf = (deviceId: number) => runInDurableObject(deviceOf(env, deviceId), (_, state) => state.storage.getAlarm())

describe('send_at', () => {
  it('answers 202 scheduled, charges now, and sends at its time, not before', async () => {
    const { api, device, sends } = await linkedDevice()
    const sendAt = inMs(1_500)
    const res = await api('POST', '/send', { recipient: '+22370123456', message: 'at nine', send_at: sendAt })
    expect(res.status).toBe(202)
    expect(res.body.data).toMatchObject({ status: 'scheduled', send_at: sendAt, device_id: device.id })
    expect(res.body.data.quota.used).toBe(1)
    const { message_id } = res.body.data
    expect((await api('GET', `/messages/${message_id}`)).body.data).toMatchObject({ status: 'scheduled', send_at: sendAt, sent_at: null })
    // The device's alarm is armed for the message's time at the latest.
    expect(await alarmOf(device.id)).toBeLessThanOrEqual(Date.parse(sendAt))

    await runDurableObjectAlarm(deviceOf(env, device.id))
    expect(sends).toHaveLength(0)
    expect((await api('GET', `/messages?status=scheduled`)).body.data.messages.map((m) => m.message_id)).toEqual([message_id])

    await sleep(Date.parse(sendAt) - Date.now() + 20)
    await runDurableObjectAlarm(deviceOf(env, device.id))
    expect(sends.map((s) => s.message_id)).toEqual([message_id])
    const sent = (await api('GET', `/messages/${message_id}`)).body.data
    expect(sent.status).toBe('sent')
    expect(Date.parse(sent.sent_at!)).toBeGreaterThanOrEqual(Date.parse(sendAt))
  })

  it('refuses a time in the past, more than 30 days ahead, or not a date, and charges nothing', async () => {
    const { api } = await linkedDevice()
    for (const send_at of [inMs(-5 * 60_000), inMs(31 * 24 * 3600_000), 'tomorrow at 9', '2026-12-01T09:00:00']) {
      const res = await api('POST', '/send', { recipient: '+22370123456', message: 'x', send_at })
      expect(res.status, send_at).toBe(422)
      expect(res.body.error.code).toBe('validation_error')
      expect(res.body.error.details[0]?.field).toMatch(/send_at/)
    }
    const bulk = await api('POST', '/send-bulk', {
      messages: [
        { recipient: '+22370123456', message: 'ok' },
        { recipient: '+22370123456', message: 'late', send_at: inMs(-3_600_000) },
      ],
    })
    expect(bulk.status).toBe(422)
    expect(bulk.body.error.details[0]).toMatchObject({ index: 1, field: 'messages.1.send_at' })
    expect((await api('GET', '/quota')).body.data.used).toBe(0)
  })

  it('takes a time a few seconds in the past (a slow clock) as now', async () => {
    const { api } = await linkedDevice()
    const res = await api('POST', '/send', { recipient: '+22370123456', message: 'x', send_at: inMs(-10_000) })
    expect(res.status).toBe(202)
    expect(Date.parse(res.body.data.send_at!)).toBeGreaterThan(Date.now() - 5_000)
  })

  it('is accepted while the device is paused or not linked; it only has to send at its time', async () => {
    const { api, device } = await linkedDevice()
    await api('PATCH', `/devices/${device.id}`, { is_active: false })
    const paused = await api('POST', '/send', { recipient: '+22370123456', message: 'later', send_at: inMs(3_600_000) })
    expect(paused.status).toBe(202)
    // Sending now from a paused device is still refused.
    expect((await api('POST', '/send', { recipient: '+22370123456', message: 'now' })).status).toBe(503)

    const t = await tenant()
    const unlinked = (await t.api('POST', '/devices', { name: 'not linked yet' })).body.data
    const res = await t.api('POST', '/send', { recipient: '+22370123456', message: 'x', device_id: unlinked.id, send_at: inMs(60_000) })
    expect(res.status).toBe(202)
    expect(res.body.data.status).toBe('scheduled')
  })

  it('sends a due scheduled bulk item ahead of the queued backlog, and counts it in the batch', async () => {
    const { api, device, sends } = await linkedDevice()
    // A long pause: only the test's own alarm runs move the backlog past its first message.
    await api('PATCH', `/devices/${device.id}`, { send_interval_ms: 600_000 })
    const sendAt = inMs(300)
    const res = await api('POST', '/send-bulk', {
      messages: [
        { recipient: '+22370123451', message: 'first in line' },
        { recipient: '+22370123452', message: 'second in line' },
        { recipient: '+22370123453', message: 'at its time', send_at: sendAt },
      ],
    })
    expect(res.status).toBe(202)
    const [first, second, timed] = res.body.data.messages
    expect([first?.status, second?.status, timed?.status]).toEqual(['queued', 'queued', 'scheduled'])
    expect(timed?.send_at).toBe(sendAt)
    const batchId = res.body.data.batch_id
    expect((await api('GET', `/batches/${batchId}`)).body.data.counts).toMatchObject({ scheduled: 1 })

    for (let i = 0; i < 10 && sends.length < 1; i++) await runDurableObjectAlarm(deviceOf(env, device.id))
    await sleep(Date.parse(sendAt) - Date.now() + 20)
    for (let i = 0; i < 10 && sends.length < 3; i++) await runDurableObjectAlarm(deviceOf(env, device.id))
    expect(sends.map((s) => s.message_id)).toEqual([first?.message_id, timed?.message_id, second?.message_id])
    expect((await api('GET', `/batches/${batchId}`)).body.data.counts).toMatchObject({ queued: 0, scheduled: 0, sent: 3 })
  })
})

describe('DELETE /messages/{id}', () => {
  it('cancels a scheduled message: never sent, quota back, told as message.cancelled', async () => {
    const { api, device, sends } = await linkedDevice()
    const { message_id } = (await api('POST', '/send', { recipient: '+22370123456', message: 'x', send_at: inMs(200) })).body.data
    expect((await api('GET', '/quota')).body.data.used).toBe(1)
    const res = await api('DELETE', `/messages/${message_id}`)
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ message_id, status: 'cancelled' })
    expect(res.body.data.cancelled_at).not.toBeNull()
    expect((await api('GET', '/quota')).body.data.used).toBe(0)

    await sleep(250)
    await runDurableObjectAlarm(deviceOf(env, device.id))
    expect(sends).toHaveLength(0)
    expect((await api('GET', `/messages/${message_id}`)).body.data.status).toBe('cancelled')
    const events = (await api('GET', '/events?type=message.cancelled')).body.data.events
    expect(events.map((e) => e.data.message_id)).toEqual([message_id])

    const again = await api('DELETE', `/messages/${message_id}`)
    expect(again.status).toBe(409)
    expect(again.body.error).toMatchObject({ code: 'message_not_cancellable', details: { status: 'cancelled' } })
  })

  it('cancels a queued bulk message and completes the batch without it', async () => {
    const { api, device, sends } = await linkedDevice()
    // Paced: the first goes at once, the second waits its turn (with pacing off, one alarm sends both).
    await api('PATCH', `/devices/${device.id}`, { send_interval_ms: 60_000 })
    const res = await api('POST', '/send-bulk', { messages: [1, 2].map((i) => ({ recipient: '+22370123456', message: `m${i}` })) })
    const [keep, drop] = res.body.data.messages
    expect((await api('DELETE', `/messages/${drop?.message_id}`)).body.data.status).toBe('cancelled')
    for (let i = 0; i < 5 && sends.length < 1; i++) await runDurableObjectAlarm(deviceOf(env, device.id))
    await runDurableObjectAlarm(deviceOf(env, device.id))
    expect(sends.map((s) => s.message_id)).toEqual([keep?.message_id])
    expect((await api('GET', '/quota')).body.data.used).toBe(1)
    const batch = (await api('GET', `/batches/${res.body.data.batch_id}`)).body.data
    expect(batch.counts).toMatchObject({ sent: 1, cancelled: 1, queued: 0 })
    const completed = (await api('GET', '/events?type=batch.completed')).body.data.events
    expect(completed.map((e) => e.data.batch_id)).toEqual([res.body.data.batch_id])
  })

  it('refuses a message already sent (409 with its status), and 404s an unknown one or another company’s', async () => {
    const { api } = await linkedDevice()
    const sent = (await api('POST', '/send', { recipient: '+22370123456', message: 'x' })).body.data
    const res = await api('DELETE', `/messages/${sent.message_id}`)
    expect(res.status).toBe(409)
    expect(res.body.error).toMatchObject({ code: 'message_not_cancellable', details: { status: 'sent' } })
    expect((await api('GET', '/quota')).body.data.used).toBe(1)

    const scheduled = (await api('POST', '/send', { recipient: '+22370123456', message: 'y', send_at: inMs(60_000) })).body.data
    const other = await tenant()
    const foreign = await other.api('DELETE', `/messages/${scheduled.message_id}`)
    expect(foreign.status).toBe(404)
    expect(foreign.body.error.code).toBe('not_found')
    expect((await api('GET', `/messages/${scheduled.message_id}`)).body.data.status).toBe('scheduled')
    expect((await api('DELETE', '/messages/msg_1_nothingHere')).status).toBe(404)
  })
})
