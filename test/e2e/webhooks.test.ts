// Webhooks with real processes: wrangler dev, a simulator session node and a local receiver
// that verifies every delivery with the `standardwebhooks` package. A send's whole lifecycle
// arrives as signed events in sequence order; with the receiver down, deliveries wait and
// retry, and a restart of the whole stack meanwhile loses none of them.
import { createServer, type Server } from 'node:http'
import { Webhook as Verifier } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, tempDir, until } from './harness'

interface Delivery {
  id: string
  type: string
  sequence: number
  data: Record<string, unknown>
}

const stateDir = tempDir('webhooks')
const env = {
  WA_ENGINE: 'simulator',
  SIM_SCAN_DELAY_MS: '300',
  SIM_DELIVERY_MS: '200',
  SIM_READ_MS: '400',
  WEBHOOK_ALLOW_PRIVATE: '1',
  LOG_LEVEL: 'warn',
}
let stack: Stack | undefined
let receiver: Server
let receiverUrl: string
let secret = ''
let answering = 200
const verified: Delivery[] = []
const signatures: string[] = []
const startedAt = new Date().toISOString()
const refusedSignatures: string[] = []

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      if (answering !== 200) return res.writeHead(answering).end('not now')
      try {
        signatures.push(String(req.headers['webhook-signature']))
        verified.push(new Verifier(secret).verify(body, req.headers as Record<string, string>) as Delivery)
        res.writeHead(200).end('ok')
      } catch (error) {
        refusedSignatures.push(String(error))
        res.writeHead(400).end('bad signature')
      }
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const address = receiver.address()
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks`
})
afterAll(async () => {
  await stack?.stop()
  receiver?.close()
})

const start = async () => {
  stack = await startStack({ port: await freePort(), stateDir, nodes: 1, env })
  return clientsOf(stack)
}

describe('webhooks end to end', () => {
  it("delivers a send's lifecycle signed and in order, and resumes pending deliveries after a restart", async () => {
    let client = await start()
    const device = (await client.api('POST', '/devices', { name: 'hooks' })).body.data
    await until(
      async () => ((await client.api('GET', `/devices/${device.id}/status`)).body.data.status === 'authenticated' ? true : undefined),
      30_000,
      'the device to link',
    )
    const hook = await client.api('POST', '/webhooks', {
      url: receiverUrl,
      event_types: ['message.sent', 'message.delivered', 'message.read'],
    })
    expect(hook.status).toBe(201)
    secret = hook.body.data.secret
    const sent = await client.api('POST', '/send', { recipient: '+22370123456', message: 'Hello' })
    const lifecycle = await until(async () => (verified.length >= 3 ? verified.slice(0, 3) : undefined), 20_000, 'three signed events')
    expect(lifecycle.map((e) => e.type)).toEqual(['message.sent', 'message.delivered', 'message.read'])
    expect(lifecycle.map((e) => e.data.message_id)).toEqual([
      sent.body.data.message_id,
      sent.body.data.message_id,
      sent.body.data.message_id,
    ])
    expect(lifecycle.map((e) => e.sequence)).toEqual([...lifecycle.map((e) => e.sequence)].sort((a, b) => a - b))
    expect(refusedSignatures).toEqual([])

    // The receiver goes down; a second send's events wait in the endpoint's log.
    answering = 503
    const second = await client.api('POST', '/send', { recipient: '+22370123457', message: 'While you were away' })
    await until(
      async () => {
        const log = (await client.api('GET', `/webhooks/${hook.body.data.id}/deliveries?status=pending`)).body.data.deliveries
        return log.length >= 3 ? true : undefined
      },
      20_000,
      'three pending deliveries',
    )
    await stack!.stop()
    answering = 200
    client = await start()
    const after = await until(
      async () => {
        const mine = verified.filter((e) => e.data.message_id === second.body.data.message_id)
        return mine.length >= 3 ? mine : undefined
      },
      60_000,
      'the pending deliveries to resume after the restart',
    )
    expect(after.map((e) => e.type).sort()).toEqual(['message.delivered', 'message.read', 'message.sent'])
    console.log(`webhooks e2e: ${verified.length} signed deliveries verified, ${refusedSignatures.length} refused`)
  }, 180_000)

  it('with the receiver down a while, delivers every event of a bulk once back, in sequence order, duplicates under one id', async () => {
    const client = clientsOf(stack!)
    const device = (await client.api('GET', '/devices')).body.data[0]!
    // The stack was just restarted: the device resumes on its node from its stored credentials first.
    await until(
      async () => ((await client.api('GET', `/devices/${device.id}/status`)).body.data.status === 'authenticated' ? true : undefined),
      30_000,
      'the device to be linked again after the restart',
    )
    await client.api('PATCH', `/devices/${device.id}`, { send_interval_ms: 0 })
    const from = verified.length
    answering = 503
    const bulk = await client.api('POST', '/send-bulk', {
      messages: [1, 2, 3, 4].map((n) => ({ recipient: `+2237012350${n}`, message: `bulk ${n}` })),
    })
    const ids = new Set(bulk.body.data.messages.map((m) => m.message_id))
    await new Promise((resolve) => setTimeout(resolve, 2_500))
    answering = 200
    const mine = () => verified.slice(from).filter((e) => ids.has(e.data.message_id as string))
    const events = await until(
      async () => (new Set(mine().map((e) => e.id)).size >= 12 ? mine() : undefined),
      60_000,
      () => `12 events, got ${mine().length}`,
    )
    const firstSeen = events.filter((e, i) => events.findIndex((o) => o.id === e.id) === i)
    expect(firstSeen.map((e) => e.sequence)).toEqual([...firstSeen.map((e) => e.sequence)].sort((a, b) => a - b))
    // A duplicate (an attempt that timed out, or delivered twice) is the same event under the same id.
    for (const event of events) expect(JSON.stringify(firstSeen.find((e) => e.id === event.id))).toBe(JSON.stringify(event))
    console.log(
      `webhooks e2e: ${firstSeen.length} events of the bulk after the receiver came back, ${events.length - firstSeen.length} duplicates`,
    )
  }, 120_000)

  it('replays what happened with the same ids, and signs with both secrets after a rotation', async () => {
    const client = clientsOf(stack!)
    const hook = (await client.api('GET', '/webhooks')).body.data[0]!
    const before = new Set(verified.map((e) => e.id))
    const rotated = await client.api('POST', `/webhooks/${hook.id}/rotate-secret`)
    // The receiver now knows only the new secret; the old one signs too, for a day.
    secret = rotated.body.data.secret
    const count = verified.length
    const replay = await client.api('POST', `/webhooks/${hook.id}/replay`, { since: startedAt })
    expect(replay.status).toBe(202)
    const again = await until(
      async () => (verified.length - count >= replay.body.data.events ? verified.slice(count) : undefined),
      30_000,
      () => `the ${replay.body.data.events} replayed events, got ${verified.length - count}`,
    )
    expect(again.every((e) => before.has(e.id))).toBe(true)
    const latest = signatures.at(-1)!.split(' ')
    expect(latest).toHaveLength(2)
    console.log(`webhooks e2e: replay re-sent ${again.length} events under their ids, signed twice during the rotation`)
  }, 120_000)
})
