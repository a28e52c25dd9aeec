// The local stack every benchmark measures: the simulator engine, one linked device, and the
// per-key rate limit lifted (the benchmarks measure the path, not the limit).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startStack, type Stack } from '../scripts/stack'

export interface BenchStack {
  stack: Stack
  /** `${baseUrl}/api` */
  base: string
  key: string
  json: Record<string, string>
  admin: Record<string, string>
  deviceId: number
}

/** The stack's settings in every benchmark: the simulator, quick receipts, no rate limit. */
export const BENCH_ENV: Record<string, string> = {
  WA_ENGINE: 'simulator',
  SIM_SCAN_DELAY_MS: '200',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_SEC: '1000000',
  RATE_LIMIT_BURST: '1000000',
  // The webhook receiver of the benchmark listens on this machine.
  WEBHOOK_ALLOW_PRIVATE: '1',
  SIM_DELIVERY_MS: '100',
  SIM_READ_MS: '200',
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function startBenchStack(
  options: { inspectorPort?: number; env?: Record<string, string>; nodes?: number; log?: (source: string, line: string) => void } = {},
) {
  const stack = await startStack({
    port: await freePort(),
    stateDir: mkdtempSync(join(tmpdir(), 'wa-bench-')),
    nodes: options.nodes ?? 1,
    inspectorPort: options.inspectorPort,
    log: options.log,
    env: { ...BENCH_ENV, ...options.env },
  })
  const key = stack.credentials.apiKey
  const json = { 'X-API-Key': key, 'Content-Type': 'application/json' }
  const admin = { Authorization: `Bearer ${stack.adminToken}`, 'Content-Type': 'application/json' }
  const base = `${stack.baseUrl}/api`
  const deviceId = await linkedDevice(base, json, 'bench')
  return { stack, base, key, json, admin, deviceId } satisfies BenchStack
}

/** A new device of the bench company, once the simulator linked it. */
export async function linkedDevice(base: string, json: Record<string, string>, name: string): Promise<number> {
  const res = await fetch(`${base}/whatsapp/devices`, { method: 'POST', headers: json, body: JSON.stringify({ name }) })
  const device = (await res.json()) as { data: { id: number } }
  for (let i = 0; i < 300; i++) {
    const status = (await (await fetch(`${base}/whatsapp/devices/${device.data.id}/status`, { headers: json })).json()) as {
      data: { status: string }
    }
    if (status.data.status === 'authenticated') return device.data.id
    await sleep(200)
  }
  throw new Error(`device ${device.data.id} was not linked`)
}
