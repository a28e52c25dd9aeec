// The API's own cost, against GET /api/health in the same run: unloaded (one connection, one
// request at a time) and loaded (BENCH_CONNECTIONS); a hot key's cost (an authenticated 404
// against an unauthenticated 401); the quota decision alone (a 429); accepting a 1,000-message bulk.
import { linkedDevice, sleep, type BenchStack } from './bench-stack'
import { load, type LoadResult, type LoadSpec } from './load'

export interface ApiBench {
  unloaded: Record<'health' | 'unauthenticated401' | 'authenticated404' | 'devices' | 'send', LoadResult>
  loaded: Record<'health' | 'devices' | 'send' | 'quotaRefused', LoadResult>
  bulk1000AcceptMs: { runs: number[]; median: number }
}

export async function measureApi(bench: BenchStack, spec: { durationSec: number; connections: number }): Promise<ApiBench> {
  const { base, key, json, admin, stack } = bench
  const requests = {
    health: { url: `${base}/health` },
    unauthenticated401: { url: `${base}/whatsapp/nothing-here` },
    authenticated404: { url: `${base}/whatsapp/nothing-here`, headers: { 'X-API-Key': key } },
    devices: { url: `${base}/whatsapp/devices`, headers: { 'X-API-Key': key } },
    send: {
      url: `${base}/whatsapp/send`,
      method: 'POST' as const,
      headers: json,
      body: JSON.stringify({ recipient: '+22370123456', message: 'benchmark' }),
    },
  } satisfies Record<string, Omit<LoadSpec, 'label'>>
  const run = (name: keyof typeof requests, connections: number, durationSec: number) =>
    load({ label: `${name}, ${connections} connection(s)`, ...requests[name], connections, durationSec })

  await run('send', spec.connections, 2) // warm-up: isolates, objects, caches
  const unloaded = {
    health: await run('health', 1, spec.durationSec),
    unauthenticated401: await run('unauthenticated401', 1, spec.durationSec),
    authenticated404: await run('authenticated404', 1, spec.durationSec),
    devices: await run('devices', 1, spec.durationSec),
    send: await run('send', 1, spec.durationSec),
  }
  const loaded = {
    health: await run('health', spec.connections, spec.durationSec),
    devices: await run('devices', spec.connections, spec.durationSec),
    send: await run('send', spec.connections, spec.durationSec),
    quotaRefused: await quotaRefused(),
  }
  return { unloaded, loaded, bulk1000AcceptMs: await bulkAccept() }

  /** With the quota used up, each send is decided by CompanyDO and refused. */
  async function quotaRefused(): Promise<LoadResult> {
    const company = `${base}/admin/companies/${stack.credentials.companyId}`
    await fetch(company, { method: 'PATCH', headers: admin, body: JSON.stringify({ monthly_quota: 0 }) })
    await sleep(5_500) // the key cache's TTL
    const refused = await load({ label: 'send refused by quota (429)', ...requests.send, ...spec })
    await fetch(company, { method: 'PATCH', headers: admin, body: JSON.stringify({ monthly_quota: null }) })
    await sleep(5_500)
    return refused
  }

  /** Validation, one reservation, one durable outbox write; paced slowly, so nothing is sent meanwhile. */
  async function bulkAccept(): Promise<{ runs: number[]; median: number }> {
    // A device of its own, paced slowly so nothing is sent meanwhile, and deleted after (its
    // 5,000 queued messages are refunded): the outbox benchmark starts from an empty queue.
    const id = await linkedDevice(base, json, 'bulk accept')
    const device = `${base}/whatsapp/devices/${id}`
    const messages = Array.from({ length: 1000 }, (_, i) => ({
      recipient: `+2237012${String(i + 1).padStart(4, '0')}`,
      message: `bulk ${i}`,
    }))
    const body = JSON.stringify({ device_id: id, messages })
    await fetch(device, { method: 'PATCH', headers: json, body: JSON.stringify({ send_interval_ms: 600_000 }) })
    const runs: number[] = []
    for (let i = 0; i < 5; i++) {
      const started = performance.now()
      const res = await fetch(`${base}/whatsapp/send-bulk`, { method: 'POST', headers: json, body })
      await res.arrayBuffer()
      if (res.status !== 202) throw new Error(`bulk answered ${res.status}`)
      runs.push(Math.round(performance.now() - started))
    }
    await fetch(device, { method: 'DELETE', headers: json })
    runs.sort((a, b) => a - b)
    return { runs, median: runs[2]! }
  }
}
