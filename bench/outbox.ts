// How fast one device's outbox drains with pacing off: a bulk of `count` messages, from the
// moment it was accepted until every message was read (the simulator's receipts included).
import { sleep, type BenchStack } from './bench-stack'

export interface OutboxBench {
  messages: number
  secondsToSend: number
  secondsToRead: number
  messagesPerSec: number
}

interface BatchCounts {
  data: { counts: Record<string, number> }
}

export async function measureOutbox(bench: BenchStack, count = 2_000): Promise<OutboxBench> {
  const { base, json, deviceId } = bench
  await fetch(`${base}/whatsapp/devices/${deviceId}`, { method: 'PATCH', headers: json, body: JSON.stringify({ send_interval_ms: 0 }) })
  const messages = Array.from({ length: 1000 }, (_, i) => ({
    recipient: `+2237015${String(i + 1).padStart(4, '0')}`,
    message: `drain ${i}`,
  }))
  const started = performance.now()
  const batches: string[] = []
  for (let sent = 0; sent < count; sent += messages.length) {
    const res = await fetch(`${base}/whatsapp/send-bulk`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ device_id: deviceId, messages: messages.slice(0, count - sent) }),
    })
    if (res.status !== 202) throw new Error(`bulk answered ${res.status}: ${await res.text()}`)
    batches.push(((await res.json()) as { data: { batch_id: string } }).data.batch_id)
  }
  let sentAt: number | null = null
  for (;;) {
    const counts = await Promise.all(
      batches.map(
        async (id) => ((await (await fetch(`${base}/whatsapp/batches/${id}`, { headers: json })).json()) as BatchCounts).data.counts,
      ),
    )
    const total = (status: string) => counts.reduce((sum, c) => sum + (c[status] ?? 0), 0)
    if (sentAt === null && total('queued') === 0) sentAt = performance.now()
    if (total('read') + total('failed') >= count) break
    if (performance.now() - started > 300_000) throw new Error(`outbox did not drain: ${JSON.stringify(counts)}`)
    await sleep(100)
  }
  const seconds = (performance.now() - started) / 1000
  return {
    messages: count,
    secondsToSend: +(((sentAt ?? performance.now()) - started) / 1000).toFixed(2),
    secondsToRead: +seconds.toFixed(2),
    messagesPerSec: Math.round(count / seconds),
  }
}
