// The partition lease: a node cut off from the worker (control socket AND device socket silent)
// stops driving its WhatsApp sessions before the fleet moves them, without logging out, and
// starts them again only once DeviceDO welcomes it back. A short lease (300 ms) and fast pings
// (50 ms) against the fake worker, whose `partition` switch makes sockets fall silent or drops
// them and refuses new ones.
import { afterEach, describe, expect, it } from 'vitest'
import { DEFAULT_TIMING } from '../../session-node/transport/frame-socket'
import { command } from './fake-worker'
import { spiedSimulator, startFakeWorker, startNode, stopEverything, type EngineCalls } from './support/node-harness'

const TOKEN = 'wnt_lease_token_0123456789'
const LEASE_MS = 300
const HEARTBEAT_MS = 50

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

afterEach(stopEverything)

async function setup(deviceId: number, options: { flushOnStop?: boolean } = {}) {
  const worker = await startFakeWorker(TOKEN)
  const calls: EngineCalls = { created: [], stopped: [], loggedOut: [] }
  const { node, logs } = startNode({
    worker,
    token: TOKEN,
    name: 'node-l',
    plan: [{ deviceId, epoch: 1 }],
    engineFactory: spiedSimulator({ scanDelayMs: 50, resumeDelayMs: 10 }, calls, options.flushOnStop),
    config: { leaseMs: LEASE_MS },
    logLevel: 'warn',
    timing: { socket: { ...DEFAULT_TIMING, heartbeatMs: HEARTBEAT_MS }, drainMs: 500 },
  })
  await worker.deviceFrame(deviceId, 'status', (frame) => frame.status === 'authenticated')
  return { worker, node, calls, logs, device: worker.devices.get(deviceId)! }
}

describe('session lease', () => {
  it('stops the engine without logging out when both sockets fall silent, and starts it again once DeviceDO welcomes it back', async () => {
    const { worker, node, calls, logs, device } = await setup(70)
    const stored = new Map(device.auth)
    const first = device.connections[0]!

    // The worker stops answering anything (no pong, no frame) and accepts no new connection.
    const silentSince = Date.now()
    worker.partition.control = true
    worker.partition.devices = true
    await sleep(LEASE_MS / 3)
    expect(calls.stopped).toEqual([]) // still within the lease

    await worker.waitFor(() => calls.stopped.length > 0, 'the engine to stop', LEASE_MS + 2_000)
    const stoppedAfter = calls.stopped[0]!.at - silentSince
    expect(stoppedAfter).toBeGreaterThanOrEqual(LEASE_MS - 2 * HEARTBEAT_MS) // last pong came at most one ping before
    expect(stoppedAfter).toBeLessThan(LEASE_MS + 500)
    expect(calls.stopped.map((s) => s.deviceId)).toEqual([70])
    expect(calls.loggedOut).toEqual([])
    expect(device.auth).toEqual(stored) // nothing unlinked, nothing cleared
    expect(logs.find((line) => line.level === 40 && line.msg.includes('lost touch with the worker'))).toMatchObject({ deviceId: 70 })
    // The silent socket was cut; the session itself lives on and keeps trying to reconnect.
    await first.closed
    expect(node.sessions.list()).toEqual([70])

    // No welcome, no engine: it stays stopped however long the partition lasts.
    await sleep(2 * LEASE_MS)
    expect(calls.created).toEqual([70])
    expect(calls.stopped).toHaveLength(1)
    expect(worker.upgrades.filter((u) => u.path === '/api/nodes/devices/70/connect' && u.status === 0).length).toBeGreaterThan(0)

    // The worker is back: DeviceDO welcomes the session (active) and the engine resumes from the
    // stored auth state, without a QR.
    worker.partition.control = false
    worker.partition.devices = false
    const second = await worker.waitFor(() => device.connections[1], 'the device socket to reconnect')
    await worker.waitFor(() => second.frames.find((f) => f.type === 'status' && f.status === 'authenticated'), 'the engine to resume')
    expect(calls.created).toEqual([70, 70])
    expect(second.frames.some((f) => f.type === 'qr')).toBe(false)
    expect(calls.loggedOut).toEqual([])
    expect(
      await command(worker, second, { type: 'send', id: 's1', message_id: 'm1', chat_id: '22370123456@s.whatsapp.net', text: 'back' }),
    ).toMatchObject({ ok: true })

    // The lease runs again: a second partition stops the engine a second time.
    worker.partition.control = true
    worker.partition.devices = true
    await worker.waitFor(() => calls.stopped.length === 2, 'the engine to stop again', LEASE_MS + 2_000)
  })

  it('does not restart a device that was moved meanwhile: the reconnect is refused (409) and the session ends', async () => {
    // The engine's stop waits for a last auth write that cannot land while the worker is away:
    // the end of the session must not wait for it forever.
    const { worker, node, calls, device } = await setup(71, { flushOnStop: true })
    worker.partition.control = true
    worker.partition.devices = true
    worker.cut('control')
    worker.cut('devices')
    await worker.waitFor(() => calls.stopped.length > 0, 'the engine to stop', LEASE_MS + 2_000)

    // Meanwhile the fleet gave up on this node and moved the device.
    worker.plans.set('node-l', [])
    device.epoch = 2
    worker.partition.control = false
    worker.partition.devices = false
    await worker.waitFor(() => worker.upgrades.find((u) => u.path === '/api/nodes/devices/71/connect' && u.status === 409), 'the 409')
    await worker.waitFor(() => node.sessions.list().length === 0, 'the session to end', 3_000)
    expect(calls.created).toEqual([71])
    expect(calls.loggedOut).toEqual([])
  })

  it('keeps the engine running while the device socket is healthy, even with the control socket cut off', async () => {
    const { worker, calls, device } = await setup(72)
    worker.partition.control = true
    worker.cut('control')
    await sleep(4 * LEASE_MS)
    expect(calls.stopped).toEqual([])
    expect(device.connections).toHaveLength(1) // the device socket was left alone
    expect(
      await command(worker, device.connections[0]!, {
        type: 'send',
        id: 's1',
        message_id: 'm1',
        chat_id: '22370123456@s.whatsapp.net',
        text: 'still here',
      }),
    ).toMatchObject({ ok: true })

    worker.partition.control = false
    await worker.waitFor(() => worker.controls[1], 'the control socket to reconnect')
    expect(calls.stopped).toEqual([])
  })

  it('keeps the engine running while the control socket is healthy, even with the device socket cut off', async () => {
    const { worker, calls, device } = await setup(73)
    worker.partition.devices = true
    worker.cut('devices')
    await sleep(4 * LEASE_MS)
    expect(calls.stopped).toEqual([])

    worker.partition.devices = false
    const second = await worker.waitFor(() => device.connections[1], 'the device socket to reconnect')
    await worker.waitFor(() => second.frames.find((f) => f.type === 'status' && f.status === 'authenticated'), 'the status replay')
    expect(calls.created).toEqual([73]) // the same engine all along
    expect(calls.stopped).toEqual([])
  })
})
