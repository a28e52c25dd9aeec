// A deleted device stays deleted, with real processes: six pollers read /status while it is
// deleted, ten times over; then the whole stack (wrangler dev and the node) restarts on the same
// state. Afterwards the node runs exactly the one device that was never deleted: none of the
// ten came back, neither in the fleet's count nor as a session the node started.
import { afterAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, tempDir, until } from './harness'

const stateDir = tempDir('deleted-devices')
const env = { WA_ENGINE: 'simulator', SIM_SCAN_DELAY_MS: '300', LOG_LEVEL: 'info', DEVICE_CREATIONS_PER_MINUTE: '1000' }
let stack: Stack | undefined
let nodeLog: string[] = []

const start = async () => {
  nodeLog = []
  stack = await startStack({
    port: await freePort(),
    stateDir,
    nodes: 1,
    env,
    log: (source, line) => {
      if (source.startsWith('dev-node')) nodeLog.push(line)
    },
  })
  return clientsOf(stack)
}
afterAll(() => stack?.stop())

/** The device ids the node started a session for, from its log. */
const runningIds = () =>
  nodeLog.flatMap((line) => (line.includes('running device') ? [(JSON.parse(line) as { deviceId: number }).deviceId] : []))

describe('deleted devices across a stack restart', () => {
  it('never come back: after 10 deletions raced by pollers and a restart, the node runs only the device that was kept', async () => {
    let client = await start()
    const onlineDevices = async () => (await client.admin('GET', '/nodes')).body.data.find((n) => n.status === 'online')?.devices
    const kept = (await client.api('POST', '/devices', { name: 'kept' })).body.data.id
    const deleted: number[] = []
    for (let round = 0; round < 10; round += 1) {
      const id = (await client.api('POST', '/devices', { name: `round ${round}` })).body.data.id
      deleted.push(id)
      let stop = false
      const pollers = Array.from({ length: 6 }, async () => {
        while (!stop) await client.api('GET', `/devices/${id}/status`)
      })
      expect((await client.api('DELETE', `/devices/${id}`)).status).toBe(200)
      // The pollers keep racing the deletion for a moment after it answered.
      await new Promise((resolve) => setTimeout(resolve, 200))
      stop = true
      await Promise.all(pollers)
    }
    await until(async () => ((await onlineDevices()) === 1 ? true : undefined), 30_000, 'the node to hold only the kept device')

    await stack!.stop()
    client = await start()
    await until(async () => (runningIds().includes(kept) ? true : undefined), 60_000, 'the node to run the kept device again')
    // Give the fleet time to hand out anything else it still thought the node held.
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    console.log(`deleted devices: after the restart the node runs ${JSON.stringify(runningIds())}; kept ${kept}, deleted ${deleted}`)
    expect(runningIds().filter((id) => deleted.includes(id))).toEqual([])
    expect(await onlineDevices()).toBe(1)
    for (const id of deleted) expect((await client.api('GET', `/devices/${id}/status`)).status).toBe(404)
  }, 240_000)
})
