// `npm run bench` (cost section): the billable operations of one message, counted in the Workers
// runtime on the real path: a send through the API to a linked device, its sent, delivered and
// read receipts from the node, and its three webhooks delivered to a receiver. Counted over
// MESSAGES messages after a warm-up (caches hot, as in steady traffic): Worker requests, Durable
// Object requests (RPC calls, alarms, incoming WebSocket messages), SQLite rows read and written
// in every Durable Object (what storage bills), and D1 queries. docs/cost.md turns them into dollars.
import { env, exports } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { it, vi } from 'vitest'
import { CompanyDO } from '../../worker/durable-objects/company/company-do'
import { DeviceDO } from '../../worker/durable-objects/device/device-do'
import { EventFeedDO } from '../../worker/durable-objects/events/event-feed-do'
import { FleetDO } from '../../worker/durable-objects/fleet/fleet-do'
import { EndpointDO } from '../../worker/durable-objects/webhooks/endpoint-do'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { linkedDevice } from './node-client'

const MESSAGES = 200
const WARM_UP = 20
const HOOK = 'https://hooks.example.com/cost'

const counts = {
  workerRequests: 0,
  doRequests: {} as Record<string, number>,
  webSocketMessagesIn: 0,
  alarms: 0,
  rowsRead: {} as Record<string, number>,
  rowsWritten: {} as Record<string, number>,
  d1Queries: 0,
  webhookDeliveries: 0,
}
let counting = false
const bump = (map: Record<string, number>, key: string, by = 1) => (map[key] = (map[key] ?? 0) + by)

/** Counts every call into a Durable Object class (each is a billed request, or an incoming WebSocket message). */
function countCalls(cls: { prototype: object; name: string }) {
  const proto = cls.prototype as Record<string, unknown>
  for (const name of Object.getOwnPropertyNames(proto)) {
    const original = Object.getOwnPropertyDescriptor(proto, name)?.value as unknown
    if (name === 'constructor' || typeof original !== 'function') continue
    proto[name] = function (this: unknown, ...args: unknown[]) {
      // A call from the object's own code is not a request: only one the runtime made (an RPC,
      // an alarm, a socket event) has no frame of ours right above this one.
      const caller = new Error().stack?.split('\n')[2] ?? ''
      if (counting && !caller.includes('/worker/durable-objects/')) {
        if (name === 'webSocketMessage') counts.webSocketMessagesIn++
        else if (name === 'alarm') counts.alarms++
        else if (name !== 'webSocketClose' && name !== 'webSocketError') bump(counts.doRequests, `${cls.name}.${name}`)
      }
      return (original as (...a: unknown[]) => unknown).apply(this, args)
    }
  }
}

/** Counts rows every Durable Object's SQLite reads and writes, by the class whose code ran the statement. */
function countRows(sql: SqlStorage) {
  const proto = Object.getPrototypeOf(sql) as { exec: SqlStorage['exec'] }
  const exec = proto.exec
  const pending: Array<{ cursor: SqlStorageCursor<Record<string, SqlStorageValue>>; owner: string }> = []
  proto.exec = function (this: SqlStorage, query: string, ...bindings: SqlStorageValue[]) {
    const cursor = exec.call(this, query, ...bindings)
    if (counting) pending.push({ cursor, owner: ownerOf(new Error().stack ?? '') })
    return cursor
  } as SqlStorage['exec']
  return () => {
    for (const { cursor, owner } of pending.splice(0)) {
      cursor.toArray()
      bump(counts.rowsRead, owner, cursor.rowsRead)
      bump(counts.rowsWritten, owner, cursor.rowsWritten)
    }
  }
}

const OWNERS = ['durable-objects/events/', 'webhooks/', 'company/', 'fleet/', 'device/']
const ownerOf = (stack: string) => {
  const frame = stack.split('\n').find((line) => OWNERS.some((o) => line.includes(o))) ?? ''
  if (frame.includes('durable-objects/events/')) return 'EventFeedDO'
  if (frame.includes('webhooks/')) return 'EndpointDO'
  if (frame.includes('company/')) return 'CompanyDO'
  if (frame.includes('fleet/')) return 'FleetDO'
  return frame.includes('device/') ? 'DeviceDO' : 'other'
}

