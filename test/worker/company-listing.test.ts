// GET /whatsapp/messages without a device: the company's messages across all its devices, read
// from the company's listing in EventFeedDO with one call however many devices there are, never
// by asking each DeviceDO. What it shows: messages sent, queued and scheduled at once; receipts
// shortly after; only devices that exist and the key may see; never another company's.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DeviceDO } from '../../worker/durable-objects/device/device-do'
import { issueKey, publicApi } from './helpers'
import { linkedDevice, resetWorld } from './node-client'

afterEach(async () => {
  vi.restoreAllMocks()
  await resetWorld()
})

const tomorrow = () => new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString()

describe('the company-wide message listing', () => {
  it('lists every device’s messages, newest first, without asking any device', async () => {
    // The bulk's message stays out for sending (its node never answers), so it reads queued
    // however soon the outbox's alarm hands it over.
    const { api, company, device, session } = await linkedDevice({ max_devices: 5 }, (send) =>
      send.text === 'queued' ? 'ignore' : { ok: true },
    )
    const other = (await api('POST', '/devices', { name: 'second' })).body.data
    const sent = (await api('POST', '/send', { recipient: '+22370123456', message: 'now' })).body.data.message_id
    const scheduled = (
      await api('POST', '/send', { device_id: other.id, recipient: '+22370123457', message: 'later', send_at: tomorrow() })
    ).body.data.message_id
    const bulk = (await api('POST', '/send-bulk', { device_id: device.id, messages: [{ recipient: '+22370123458', message: 'queued' }] }))
      .body.data.messages[0]!.message_id
    const asked = vi.spyOn(DeviceDO.prototype, 'messages')
    const listed = (await api('GET', '/messages')).body.data.messages
    expect(listed.map((m) => m.message_id)).toEqual([bulk, scheduled, sent])
    expect(listed.map((m) => [m.device_id, m.status])).toEqual([
      [device.id, 'queued'],
      [other.id, 'scheduled'],
      [device.id, 'sent'],
    ])
    expect((await api('GET', '/messages?status=scheduled')).body.data.messages.map((m) => m.message_id)).toEqual([scheduled])
    const first = (await api('GET', '/messages?limit=2')).body.data
    expect((await api('GET', `/messages?limit=2&cursor=${first.next_cursor}`)).body.data.messages.map((m) => m.message_id)).toEqual([sent])
    expect(asked).not.toHaveBeenCalled()

    // A receipt shows shortly after (the device forwards its events within moments).
    session.send({ type: 'receipt', id: 'r1', wa_message_id: `WA-${sent}`, status: 'read', at: Date.now() })
    await vi.waitFor(
      async () => {
        const now = (await api('GET', '/messages?status=read')).body.data.messages
        if (now[0]?.message_id !== sent) throw new Error('not read yet')
      },
      { timeout: 2_000, interval: 20 },
    )

    // A key limited to one device lists only that device's messages; a deleted device's are gone.
    const limited = await issueKey(company.id, { device_ids: [other.id] })
    const mine = (await publicApi(limited.key, 'GET', '/messages')).body.data.messages
    expect(mine.map((m) => m.message_id)).toEqual([scheduled])
    expect((await api('DELETE', `/devices/${other.id}`)).status).toBe(200)
    expect((await api('GET', '/messages')).body.data.messages.map((m) => m.message_id)).toEqual([bulk, sent])
  })

  it('never lists another company’s messages', async () => {
    const first = await linkedDevice()
    const second = await linkedDevice()
    await first.api('POST', '/send', { recipient: '+22370123456', message: 'first' })
    await second.api('POST', '/send', { recipient: '+22370123456', message: 'second' })
    const listed = (await second.api('GET', '/messages')).body.data.messages
    expect(listed.map((m) => m.text)).toEqual(['second'])
  })
})
