// The soak's final checks, through the public API: every accepted message reached a final state;
// every event the company's feed holds reached the webhook receiver.
import { sleep, type BenchStack } from '../bench-stack'

const FINAL = new Set(['sent', 'delivered', 'read', 'failed', 'cancelled'])

/** Waits (up to 5 minutes) for every message to be final; what is still not. */
export async function settle(bench: BenchStack, ids: string[]): Promise<{ final: number; notFinal: string[] }> {
  let waiting = ids
  const deadline = Date.now() + 300_000
  while (waiting.length > 0 && Date.now() < deadline) {
    const still: string[] = []
    for (let i = 0; i < waiting.length; i += 25) {
      const chunk = waiting.slice(i, i + 25)
      const statuses = await Promise.all(
        chunk.map(async (id) => {
          const res = await fetch(`${bench.base}/whatsapp/messages/${id}`, { headers: bench.json })
          return res.status === 200 ? ((await res.json()) as { data: { status: string } }).data.status : `http ${res.status}`
        }),
      )
      chunk.forEach((id, j) => FINAL.has(statuses[j]!) || still.push(id))
    }
    waiting = still
    if (waiting.length > 0) await sleep(5_000)
  }
  return { final: ids.length - waiting.length, notFinal: waiting }
}

/** The id of the feed's newest event, if any. */
export async function lastEventId(bench: BenchStack): Promise<string | undefined> {
  let last: string | undefined
  for (let after: string | undefined; ; after = last) {
    const res = await fetch(`${bench.base}/whatsapp/events?limit=500${after ? `&after=${after}` : ''}`, { headers: bench.json })
    const page = ((await res.json()) as { data: { events: Array<{ id: string }>; has_more: boolean } }).data
    last = page.events.at(-1)?.id ?? last
    if (!page.has_more || page.events.length === 0) return last
  }
}

/** Every event in the feed after `from`, and those the receiver never got (waiting up to 2 minutes for stragglers). */
export async function undeliveredEvents(
  bench: BenchStack,
  received: Map<string, number>,
  from?: string,
): Promise<{ total: number; missing: string[] }> {
  const ids: string[] = []
  for (let after: string | undefined = from; ;) {
    const res = await fetch(`${bench.base}/whatsapp/events?limit=500${after ? `&after=${after}` : ''}`, { headers: bench.json })
    const page = ((await res.json()) as { data: { events: Array<{ id: string }>; has_more: boolean } }).data
    ids.push(...page.events.map((e) => e.id))
    if (!page.has_more || page.events.length === 0) break
    after = page.events.at(-1)!.id
  }
  const deadline = Date.now() + 120_000
  let missing = ids.filter((id) => !received.has(id))
  while (missing.length > 0 && Date.now() < deadline) {
    await sleep(2_000)
    missing = missing.filter((id) => !received.has(id))
  }
  return { total: ids.length, missing }
}