it(`counts the billable operations of ${MESSAGES} messages`, { timeout: 600_000 }, async () => {
  for (const cls of [DeviceDO, CompanyDO, EventFeedDO, EndpointDO, FleetDO]) countCalls(cls)
  const d1 = Object.getPrototypeOf(env.DB) as { prepare: D1Database['prepare'] }
  const prepare = d1.prepare
  d1.prepare = function (this: D1Database, query: string) {
    if (counting) counts.d1Queries++
    return prepare.call(this, query)
  }
  const realFetch = globalThis.fetch
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    if (!url.startsWith(HOOK)) return realFetch(input, init)
    if (counting) counts.webhookDeliveries++
    return new Response('ok')
  })
  const { api, device, session } = await linkedDevice()
  let settle = () => {}
  await runInDurableObject(deviceOf(env, device.id), (_instance, state) => {
    settle = countRows(state.storage.sql)
  })
  await api('POST', '/webhooks', { url: HOOK, event_types: ['message.sent', 'message.delivered', 'message.read'] })
  // The node's receipts: delivered and read for every message it was handed.
  session.ws.addEventListener('message', (event) => {
    const frame = JSON.parse(String(event.data)) as { type: string; message_id?: string }
    if (frame.type !== 'send') return
    const wa = `WA-${frame.message_id}`
    setTimeout(() => {
      session.send({ type: 'receipt', id: crypto.randomUUID(), wa_message_id: wa, status: 'delivered', at: Date.now() })
      session.send({ type: 'receipt', id: crypto.randomUUID(), wa_message_id: wa, status: 'read', at: Date.now() })
    }, 5)
  })
  const sendAll = async (n: number) => {
    for (let i = 0; i < n; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, n - i) }, async () => {
          if (counting) counts.workerRequests++
          const res = await api('POST', '/send', { recipient: '+22370123456', message: 'what does this cost' })
          if (res.status !== 200) throw new Error(`send answered ${res.status}`)
        }),
      )
    }
  }
  const delivered = async (expected: number) =>
    vi.waitFor(
      async () => {
        const page = await api('GET', '/messages?status=read&limit=1')
        if (counting && counts.webhookDeliveries < expected) throw new Error(`${counts.webhookDeliveries} of ${expected} webhooks`)
        return page
      },
      { timeout: 120_000, interval: 200 },
    )
  await sendAll(WARM_UP)
  await new Promise((r) => setTimeout(r, 2_000))
  counting = true
  await sendAll(MESSAGES)
  await delivered(MESSAGES * 3)
  await new Promise((r) => setTimeout(r, 1_000))
  counting = false
  settle()
  void exports
  const per = (n: number) => +(n / MESSAGES).toFixed(3)
  const perMap = (m: Record<string, number>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, per(v)]))
  const sum = (m: Record<string, number>) => Object.values(m).reduce((a, b) => a + b, 0)
  console.log(
    `BENCH_JSON ${JSON.stringify({
      messages: MESSAGES,
      perMessage: {
        workerRequests: per(counts.workerRequests),
        doRequests: per(sum(counts.doRequests)),
        doRequestsByMethod: perMap(counts.doRequests),
        webSocketMessagesIn: per(counts.webSocketMessagesIn),
        alarms: per(counts.alarms),
        rowsRead: per(sum(counts.rowsRead)),
        rowsReadByObject: perMap(counts.rowsRead),
        rowsWritten: per(sum(counts.rowsWritten)),
        rowsWrittenByObject: perMap(counts.rowsWritten),
        d1Queries: per(counts.d1Queries),
        webhookDeliveries: per(counts.webhookDeliveries),
      },
    })}`,
  )
})
