// A session node's operator port with real processes: /metrics scraped in Prometheus format
// after a device linked and a message went through, and /healthz and /readyz answering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, tempDir, until } from './harness'

let stack: Stack
let metricsPort: number

beforeAll(async () => {
  metricsPort = await freePort()
  stack = await startStack({
    port: await freePort(),
    stateDir: tempDir('node-metrics'),
    nodes: 1,
    env: {
      WA_ENGINE: 'simulator',
      SIM_SCAN_DELAY_MS: '300',
      SIM_DELIVERY_MS: '100',
      SIM_READ_MS: '200',
      LOG_LEVEL: 'warn',
      METRICS_PORT: String(metricsPort),
    },
  })
})
afterAll(() => stack?.stop())

/** One sample's value from a Prometheus text body, or undefined. */
const sample = (body: string, name: string, labels = '') => {
  const line = body.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `))
  return line === undefined ? undefined : Number(line.split(' ').pop())
}

describe('session-node metrics and health', () => {
  it('counts sessions by status, sends and receipts, and reports process health', async () => {
    const base = `http://127.0.0.1:${metricsPort}`
    const client = clientsOf(stack)
    await until(async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), 30_000, 'the node to be ready')
    expect((await fetch(`${base}/healthz`)).status).toBe(200)

    const device = (await client.api('POST', '/devices', { name: 'metrics' })).body.data
    await until(
      async () => ((await client.api('GET', `/devices/${device.id}/status`)).body.data.status === 'authenticated' ? true : undefined),
      30_000,
      'the device to link',
    )
    const sent = (await client.api('POST', '/send', { recipient: '+22370123456', message: 'counted', device_id: device.id })).body.data
    await until(
      async () => ((await client.api('GET', `/messages/${sent.message_id}`)).body.data.status === 'read' ? true : undefined),
      10_000,
      'read',
    )

    const res = await fetch(`${base}/metrics`)
    expect(res.headers.get('Content-Type')).toContain('text/plain')
    const body = await res.text()
    expect(sample(body, 'wa_node_sessions', 'status="authenticated"')).toBe(1)
    expect(sample(body, 'wa_node_sends_total', 'outcome="sent"')).toBe(1)
    expect(sample(body, 'wa_node_receipts_total', 'status="read"')).toBe(1)
    expect(sample(body, 'wa_node_frame_queue_length', 'queue="receipts"')).toBe(0)
    expect(sample(body, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000)
    expect(sample(body, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0)
    for (const name of [
      'wa_node_inbound_messages_total',
      'wa_node_media_fetch_seconds',
      'wa_node_media_fetch_bytes',
      'wa_node_reconnects_total',
    ]) {
      expect(body, name).toContain(`# TYPE ${name}`)
    }
    expect((await fetch(`${base}/nope`)).status).toBe(404)
  })
})
