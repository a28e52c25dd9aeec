// One company cannot exhaust a session node with media: 20 concurrent sends of a 50 MB document
// over four of its devices leave the node's peak RSS (VmHWM, read from /proc) under its media
// budget (MEDIA_MEMORY_MB) plus a margin, and another company's text send on the same node is
// answered normally while they run. None of the media sends is lost: each ends sent, or (had it
// waited too long for the budget) failed as media_unavailable and refunded.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, tempDir, until } from './harness'

const MB = 1024 * 1024
const BUDGET_MB = 200
/** Room for what is not media: the node's own growth under load, allocator slack, GC timing. */
const MARGIN_MB = 120
const FILE = Buffer.alloc(50 * MB, 0x20)
FILE.write('%PDF-1.4\n')

let stack: Stack
let client: ReturnType<typeof clientsOf>
let media: Server
let mediaUrl: string

/** A figure from /proc/<pid>/status, in MB: VmRSS now, VmHWM the peak since the process started. */
function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`))
  return Math.round(Number(/(\d+)/.exec(line ?? '')?.[1] ?? Number.NaN) / 1024)
}

beforeAll(async () => {
  media = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': FILE.length })
    res.end(FILE)
  })
  await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve))
  const address = media.address()
  mediaUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/brochure.pdf`
  stack = await startStack({
    port: await freePort(),
    stateDir: tempDir('media-budget'),
    nodes: 1,
    env: {
      WA_ENGINE: 'simulator',
      SIM_SCAN_DELAY_MS: '300',
      MEDIA_ALLOW_PRIVATE: '1',
      MEDIA_MEMORY_MB: String(BUDGET_MB),
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_SEC: '1000',
      RATE_LIMIT_BURST: '1000',
    },
  })
  client = clientsOf(stack)
})
afterAll(async () => {
  await stack?.stop()
  media?.close()
})

const linked = (api: ReturnType<typeof clientsOf>['api'], id: number) =>
  until(
    async () => ((await api('GET', `/devices/${id}/status`)).body.data.status === 'authenticated' ? true : undefined),
    30_000,
    `device ${id} to link`,
  )

describe('the media budget of a session node', () => {
  it('keeps the node under its budget through 20 concurrent 50 MB sends while another company is served', async () => {
    const devices = await Promise.all(
      [1, 2, 3, 4].map(async (n) => (await client.api('POST', '/devices', { name: `media ${n}` })).body.data.id),
    )
    await Promise.all(devices.map((id) => linked(client.api, id)))

    const other = (await client.admin('POST', '/companies', { name: 'Other tenant' })).body.data
    const otherKey = (await client.admin('POST', `/companies/${other.id}/api-keys`, { name: 'other', service_type: 'whatsapp' })).body.data
      .key
    const otherClient = clientsOf({ ...stack, credentials: { apiKey: otherKey } })
    const otherDevice = (await otherClient.api('POST', '/devices', { name: 'other' })).body.data.id
    await linked(otherClient.api, otherDevice)

    const pid = stack.nodes[0]!.child.pid!
    const before = memoryOf(pid, 'VmRSS')
    const usedBefore = (await client.api('GET', '/quota')).body.data.used
    let mediaDone = 0
    const sends = Array.from({ length: 20 }, (_, i) =>
      client
        .api('POST', '/send', { recipient: `+2237012${String(3000 + i)}`, media_url: mediaUrl, device_id: devices[i % devices.length] })
        .finally(() => (mediaDone += 1)),
    )
    // Once the node is busy with them, the other company sends a text.
    await until(async () => (memoryOf(pid, 'VmRSS') > before + 40 ? true : undefined), 30_000, 'the node to start on the media')
    const text = await otherClient.api('POST', '/send', { recipient: '+22370129999', message: 'Hello from another tenant' })
    const mediaDoneWhenTextAnswered = mediaDone
    const results = await Promise.all(sends)
    const peak = memoryOf(pid, 'VmHWM')
    console.log(
      `media budget: node RSS ${before} MB before, peak ${peak} MB (budget ${BUDGET_MB} MB + margin ${MARGIN_MB} MB); ` +
        `text of the other company answered after ${mediaDoneWhenTextAnswered} of 20 media sends; ` +
        `media outcomes ${JSON.stringify(results.map((r) => (r.status === 200 ? r.body.data.status : r.body.error?.code)))}`,
    )

    expect(text.status).toBe(200)
    expect(text.body.data.status).toBe('sent')
    expect(mediaDoneWhenTextAnswered).toBeLessThan(20)
    expect(peak).toBeLessThan(before + BUDGET_MB + MARGIN_MB)
    // Nothing lost: sent, or refused as media_unavailable with its quota given back.
    const sent = results.filter((r) => r.status === 200 && r.body.data.status === 'sent').length
    const refused = results.filter((r) => r.body.error?.code === 'media_unavailable').length
    expect(sent + refused).toBe(20)
    expect((await client.api('GET', '/quota')).body.data.used).toBe(usedBefore + sent)
  }, 240_000)
})
