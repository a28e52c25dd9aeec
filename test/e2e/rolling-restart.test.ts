// A rolling restart with real processes: each session node in turn is drained (its devices move
// to the other node now, from their stored credentials, with no new QR), restarted, and
// undrained, while a bulk request is being sent. No message is lost or sent twice, no device
// shows a QR again, and every device keeps its phone number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, sleep, tempDir, until } from './harness'

let stack: Stack
let client: ReturnType<typeof clientsOf>
const nodeLog: string[] = []
const FINAL = ['sent', 'delivered', 'read', 'failed']

beforeAll(async () => {
  stack = await startStack({
    port: await freePort(),
    stateDir: tempDir('rolling'),
    nodes: 2,
    log: (source, line) => {
      if (source.startsWith('dev-node')) nodeLog.push(line)
    },
    // A long grace: only the drain may move devices, never a node's absence.
    env: {
      WA_ENGINE: 'simulator',
      SIM_SCAN_DELAY_MS: '300',
      SIM_DELIVERY_MS: '100',
      SIM_READ_MS: '200',
      LOG_LEVEL: 'info',
      FLEET_FAILOVER_GRACE_MS: '120000',
    },
  })
  client = clientsOf(stack)
})
afterAll(() => stack?.stop())

const nodes = async () => (await client.admin('GET', '/nodes')).body.data
const status = async (id: number) => (await client.api('GET', `/devices/${id}/status`)).body.data
const batchMessages = async (batchId: string) => (await client.api('GET', `/messages?batch_id=${batchId}&limit=100`)).body.data.messages

describe('rolling restart: drain, restart, undrain', () => {
  it('moves devices without a rescan and loses or repeats no message', async () => {
    await until(
      async () => ((await nodes()).filter((n) => n.status === 'online').length === 2 ? true : undefined),
      30_000,
      'two nodes online',
    )
    const ids = [
      (await client.api('POST', '/devices', { name: 'one' })).body.data.id,
      (await client.api('POST', '/devices', { name: 'two' })).body.data.id,
    ]
    for (const id of ids)
      await until(async () => ((await status(id)).status === 'authenticated' ? true : undefined), 30_000, `device ${id} linked`)
    const phones = await Promise.all(ids.map(async (id) => (await status(id)).phone_number))

    // Watch the devices all along: once linked, none may ask for a QR again.
    const seen = new Map<number, Set<string>>(ids.map((id) => [id, new Set<string>()]))
    let watching = true
    const watcher = (async () => {
      while (watching) {
        for (const id of ids) seen.get(id)!.add((await status(id)).status)
        await sleep(150)
      }
    })().catch(() => undefined)
    let messages: Awaited<ReturnType<typeof batchMessages>> = []
    try {
      await client.api('PATCH', `/devices/${ids[0]}`, { send_interval_ms: 150 })
      const bulk = await client.api('POST', '/send-bulk', {
        device_id: ids[0],
        messages: Array.from({ length: 24 }, (_, i) => ({ recipient: `+223701234${String(i).padStart(2, '0')}`, message: `rolling ${i}` })),
      })
      expect(bulk.status).toBe(202)

      for (const node of stack.nodes) {
        const drained = await client.admin('POST', `/nodes/${node.id}/drain`)
        expect(drained.body.data).toMatchObject({ drained: true, devices: 0 })
        for (const id of ids)
          await until(async () => ((await status(id)).status === 'authenticated' ? true : undefined), 30_000, `device ${id} moved`)
        await node.kill('SIGTERM')
        node.start()
        await until(
          async () => ((await nodes()).find((n) => n.id === node.id)?.status === 'online' ? true : undefined),
          30_000,
          'the node back',
        )
        expect((await client.admin('POST', `/nodes/${node.id}/undrain`)).body.data).toMatchObject({ drained: false })
      }

      messages = await until(
        async () => {
          const page = await batchMessages(bulk.body.data.batch_id)
          // A receipt due from a node that let the device go may never come: `sent` is as final as it gets then.
          return page.length === 24 && page.every((m) => FINAL.includes(m.status)) ? page : undefined
        },
        90_000,
        'every message of the bulk to be final',
      )
    } finally {
      watching = false
      await watcher
    }
    expect(messages.filter((m) => m.status === 'failed')).toEqual([])
    for (const m of messages) {
      expect(nodeLog.filter((line) => line.includes(m.message_id) && line.includes('message sent')).length, m.message_id).toBe(1)
    }
    for (const [id, statuses] of seen) expect([...statuses], `device ${id}`).not.toContain('qr_ready')
    expect(await Promise.all(ids.map(async (id) => (await status(id)).phone_number))).toEqual(phones)
    console.log(`rolling restart: statuses seen ${JSON.stringify(Object.fromEntries([...seen].map(([id, s]) => [id, [...s]])))}`)
  }, 240_000)
})
