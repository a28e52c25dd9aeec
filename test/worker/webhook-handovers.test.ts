// How the company's feed hands events to its webhook endpoints (events/handovers.ts): one
// position per endpoint, not a row per event. An endpoint takes the events after it was made
// that its latest settings name, nothing after it is deleted, and nothing twice when the feed
// restarts from an older written position; a feed upgraded with hand-overs still to make keeps them.
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { FEED_SCHEMA } from '../../worker/durable-objects/events/feed-store'
import { Handovers } from '../../worker/durable-objects/events/handovers'
import type { EventFeedDO } from '../../worker/durable-objects/events/event-feed-do'
import { migrate } from '../../worker/durable-objects/sql-schema'
import { eventFeedOf } from '../../worker/durable-objects/stubs'
import { freshId, sleep } from './helpers'
import { linkedDevice } from './node-client'
import { arrivals, endpoint, listenForWebhooks, ofType, receiver } from './webhook-receiver'

listenForWebhooks()

const messageOf = (body: string) => (JSON.parse(body) as { data: { message_id: string } }).data.message_id

describe('hand-overs from the feed to webhook endpoints', () => {
  it('gives an endpoint the events after it was made, of the types its latest edit names, and none once deleted', async () => {
    const { api, session } = await linkedDevice()
    const before = (await api('POST', '/send', { recipient: '+22370123451', message: 'before' })).body.data.message_id
    const hook = await endpoint(api, { event_types: ['message.sent'] })
    const after = (await api('POST', '/send', { recipient: '+22370123452', message: 'after' })).body.data.message_id
    await arrivals(ofType('message.sent'))
    expect((await api('PATCH', `/webhooks/${hook.id}`, { event_types: ['message.delivered'] })).status).toBe(200)
    const edited = (await api('POST', '/send', { recipient: '+22370123453', message: 'edited' })).body.data.message_id
    session.send({ type: 'receipt', id: 'r1', wa_message_id: `WA-${edited}`, status: 'delivered', at: Date.now() })
    await arrivals(ofType('message.delivered'))
    expect((await api('DELETE', `/webhooks/${hook.id}`)).status).toBe(200)
    await api('POST', '/send', { recipient: '+22370123454', message: 'deleted' })
    await sleep(200)
    expect(receiver.received.map((r) => [(JSON.parse(r.body) as { type: string }).type, messageOf(r.body)])).toEqual([
      ['message.sent', after],
      ['message.delivered', edited],
    ])
    expect(receiver.received.some((r) => messageOf(r.body) === before)).toBe(false)
  })

  it('delivers nothing twice when the feed restarts from an older written position', async () => {
    const { api, company } = await linkedDevice()
    await endpoint(api, { event_types: ['message.sent'] })
    for (const n of [1, 2]) await api('POST', '/send', { recipient: `+2237012345${n}`, message: `m${n}` })
    await arrivals(ofType('message.sent'), 2)
    // As after an eviction within a second of the hand-over: the written position is behind.
    await runInDurableObject(eventFeedOf(env, company.id), (instance: EventFeedDO, state) => {
      state.storage.sql.exec('UPDATE handovers SET after_pos = 0')
      Object.assign(instance, { handovers: new Handovers(state.storage.sql) })
    })
    await api('POST', '/send', { recipient: '+22370123453', message: 'm3' })
    await arrivals(ofType('message.sent'), 3)
    await sleep(200)
    const ids = receiver.received.map((r) => r.headers['webhook-id'])
    expect(ids).toHaveLength(3)
    expect(new Set(ids).size).toBe(3)
  })

  it('keeps the hand-overs still to make when a feed of the older schema is upgraded', async () => {
    await runInDurableObject(eventFeedOf(env, freshId()), (_instance, state) => {
      const sql = state.storage.sql
      // As version 1 left it: a row per event and endpoint still to hand over (endpoint 7: events 2 and 3).
      sql.exec('DROP TABLE events; DROP TABLE handovers')
      sql.exec("DELETE FROM schema_versions WHERE schema = 'feed'")
      migrate(state.storage, 'feed', FEED_SCHEMA.slice(0, 1))
      for (const pos of [1, 2, 3]) {
        sql.exec("INSERT INTO events (event_id, type, created_at, body) VALUES (?, 'message.sent', 0, '{}')", `evt_${pos}`)
      }
      sql.exec('INSERT INTO fanout (endpoint_id, pos) VALUES (7, 2), (7, 3)')
      migrate(state.storage, 'feed', FEED_SCHEMA)
      const handovers = new Handovers(sql)
      // What it takes is not known until the company's endpoints are read again: nothing goes before.
      expect(handovers.subscriptions()).toEqual([])
      handovers.sync([{ id: 7, eventTypes: ['message.sent'], deviceIds: null }], 3)
      expect(handovers.subscriptions()).toEqual([{ id: 7, eventTypes: ['message.sent'], deviceIds: null }])
      expect(handovers.after(7)).toBe(1)
    })
  })
})
