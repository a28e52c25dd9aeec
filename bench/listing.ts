// GET /whatsapp/messages without device_id for a company with one device and for one with many,
// the same 200 messages in each (scheduled a day ahead, so no device has to be linked).
import { adminCall } from '../scripts/stack'
import type { BenchStack } from './bench-stack'
import { load, type LoadResult } from './load'

export interface ListingBench {
  oneDevice: LoadResult
  manyDevices: LoadResult & { devices: number }
}

async function companyWith(bench: BenchStack, name: string, devices: number): Promise<string> {
  const { stack } = bench
  const company = await adminCall<{ id: number }>(stack.baseUrl, stack.adminToken, 'POST', '/companies', { name })
  await adminCall(stack.baseUrl, stack.adminToken, 'PATCH', `/companies/${company.id}`, { max_devices: devices })
  const key = (
    await adminCall<{ key: string }>(stack.baseUrl, stack.adminToken, 'POST', `/companies/${company.id}/api-keys`, {
      name: 'bench',
      service_type: 'whatsapp',
    })
  ).key
  const headers = { 'X-API-Key': key, 'Content-Type': 'application/json' }
  const ids: number[] = []
  for (let i = 0; i < devices; i += 20) {
    const made = await Promise.all(
      Array.from({ length: Math.min(20, devices - i) }, async (_, j) => {
        const res = await fetch(`${bench.base}/whatsapp/devices`, { method: 'POST', headers, body: JSON.stringify({ name: `d${i + j}` }) })
        if (res.status !== 201) throw new Error(`device create answered ${res.status}: ${await res.text()}`)
        return ((await res.json()) as { data: { id: number } }).data.id
      }),
    )
    ids.push(...made)
  }
  const sendAt = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString()
  for (let i = 0; i < 200; i += 20) {
    await Promise.all(
      Array.from({ length: 20 }, async (_, j) => {
        const body = {
          device_id: ids[(i + j) % ids.length],
          recipient: `+2237016${String(i + j + 1).padStart(4, '0')}`,
          message: 'x',
          send_at: sendAt,
        }
        const res = await fetch(`${bench.base}/whatsapp/send`, { method: 'POST', headers, body: JSON.stringify(body) })
        if (res.status !== 202) throw new Error(`scheduled send answered ${res.status}: ${await res.text()}`)
      }),
    )
  }
  return key
}

export async function measureListing(bench: BenchStack, devices = 200): Promise<ListingBench> {
  const oneKey = await companyWith(bench, 'listing: one device', 1)
  const manyKey = await companyWith(bench, `listing: ${devices} devices`, devices)
  const spec = { url: `${bench.base}/whatsapp/messages?limit=50`, connections: 1, durationSec: 5 }
  await load({ label: 'warm-up', ...spec, headers: { 'X-API-Key': manyKey }, durationSec: 1 })
  const oneDevice = await load({ label: 'GET /whatsapp/messages, 1 device', ...spec, headers: { 'X-API-Key': oneKey } })
  const manyDevices = await load({ label: `GET /whatsapp/messages, ${devices} devices`, ...spec, headers: { 'X-API-Key': manyKey } })
  return { oneDevice, manyDevices: { ...manyDevices, devices } }
}
