// A scheduled message with real processes: it is stored by the device's Durable Object, so it
// outlives `kill -9` of the session node that holds the device and a restart of wrangler dev,
// and still goes out within a second of its time. A second one, cancelled, never goes out.
import { afterAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, tempDir, until } from './harness'

const stateDir = tempDir('scheduled')
const env = { WA_ENGINE: 'simulator', SIM_SCAN_DELAY_MS: '300', LOG_LEVEL: 'warn' }
let stack: Stack | undefined

const start = async () => {
  stack = await startStack({ port: await freePort(), stateDir, nodes: 1, env })
  return clientsOf(stack)
}
afterAll(() => stack?.stop())

describe('scheduled sends with real processes', () => {
  it('survive kill -9 of the node and a wrangler dev restart, and go out within a second of their time', async () => {
    let client = await start()
    const device = (await client.api('POST', '/devices', { name: 'scheduled' })).body.data
    const linked = async () =>
      (await client.api('GET', `/devices/${device.id}/status`)).body.data.status === 'authenticated' ? true : undefined
    await until(linked, 30_000, 'the device to link')

    const sendAt = new Date(Date.now() + 45_000).toISOString()
    const scheduled = await client.api('POST', '/send', { recipient: '+22370123456', message: 'on time', send_at: sendAt })
    expect(scheduled.status).toBe(202)
    const cancelled = await client.api('POST', '/send', { recipient: '+22370123457', message: 'never', send_at: sendAt })
    expect((await client.api('DELETE', `/messages/${cancelled.body.data.message_id}`)).body.data.status).toBe('cancelled')
    expect((await client.api('GET', '/quota')).body.data.used).toBe(1)

    await stack!.nodes[0]!.kill('SIGKILL')
    await stack!.stop()
    client = await start()
    await until(linked, 30_000, 'the device to be linked again after the restart')
    expect(Date.now()).toBeLessThan(Date.parse(sendAt))
    expect((await client.api('GET', `/messages/${scheduled.body.data.message_id}`)).body.data.status).toBe('scheduled')

    const sent = await until(
      async () => {
        const message = (await client.api('GET', `/messages/${scheduled.body.data.message_id}`)).body.data
        // `queued` while it is out for sending (the node has not answered yet): wait for its outcome.
        return message.status === 'scheduled' || message.status === 'queued' ? undefined : message
      },
      60_000,
      'the scheduled message to leave',
    )
    const lateMs = Date.parse(sent.sent_at!) - Date.parse(sendAt)
    console.log(`scheduled send: sent ${lateMs} ms after its send_at, across kill -9 and a wrangler dev restart`)
    expect(['sent', 'delivered', 'read']).toContain(sent.status)
    expect(lateMs).toBeGreaterThanOrEqual(0)
    expect(lateMs).toBeLessThan(1_000)
    expect((await client.api('GET', `/messages/${cancelled.body.data.message_id}`)).body.data.status).toBe('cancelled')
    expect((await client.api('GET', '/quota')).body.data.used).toBe(1)
  }, 240_000)
})
