// The event feed: every change a client cares about becomes one event, recorded with the change
// in DeviceDO and readable from GET /whatsapp/events in order, once, by its own company only.
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { EventPage } from '../support/api-types'
import { tenant } from './helpers'
import { linkedDevice, resetWorld } from './node-client'

afterEach(resetWorld)

type Api = Awaited<ReturnType<typeof tenant>>['api']

/** Waits until the feed holds events of these types (in this order, among others), then returns them all. */
async function feedUntil(api: Api, types: string[], query = ''): Promise<EventPage['events']> {
  return vi.waitFor(
    async () => {
      const events = (await api('GET', `/events?limit=500${query}`)).body.data.events
      const seen: string[] = events.map((e) => e.type)
      let at = 0
      for (const type of types) {
        at = seen.indexOf(type, at)
        if (at === -1) throw new Error(`the feed has ${seen.join(', ')}; waiting for ${types.join(', ')}`)
        at += 1
      }
      return events
    },
    { timeout: 5_000, interval: 50 },
  )
}

describe('the event feed', () => {
  it("tells a send's whole life once, in sequence order, with the message's state in each event", async () => {
    const { api, device, session } = await linkedDevice()
    const sent = await api('POST', '/send', { recipient: '+22370123456', message: 'Hello' })
    const id = sent.body.data.message_id
    for (const [n, status] of (['delivered', 'read'] as const).entries()) {
      session.send({ type: 'receipt', id: `r${n}`, wa_message_id: `WA-${id}`, status, at: Date.now() })
      await session.resultOf(`r${n}`)
    }
    // The same receipt told again (a node resending after a reconnect) is not a second event.
    session.send({ type: 'receipt', id: 'again', wa_message_id: `WA-${id}`, status: 'read', at: Date.now() })
    await session.resultOf('again')

    const events = await feedUntil(api, ['device.status', 'message.sent', 'message.delivered', 'message.read'])
    const lifecycle = events.filter((e) => e.type.startsWith('message.'))
    expect(lifecycle.map((e) => e.type)).toEqual(['message.sent', 'message.delivered', 'message.read'])
    expect(lifecycle.map((e) => e.data.status)).toEqual(['sent', 'delivered', 'read'])
    for (const event of lifecycle) expect(event).toMatchObject({ device_id: device.id, data: { message_id: id, device_id: device.id } })
    expect(events.find((e) => e.type === 'device.status')?.data).toMatchObject({ device_id: device.id, status: 'authenticated' })
    const sequences = events.map((e) => e.sequence)
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b))
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length)
    for (const event of events) expect(event.id).toMatch(/^evt_[0-9a-z]{26}$/)
  })

  it('pages with after, filters by type and device, and refuses an unknown cursor', async () => {
    const { api, device } = await linkedDevice()
    for (const n of [1, 2, 3]) await api('POST', '/send', { recipient: `+2237012345${n}`, message: `m${n}` })
    const all = await feedUntil(api, ['message.sent', 'message.sent', 'message.sent'])
    const first = all[0]!
    const rest = (await api('GET', `/events?after=${first.id}`)).body.data
    expect(rest.events.map((e) => e.id)).toEqual(all.slice(1).map((e) => e.id))
    const page = (await api('GET', '/events?limit=1')).body.data
    expect(page).toMatchObject({ has_more: true, events: [{ id: first.id }] })
    const sentOnly = (await api('GET', '/events?type=message.sent')).body.data.events
    expect(sentOnly.map((e) => e.type)).toEqual(['message.sent', 'message.sent', 'message.sent'])
    expect((await api('GET', `/events?device_id=${device.id}&type=message.sent,device.status`)).body.data.events.length).toBe(
      all.filter((e) => e.type === 'message.sent' || e.type === 'device.status').length,
    )
    const unknown = await api('GET', `/events?after=evt_${'0'.repeat(26)}`)
    expect(unknown.status).toBe(422)
    expect(unknown.body.error).toMatchObject({ code: 'validation_error', details: [{ field: 'after' }] })
    expect((await api('GET', '/events?type=message.nope')).status).toBe(422)
  })

  it('tells a device unlinked from the phone as device.status logged_out', async () => {
    const { api, device, session } = await linkedDevice()
    session.send({ type: 'status', status: 'error', reason: 'logged_out' })
    const events = await feedUntil(api, ['device.status', 'device.status'], `&device_id=${device.id}`)
    expect(events.filter((e) => e.type === 'device.status').map((e) => e.data.status)).toEqual(['authenticated', 'logged_out'])
  })

  it('announces a bulk request once its last message is final', async () => {
    const { api, device } = await linkedDevice()
    await api('PATCH', `/devices/${device.id}`, { send_interval_ms: 0 })
    const bulk = await api('POST', '/send-bulk', { messages: [1, 2].map((n) => ({ recipient: `+2237012346${n}`, message: `b${n}` })) })
    const events = await feedUntil(api, ['message.sent', 'message.sent', 'batch.completed'])
    expect(events.filter((e) => e.type === 'batch.completed')).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ batch_id: bulk.body.data.batch_id, total: 2, counts: expect.objectContaining({ sent: 2 }) }),
      }),
    ])
  })

  it("shows a company none of another company's events, not even by cursor or device", async () => {
    const { api, device } = await linkedDevice()
    await api('POST', '/send', { recipient: '+22370123456', message: 'Hello' })
    const mine = await feedUntil(api, ['message.sent'])
    const other = await tenant()
    expect((await other.api('GET', '/events')).body.data.events).toEqual([])
    expect((await other.api('GET', `/events?after=${mine[0]!.id}`)).status).toBe(422)
    expect((await other.api('GET', `/events?device_id=${device.id}`)).status).toBe(404)
  })
})
