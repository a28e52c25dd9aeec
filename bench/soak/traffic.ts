// The soak's traffic: single sends (timed), bulks, inbound messages from the sandbox's contacts,
// each on a random device of the company; every accepted message id is kept for the final check.
import type { BenchStack } from '../bench-stack'

export interface TrafficCounts {
  accepted: Set<string>
  sendLatencies: Array<{ at: number; ms: number }>
  refused: Record<string, number>
  inbound: number
  bulks: number
}

export interface TrafficPlan {
  deviceIds: number[]
  /** Concurrent single-send loops. */
  senders: number
  bulkEveryMs: number
  bulkSize: number
  inboundEveryMs: number
}

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]!
const recipient = () => `+2237014${String(1 + Math.floor(Math.random() * 9998)).padStart(4, '0')}`

export function startTraffic(bench: BenchStack, plan: TrafficPlan): { counts: TrafficCounts; stop(): Promise<void> } {
  const counts: TrafficCounts = { accepted: new Set(), sendLatencies: [], refused: {}, inbound: 0, bulks: 0 }
  let running = true
  const post = (path: string, body: unknown) =>
    fetch(`${bench.base}/whatsapp${path}`, { method: 'POST', headers: bench.json, body: JSON.stringify(body) })
  const refused = async (res: Response) => {
    const code = ((await res.json().catch(() => ({}))) as { error?: { code?: string } }).error?.code ?? String(res.status)
    counts.refused[code] = (counts.refused[code] ?? 0) + 1
  }
  const sender = async () => {
    while (running) {
      const started = performance.now()
      const res = await post('/send', { device_id: pick(plan.deviceIds), recipient: recipient(), message: 'soak' }).catch(() => null)
      if (!res) continue
      counts.sendLatencies.push({ at: Date.now(), ms: performance.now() - started })
      if (res.status === 200) counts.accepted.add(((await res.json()) as { data: { message_id: string } }).data.message_id)
      else await refused(res)
    }
  }
  const every = (ms: number, run: () => Promise<void>) => {
    const loop = async () => {
      while (running) {
        await run().catch(() => undefined)
        await new Promise((r) => setTimeout(r, ms))
      }
    }
    return loop()
  }
  const bulk = async () => {
    const messages = Array.from({ length: plan.bulkSize }, (_, i) => ({ recipient: recipient(), message: `soak bulk ${i}` }))
    const res = await post('/send-bulk', { device_id: pick(plan.deviceIds), messages })
    if (res.status !== 202) return refused(res)
    counts.bulks++
    for (const m of ((await res.json()) as { data: { messages: Array<{ message_id: string }> } }).data.messages)
      counts.accepted.add(m.message_id)
  }
  const inbound = async () => {
    const res = await post(`/sandbox/devices/${pick(plan.deviceIds)}/inbound`, { from: '+22370111111', text: 'soak inbound' })
    if (res.status === 202) counts.inbound++
    else await res.arrayBuffer()
  }
  const loops = [...Array.from({ length: plan.senders }, sender), every(plan.bulkEveryMs, bulk), every(plan.inboundEveryMs, inbound)]
  return {
    counts,
    async stop() {
      running = false
      await Promise.all(loops)
    },
  }
}
