// A webhook receiver for tests in the Workers runtime: a spy on fetch for https://hooks.example.com
// (the Durable Objects run in this isolate), recording each delivery and answering as the test
// says; and the calls those tests make to create endpoints and wait for deliveries.
import { afterEach, beforeEach, expect, vi } from 'vitest'
import type { tenant } from './helpers'
import { resetWorld } from './node-client'

export interface Received {
  url: string
  headers: Record<string, string>
  body: string
}

export const HOOK = 'https://hooks.example.com/wa'

/** What reached the receiver, and how it answers (set by a test; `ok` at the start of each). */
export const receiver = {
  received: [] as Received[],
  answer: (() => new Response('ok')) as (request: Received, signal?: AbortSignal) => Response | Promise<Response>,
}

/** Installs the receiver around every test of the file (and resets the world after each). */
export function listenForWebhooks(): void {
  const realFetch = globalThis.fetch
  beforeEach(() => {
    receiver.received = []
    receiver.answer = () => new Response('ok')
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
      if (!url.startsWith('https://hooks.example.com')) return realFetch(input, init)
      const request = { url, headers: Object.fromEntries(new Headers(init?.headers).entries()), body: String(init?.body) }
      receiver.received.push(request)
      return receiver.answer(request, init?.signal ?? undefined)
    })
  })
  afterEach(async () => {
    vi.restoreAllMocks()
    await resetWorld()
  })
}

type Api = Awaited<ReturnType<typeof tenant>>['api']

export async function endpoint(api: Api, fields: Record<string, unknown> = {}) {
  const res = await api('POST', '/webhooks', { url: HOOK, event_types: ['*'], ...fields })
  expect(res.status).toBe(201)
  return res.body.data
}

/** Waits until `count` deliveries match, and returns those that do. */
export const arrivals = (predicate: (r: Received) => boolean, count = 1) =>
  vi.waitFor(
    () => {
      const matching = receiver.received.filter(predicate)
      if (matching.length < count) throw new Error(`${matching.length} of ${count} deliveries so far`)
      return matching
    },
    { timeout: 5_000, interval: 20 },
  )

export const ofType = (type: string) => (r: Received) => (JSON.parse(r.body) as { type: string }).type === type
