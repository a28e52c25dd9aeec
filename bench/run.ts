// `npm run bench`: starts the local stack on the simulator and reports, as JSON, figures
// measured in one run. Every speed is also given as a ratio against a baseline measured in the
// same run (the worker's no-op health route), since these machines are shared and noisy.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startStack } from '../scripts/stack'
import { measureColdStart } from './cold-start'
import { load, type LoadResult } from './load'
import { measureWebhooks } from './webhooks'

const durationSec = Number(process.env.BENCH_DURATION_SEC ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const ratio = (subject: LoadResult, baseline: LoadResult) => ({
  p50: +(subject.p50Ms / Math.max(baseline.p50Ms, 0.5)).toFixed(2),
  p99: +(subject.p99Ms / Math.max(baseline.p99Ms, 0.5)).toFixed(2),
  throughput: +(subject.requestsPerSec / Math.max(baseline.requestsPerSec, 1)).toFixed(3),
})

const coldStart = await measureColdStart(await freePort())

const stack = await startStack({
  port: await freePort(),
  stateDir: mkdtempSync(join(tmpdir(), 'wa-bench-')),
  nodes: 1,
  env: {
    WA_ENGINE: 'simulator',
    SIM_SCAN_DELAY_MS: '200',
    LOG_LEVEL: 'warn',
    // The benchmark measures the path, not the per-key limit.
    RATE_LIMIT_PER_SEC: '1000000',
    RATE_LIMIT_BURST: '1000000',
    // The webhook receiver of the benchmark listens on this machine.
    WEBHOOK_ALLOW_PRIVATE: '1',
    SIM_DELIVERY_MS: '100',
    SIM_READ_MS: '200',
  },
})
try {
  const key = stack.credentials.apiKey
  const json = { 'X-API-Key': key, 'Content-Type': 'application/json' }
  const admin = { Authorization: `Bearer ${stack.adminToken}`, 'Content-Type': 'application/json' }
  const base = `${stack.baseUrl}/api`
  const device = (await (
    await fetch(`${base}/whatsapp/devices`, { method: 'POST', headers: json, body: JSON.stringify({ name: 'bench' }) })
  ).json()) as {
    data: { id: number }
  }
  for (let i = 0; i < 100; i++) {
    const status = (await (await fetch(`${base}/whatsapp/devices/${device.data.id}/status`, { headers: json })).json()) as {
      data: { status: string }
    }
    if (status.data.status === 'authenticated') break
    await sleep(200)
  }
  const spec = { durationSec, connections }
  await load({ label: 'warm-up', url: `${base}/whatsapp/devices`, headers: { 'X-API-Key': key }, durationSec: 2, connections })

  const baseline = await load({ label: 'GET /api/health (no-op baseline)', url: `${base}/health`, ...spec })
  const unauthenticated = await load({ label: 'GET /whatsapp/devices without a key (401)', url: `${base}/whatsapp/devices`, ...spec })
  const authenticated = await load({
    label: 'GET /whatsapp/devices with a key (200)',
    url: `${base}/whatsapp/devices`,
    headers: { 'X-API-Key': key },
    ...spec,
  })
  const sendRequest = {
    url: `${base}/whatsapp/send`,
    method: 'POST' as const,
    headers: json,
    body: JSON.stringify({ recipient: '+22370123456', message: 'benchmark' }),
  }
  const send = await load({ label: 'POST /whatsapp/send (200, through the session node)', ...sendRequest, ...spec })

  const webhooks = await measureWebhooks(base, key)

  // Quota reservation alone: with the quota used up, each send is decided by CompanyDO and refused.
  await fetch(`${base}/admin/companies/${stack.credentials.companyId}`, {
    method: 'PATCH',
    headers: admin,
    body: JSON.stringify({ monthly_quota: 0 }),
  })
  await sleep(5_500) // the key cache's TTL
  const reservation = await load({ label: 'POST /whatsapp/send refused by quota (429): the reservation decision', ...sendRequest, ...spec })
  await fetch(`${base}/admin/companies/${stack.credentials.companyId}`, {
    method: 'PATCH',
    headers: admin,
    body: JSON.stringify({ monthly_quota: null }),
  })
  await sleep(5_500)

  // Accepting a 1,000-message bulk: validation, one reservation, one durable outbox write.
  const bulkBody = JSON.stringify({
    messages: Array.from({ length: 1000 }, (_, i) => ({
      recipient: `+2237012${String(i).padStart(4, '0').replace(/0000$/, '0001')}`,
      message: `bulk ${i}`,
    })),
  })
  await fetch(`${base}/whatsapp/devices/${device.data.id}`, {
    method: 'PATCH',
    headers: json,
    body: JSON.stringify({ send_interval_ms: 600_000 }),
  })
  const bulkMs: number[] = []
  for (let i = 0; i < 5; i++) {
    const started = performance.now()
    const res = await fetch(`${base}/whatsapp/send-bulk`, { method: 'POST', headers: json, body: bulkBody })
    await res.arrayBuffer()
    if (res.status !== 202) throw new Error(`bulk answered ${res.status}`)
    bulkMs.push(performance.now() - started)
  }
  bulkMs.sort((a, b) => a - b)

  const report = {
    machine: { node: process.version, durationSec, connections },
    coldStart,
    baseline,
    auth: { unauthenticated, authenticated, authenticatedVsUnauthenticated: ratio(authenticated, unauthenticated) },
    send: { ...send, vsBaseline: ratio(send, baseline) },
    quotaReservation: { ...reservation, vsBaseline: ratio(reservation, baseline) },
    bulk1000Accept: { runs: bulkMs.map((ms) => Math.round(ms)), medianMs: Math.round(bulkMs[2]!) },
    webhooks: {
      ...webhooks,
      eventsPerSecVsBaselineRequestsPerSec: +(webhooks.busy.eventsPerSec / Math.max(baseline.requestsPerSec, 1)).toFixed(3),
    },
  }
  console.log(JSON.stringify(report, null, 2))
} finally {
  await stack.stop()
}
