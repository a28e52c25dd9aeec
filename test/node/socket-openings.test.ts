// A node handed many devices at once (a failover, a worker restart) opens their sockets a few at
// a time, NODE_MAX_OPENING_SOCKETS: against a slow worker, all at once would have every opening
// handshake queue behind the others and time out.
import { afterEach, describe, expect, it } from 'vitest'
import { spiedSimulator, startFakeWorker, startNode, stopEverything, type EngineCalls } from './support/node-harness'

const TOKEN = 'wnt_test_token_0123456789'

afterEach(stopEverything)

const engine = () => spiedSimulator({ scanDelayMs: 60_000 }, { created: [], stopped: [], loggedOut: [] } satisfies EngineCalls)

describe('device socket openings', () => {
  it('opens twelve assigned devices at most three at a time, and every one says hello', async () => {
    const worker = await startFakeWorker(TOKEN)
    worker.deviceUpgradeDelayMs = 150
    const plan = Array.from({ length: 12 }, (_, i) => ({ deviceId: 100 + i, epoch: 1 }))
    startNode({ worker, token: TOKEN, name: 'node-a', plan, engineFactory: engine(), env: { NODE_MAX_OPENING_SOCKETS: '3' } })

    await Promise.all(plan.map(({ deviceId }) => worker.deviceFrame(deviceId, 'hello')))
    expect(worker.openingDevices.most).toBe(3)
    // Only the device sockets wait their turn: the control socket opened once, at once.
    expect(worker.upgrades.filter((u) => u.path === '/api/nodes/connect')).toHaveLength(1)
  })

  it('gives back the turn of an opening the worker refused', async () => {
    const worker = await startFakeWorker(TOKEN)
    worker.deviceUpgradeDelayMs = 50
    const { node } = startNode({ worker, token: TOKEN, name: 'node-a', engineFactory: engine(), env: { NODE_MAX_OPENING_SOCKETS: '1' } })
    await worker.controlFrame('hello')
    worker.device(30, 5)
    worker.device(31, 1)
    // Device 30's epoch is stale: its upgrade gets 409 and the session ends; 31 must still open.
    worker.controls[0]!.send({ type: 'assign', device_id: 30, epoch: 4 })
    worker.controls[0]!.send({ type: 'assign', device_id: 31, epoch: 1 })

    await worker.deviceFrame(31, 'hello')
    expect(worker.upgrades.find((u) => u.path === '/api/nodes/devices/30/connect')?.status).toBe(409)
    expect(node.sessions.list()).toEqual([31])
  })
})
