// The lists a dashboard and a report need: GET /batches (newest first, with counts) and GET
// /usage (per UTC day: sent, delivered, read, failed, received). Both read counters DeviceDO's
// ledger keeps as it changes, never a scan of the messages.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { InboundMessageInput } from '../../protocol/inbound'
import { Ledger, type NewMessage } from '../../worker/durable-objects/device/ledger'
import { batchViewOf } from '../../worker/durable-objects/device/message-view'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { freshId, tenant } from './helpers'
import { linkedDevice, resetWorld } from './node-client'
import { rowsReadBy } from './rows-read'

afterEach(resetWorld)

const today = () => new Date().toISOString().slice(0, 10)
const bulk = (n: number) => ({ messages: Array.from({ length: n }, (_, i) => ({ recipient: `+2237012345${i}`, message: `m${i}` })) })

describe('GET /batches', () => {
  it('lists bulk requests newest first across devices with their counts, a page at a time, a device at a time', async () => {
    const { api, device, sends } = await linkedDevice()
    await api('PATCH', `/devices/${device.id}`, { send_interval_ms: 0 })
    const first = (await api('POST', '/send-bulk', bulk(2))).body.data.batch_id
    const second = (await api('POST', '/send-bulk', bulk(3))).body.data.batch_id
    const other = (await api('POST', '/devices', { name: 'second phone' })).body.data
    // The second device is not linked: only a scheduled bulk request is accepted for it.
    const later = new Date(Date.now() + 3_600_000).toISOString()
    const scheduled = { device_id: other.id, messages: [{ recipient: '+22370123456', message: 'x', send_at: later }] }
    const third = (await api('POST', '/send-bulk', scheduled)).body.data.batch_id

    for (let i = 0; i < 20 && sends.length < 5; i++) await runDurableObjectAlarm(deviceOf(env, device.id))
    const all = (await api('GET', '/batches')).body.data
    expect(all.batches.map((b) => b.batch_id)).toEqual([third, second, first])
    expect(all.batches[1]).toMatchObject({ total: 3, counts: { sent: 3, queued: 0 }, device_id: device.id })
    expect(all.batches[0]).toMatchObject({ total: 1, counts: { scheduled: 1 }, device_id: other.id })
    expect(all.next_cursor).toBeNull()

    const page1 = (await api('GET', '/batches?limit=2')).body.data
    expect(page1.batches.map((b) => b.batch_id)).toEqual([third, second])
    const page2 = (await api('GET', `/batches?limit=2&cursor=${page1.next_cursor}`)).body.data
    expect(page2.batches.map((b) => b.batch_id)).toEqual([first])
    expect(page2.next_cursor).toBeNull()
    expect((await api('GET', `/batches?device_id=${other.id}`)).body.data.batches.map((b) => b.batch_id)).toEqual([third])

    // Another company sees none of them, and not the device either.
    const stranger = await tenant()
    expect((await stranger.api('GET', '/batches')).body.data.batches).toEqual([])
    expect((await stranger.api('GET', `/batches?device_id=${device.id}`)).body.error.code).toBe('device_not_found')
  })

  it('reads a 1,000-message batch from a few counter rows, and its counts match the messages', async () => {
    await runInDurableObject(deviceOf(env, freshId()), (_instance, state) => {
      const ledger = new Ledger(state.storage)
      const rows: NewMessage[] = Array.from({ length: 1_000 }, (_, i) => ({
        message_id: `msg_1_${String(i).padStart(20, '0')}`,
        company_id: 1,
        recipient: '+22370123456',
        chat_id: '22370123456@s.whatsapp.net',
        type: 'text',
        text: 'x',
        media_url: null,
        quota_period: '2026-12',
        batch_id: 'bat_1_big',
        batch_index: i,
      }))
      ledger.insert(rows, 'queued', Date.now())
      for (let i = 0; i < 10; i++) ledger.markFailed(rows[i]!.message_id, 'expired', Date.now())
      let view: ReturnType<typeof batchViewOf> = null
      const read = rowsReadBy(state.storage.sql, () => {
        view = batchViewOf(ledger, 'bat_1_big', 1)
      })
      expect(view).toMatchObject({ total: 1_000, counts: { queued: 990, failed: 10 } })
      expect(read).toBeLessThan(20)
    })
  })
})

describe('GET /usage', () => {
  it('counts what happened each UTC day: sent, delivered, read, failed and received', async () => {
    const { api, device, session } = await linkedDevice({}, (command) =>
      command.chat_id.startsWith('22370000000@') ? { ok: false, code: 'not_on_whatsapp' } : { ok: true },
    )
    const a = (await api('POST', '/send', { recipient: '+22370123456', message: 'a' })).body.data.message_id
    await api('POST', '/send', { recipient: '+22370123457', message: 'b' })
    expect((await api('POST', '/send', { recipient: '+22370000000', message: 'c' })).status).toBe(422)
    session.send({ type: 'receipt', id: 'r1', wa_message_id: `WA-${a}`, status: 'read', at: Date.now() })
    const message: InboundMessageInput = {
      wa_message_id: 'WA-IN-usage',
      kind: 'message',
      type: 'text',
      chat_id: '15551234567@s.whatsapp.net',
      is_group: false,
      sender: { jid: '15551234567@s.whatsapp.net', lid: null, phone: '+15551234567', push_name: 'Alice' },
      text: 'hello',
      at: Date.now(),
    }
    session.send({ type: 'inbound', id: 'in-1', message } as never)
    await session.resultOf('in-1')

    const expected = { sent: 2, delivered: 1, read: 1, failed: 1, received: 1 }
    const usage = await vi.waitFor(async () => {
      const data = (await api('GET', '/usage')).body.data
      expect(data.totals).toEqual(expected)
      return data
    })
    expect(usage.to).toBe(today())
    expect(usage.days).toHaveLength(30)
    expect(usage.days.at(-1)).toEqual({ date: today(), ...expected })
    expect(usage.days[0]).toMatchObject({ sent: 0, received: 0 })

    const one = (await api('GET', `/usage?from=${today()}&to=${today()}&device_id=${device.id}`)).body.data
    expect(one).toMatchObject({ device_id: device.id, days: [{ date: today(), ...expected }] })
    const stranger = await tenant()
    expect((await stranger.api('GET', '/usage')).body.data.totals).toEqual({ sent: 0, delivered: 0, read: 0, failed: 0, received: 0 })
    expect((await stranger.api('GET', `/usage?device_id=${device.id}`)).body.error.code).toBe('device_not_found')
  })

  it('refuses a range that is backwards, too long or not made of dates', async () => {
    const { api } = await tenant()
    for (const query of ['from=2026-12-10&to=2026-12-01', 'from=2025-01-01&to=2026-12-01', 'from=yesterday', 'to=2026-13-01']) {
      const res = await api('GET', `/usage?${query}`)
      expect(res.status, query).toBe(422)
      expect(res.body.error.code).toBe('validation_error')
    }
  })
})
