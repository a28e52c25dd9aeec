// Events to one webhook endpoint, measured at a local receiver:
// - quiet: 20 sends one after the other; how long after DeviceDO recorded a receipt (the event's
//   created_at) its webhook arrives (p50, p99), with nothing queued before it;
// - busy: 200 concurrent sends, each producing sent, delivered and read, all of one device (so
//   delivered one at a time, in sequence order): events per second received, and the same
//   latency, now including the wait behind the events before it.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface WebhookBench {
  quiet: { sends: number; receiptToWebhookMs: { p50: number; p99: number } }
  busy: { sends: number; events: number; eventsPerSec: number; receiptToWebhookMs: { p50: number; p99: number } }
}

interface Arrival {
  at: number
  type: string
  createdAt: number
  id: string
  messageId: string
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0

export async function measureWebhooks(base: string, key: string, sends = 200): Promise<WebhookBench> {
  const arrivals: Arrival[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const event = JSON.parse(body) as { id: string; type: string; created_at: string; data: { message_id: string } }
      arrivals.push({
        at: Date.now(),
        type: event.type,
        createdAt: Date.parse(event.created_at),
        id: event.id,
        messageId: event.data.message_id,
      })
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const headers = { 'X-API-Key': key, 'Content-Type': 'application/json' }
  const created = (await (
    await fetch(`${base}/whatsapp/webhooks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ url, event_types: ['message.sent', 'message.delivered', 'message.read'] }),
    })
  ).json()) as { data: { id: number } }
  const send = async (i: number) => {
    const res = await fetch(`${base}/whatsapp/send`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ recipient: `+2237013${String(i).padStart(4, '0')}`.replace(/0000$/, '0001'), message: `event bench ${i}` }),
    })
    return ((await res.json()) as { data: { message_id: string } }).data.message_id
  }
  /** Waits until every event of these messages arrived; the first arrival of each. */
  const eventsOf = async (ids: Set<string>) => {
    const deadline = Date.now() + 120_000
    const mine = () => [...new Map(arrivals.filter((a) => ids.has(a.messageId)).map((a) => [a.id, a])).values()]
    while (mine().length < ids.size * 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    return mine()
  }
  const latency = (events: Arrival[]) => {
    const sorted = events
      .filter((a) => a.type !== 'message.sent')
      .map((a) => a.at - a.createdAt)
      .sort((a, b) => a - b)
    return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) }
  }
  try {
    const quietIds = new Set<string>()
    for (let i = 0; i < 20; i++) {
      const id = await send(i)
      quietIds.add(id)
      await eventsOf(new Set([id]))
    }
    const quiet = await eventsOf(quietIds)
    const busyIds = new Set(await Promise.all(Array.from({ length: sends }, (_, i) => send(100 + i))))
    const busy = await eventsOf(busyIds)
    const span = Math.max(1, Math.max(...busy.map((a) => a.at)) - Math.min(...busy.map((a) => a.at)))
    return {
      quiet: { sends: quietIds.size, receiptToWebhookMs: latency(quiet) },
      busy: { sends, events: busy.length, eventsPerSec: Math.round((busy.length / span) * 1000), receiptToWebhookMs: latency(busy) },
    }
  } finally {
    await fetch(`${base}/whatsapp/webhooks/${created.data.id}`, { method: 'DELETE', headers })
    server.close()
  }
}
