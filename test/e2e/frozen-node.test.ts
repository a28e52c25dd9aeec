// A frozen node (kill -STOP) is noticed before messages are thrown at it: once it has been
// silent for NODE_SILENT_AFTER_MS a single send answers device_not_ready at once, not_sent and
// refunded, instead of waiting for a send timeout; the bulk it held waits and resumes once the
// node runs again (kill -CONT). No message ends as send_timeout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NODE_SILENT_AFTER_MS } from '../../protocol/timing'
import { startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, sleep, tempDir, until } from './harness'

let stack: Stack
let client: ReturnType<typeof clientsOf>

beforeAll(async () => {
  stack = await startStack({
    port: await freePort(),
    stateDir: tempDir('frozen'),
    nodes: 1,
    env: { WA_ENGINE: 'simulator', SIM_SCAN_DELAY_MS: '300', LOG_LEVEL: 'warn' },
  })
  client = clientsOf(stack)
})
afterAll(async () => {
  const node = stack?.nodes[0]?.child
  if (node?.pid) process.kill(node.pid, 'SIGCONT')
  await stack?.stop()
})

describe('a frozen session node', () => {
  it('gets no message while silent, answers single sends not_sent at once, and resumes the bulk after SIGCONT', async () => {
    const device = (await client.api('POST', '/devices', { name: 'frozen' })).body.data
    await until(
      async () => ((await client.api('GET', `/devices/${device.id}/status`)).body.data.status === 'authenticated' ? true : undefined),
      30_000,
      'the device to link',
    )
    await client.api('PATCH', `/devices/${device.id}`, { send_interval_ms: 15_000 })
    const recipients = ['+22370123456', '+22370123457', '+22370123458']
    const bulk = await client.api('POST', '/send-bulk', { messages: recipients.map((recipient) => ({ recipient, message: 'Hello' })) })
    expect(bulk.status).toBe(202)
    const ids = bulk.body.data.messages.map((m) => m.message_id)
    await until(
      async () => ((await client.api('GET', `/messages/${ids[0]}`)).body.data.status !== 'queued' ? true : undefined),
      10_000,
      'the first message to go out',
    )

    const pid = stack.nodes[0]!.child.pid!
    process.kill(pid, 'SIGSTOP')
    await sleep(NODE_SILENT_AFTER_MS + 3_000)
    const used = (await client.api('GET', '/quota')).body.data.used
    const startedAt = Date.now()
    const single = await client.api('POST', '/send', { recipient: '+22370123459', message: 'Are you there?' })
    const answeredInMs = Date.now() - startedAt
    expect(single.status).toBe(503)
    expect(single.body.error).toMatchObject({ code: 'device_not_ready', details: { outcome: 'not_sent' } })
    expect((await client.api('GET', '/quota')).body.data.used).toBe(used)
    console.log(`frozen node: single send refused in ${answeredInMs} ms`)

    process.kill(pid, 'SIGCONT')
    const final = await until(
      async () => {
        const statuses = await Promise.all(ids.map(async (id) => (await client.api('GET', `/messages/${id}`)).body.data))
        return statuses.every((m) => m.status !== 'queued') ? statuses : undefined
      },
      90_000,
      'the bulk to finish after SIGCONT',
    )
    expect(final.map((m) => m.error)).not.toContain('send_timeout')
    expect(final.map((m) => m.status).every((s) => ['sent', 'delivered', 'read'].includes(s))).toBe(true)
  }, 180_000)
})
