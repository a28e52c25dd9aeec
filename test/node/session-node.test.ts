// The real session node (in-process, simulator engine) against a fake worker: what the fleet and
// the devices see over the wire, and what a user would notice through the API.
import { NODE_VERSION } from '../../session-node/version'
import { afterEach, describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION } from '../../protocol/frames'
import { simulatedPairingCode, type SimulatorOptions } from '../../session-node/engines/simulator'
import { command, type FakeWorker } from './fake-worker'
import { spiedSimulator, startFakeWorker, startNode, stopEverything, type EngineCalls } from './support/node-harness'

const TOKEN = 'wnt_test_token_0123456789'

afterEach(stopEverything)

async function setup(
  nodeName: string,
  plan: { deviceId: number; epoch: number }[],
  simulator: Partial<SimulatorOptions> = {},
  worker?: FakeWorker,
) {
  const fake = worker ?? (await startFakeWorker(TOKEN))
  const calls: EngineCalls = { created: [], stopped: [], loggedOut: [] }
  const { node, fatal } = startNode({
    worker: fake,
    token: TOKEN,
    name: nodeName,
    plan,
    engineFactory: spiedSimulator({ scanDelayMs: 150, resumeDelayMs: 10, ...simulator }, calls),
  })
  return { worker: fake, node, calls, fatal }
}

const authenticated = (phone: string) => (frame: { status: string; phone_number?: string | null }) =>
  frame.status === 'authenticated' && frame.phone_number === phone

describe('session node against the worker', () => {
  it('joins the fleet, links an assigned device by QR, and stores only sealed auth state', async () => {
    const { worker } = await setup('node-a', [{ deviceId: 42, epoch: 3 }])

    const hello = await worker.controlFrame('hello')
    expect(hello).toEqual({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      node_name: 'node-a',
      engine: 'simulator',
      capacity: 500,
      sessions: [],
      version: NODE_VERSION,
    })

    const deviceHello = await worker.deviceFrame(42, 'hello')
    expect(deviceHello).toEqual({ type: 'hello', protocol: PROTOCOL_VERSION, device_id: 42, epoch: 3 })

    const qr = await worker.deviceFrame(42, 'qr')
    expect(qr.qr_code).toMatch(/^SIM-QR:42:1:/)
    expect(qr.qr_image).toMatch(/^data:image\/png;base64,/)
    const png = Buffer.from(qr.qr_image.slice('data:image/png;base64,'.length), 'base64')
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
    expect(qr.expires_at).toBeGreaterThan(Date.now() + 30_000) // the first QR lives 60 s

    await worker.deviceFrame(42, 'status', authenticated('+15550000042'))

    const auth = worker.devices.get(42)!.auth
    expect(auth.size).toBeGreaterThan(0)
    for (const [name, value] of auth) {
      expect(name).toMatch(/^[0-9a-f]{64}$/)
      expect(value).not.toContain('15550000042')
      expect(value).not.toContain('registered')
    }
    // Nothing the node sent to the worker is garbage.
    expect(worker.devices.get(42)!.connections.every((c) => c.garbage.length === 0)).toBe(true)
  })

  it('resumes a device on another node without a new QR (failover)', async () => {
    const first = await setup('node-a', [{ deviceId: 5, epoch: 1 }])
    await first.worker.deviceFrame(5, 'status', authenticated('+15550000005'))
    // The fleet moves the device: node-a is released, node-b gets a higher epoch.
    first.worker.controls[0]!.send({ type: 'release', device_id: 5, reason: 'moved' })
    await first.worker.waitFor(() => first.node.sessions.list().length === 0, 'node-a to let go')
    first.worker.devices.get(5)!.epoch = 2

    const second = await setup('node-b', [{ deviceId: 5, epoch: 2 }], {}, first.worker)
    const secondConnection = await first.worker.waitFor(() => first.worker.devices.get(5)!.connections[1], 'node-b to connect')
    await first.worker.waitFor(
      () => secondConnection.frames.find((f) => f.type === 'status' && f.status === 'authenticated'),
      'node-b to resume',
    )
    expect(secondConnection.frames.find((f) => f.type === 'status' && f.status === 'authenticated')).toMatchObject({
      phone_number: '+15550000005',
    })
    expect(secondConnection.frames.some((f) => f.type === 'qr')).toBe(false)
    expect(first.calls.loggedOut).toEqual([])
    expect(second.calls.loggedOut).toEqual([])
  })

  it('answers malformed frames with malformed_frame and keeps working', async () => {
    const { worker, node } = await setup('node-a', [{ deviceId: 7, epoch: 1 }])
    await worker.deviceFrame(7, 'status', authenticated('+15550000007'))
    const control = worker.controls[0]!
    const device = worker.devices.get(7)!.connections[0]!

    control.sendRaw('{not json')
    control.sendRaw(JSON.stringify({ type: 'assign', device_id: 'seven', epoch: 1 }))
    device.sendRaw(Buffer.from([0, 1, 2, 3]))
    device.sendRaw(JSON.stringify({ type: 'launch_missiles', id: 'x1' }))

    await worker.waitFor(() => control.frames.filter((f) => f.type === 'error').length === 2, 'two errors on the control socket')
    await worker.waitFor(() => device.frames.filter((f) => f.type === 'error').length === 2, 'two errors on the device socket')
    for (const frame of [...control.frames, ...device.frames]) {
      if (frame.type === 'error') expect(frame.code).toBe('malformed_frame')
    }

    // Still working on both sockets: a command is answered and a new assignment runs.
    expect(await command(worker, device, { type: 'pause', id: 'p1' })).toEqual({ type: 'result', id: 'p1', ok: true })
    expect(await command(worker, device, { type: 'resume', id: 'r1' })).toEqual({ type: 'result', id: 'r1', ok: true })
    worker.device(8, 1)
    control.send({ type: 'assign', device_id: 8, epoch: 1 })
    await worker.deviceFrame(8, 'status', authenticated('+15550000008'))
    expect(node.sessions.list().sort()).toEqual([7, 8])
  })

  it('gives a pairing code that links the device to that phone number', async () => {
    const { worker } = await setup('node-a', [{ deviceId: 9, epoch: 1 }], { scanDelayMs: 1500 })
    await worker.deviceFrame(9, 'qr')
    const device = worker.devices.get(9)!.connections[0]!
    const result = await command(worker, device, { type: 'pairing_code', id: 'pc1', phone_number: '22370123456' })
    expect(result).toEqual({ type: 'result', id: 'pc1', ok: true, data: { pairing_code: simulatedPairingCode(9, '22370123456') } })
    expect(simulatedPairingCode(9, '22370123456')).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/)
    await worker.deviceFrame(9, 'status', authenticated('+22370123456'))

    // Once linked, another code is refused with a reason.
    const again = await command(worker, device, { type: 'pairing_code', id: 'pc2', phone_number: '22370123456' })
    expect(again).toMatchObject({ ok: false, error: { code: 'already_linked' } })
  })

  it('logs out on the logout command: auth state cleared, status error logged_out', async () => {
    const { worker, calls } = await setup('node-a', [{ deviceId: 11, epoch: 1 }])
    await worker.deviceFrame(11, 'status', authenticated('+15550000011'))
    const device = worker.devices.get(11)!.connections[0]!
    expect(await command(worker, device, { type: 'logout', id: 'lo1' })).toEqual({ type: 'result', id: 'lo1', ok: true })
    expect(worker.devices.get(11)!.auth.size).toBe(0)
    expect(device.frames).toContainEqual({ type: 'status', status: 'error', reason: 'logged_out' })
    expect(calls.loggedOut).toEqual([11])
  })

  it('on release stops the session without logging out, and keeps the auth state', async () => {
    const { worker, node, calls } = await setup('node-a', [{ deviceId: 12, epoch: 1 }])
    await worker.deviceFrame(12, 'status', authenticated('+15550000012'))
    const device = worker.devices.get(12)!.connections[0]!
    const stored = new Map(worker.devices.get(12)!.auth)

    worker.controls[0]!.send({ type: 'release', device_id: 12, reason: 'device moved' })
    expect(await device.closed).toMatchObject({ code: 1000 })
    expect(calls.stopped.map((s) => s.deviceId)).toEqual([12])
    expect(calls.loggedOut).toEqual([])
    expect(worker.devices.get(12)!.auth).toEqual(stored)
    await worker.waitFor(() => node.sessions.list().length === 0, 'the node to forget the device')
  })

  it('does not reconnect a fenced session (4009) but reconnects after a plain close, engine still running', async () => {
    const { worker, node, calls } = await setup('node-a', [
      { deviceId: 20, epoch: 1 },
      { deviceId: 21, epoch: 1 },
    ])
    await worker.deviceFrame(20, 'status', authenticated('+15550000020'))
    await worker.deviceFrame(21, 'status', authenticated('+15550000021'))

    worker.devices.get(20)!.connections[0]!.send({ type: 'release', reason: 'assigned elsewhere' })
    worker.devices.get(20)!.connections[0]!.ws.close(4009, 'not assigned')
    worker.devices.get(21)!.connections[0]!.ws.close(1011, 'restarting')

    // Device 21 comes back with the same epoch and tells DeviceDO it is still linked.
    const back = await worker.waitFor(() => worker.devices.get(21)!.connections[1], 'device 21 to reconnect')
    await worker.waitFor(() => back.frames.find((f) => f.type === 'status' && f.status === 'authenticated'), 'status replay')
    expect(back.frames[0]).toEqual({ type: 'hello', protocol: PROTOCOL_VERSION, device_id: 21, epoch: 1 })
    expect(calls.created.filter((id) => id === 21)).toHaveLength(1) // the engine kept running
    expect(back.frames.some((f) => f.type === 'qr')).toBe(false)

    // Well past the reconnect delays: device 20 never came back, and was stopped without logout.
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(worker.devices.get(20)!.connections).toHaveLength(1)
    expect(worker.upgrades.filter((u) => u.path === '/api/nodes/devices/20/connect')).toHaveLength(1)
    expect(calls.stopped.map((s) => s.deviceId)).toContain(20)
    expect(calls.loggedOut).toEqual([])
    expect(node.sessions.list()).toEqual([21])
  })

  it('refuses an epoch the device does not hold (HTTP 409) without retrying', async () => {
    const { worker, node, calls } = await setup('node-a', [])
    await worker.controlFrame('hello')
    worker.device(30, 5)
    worker.controls[0]!.send({ type: 'assign', device_id: 30, epoch: 4 })
    await worker.waitFor(() => worker.upgrades.find((u) => u.status === 409), 'the 409')
    await new Promise((resolve) => setTimeout(resolve, 400))
    expect(worker.upgrades.filter((u) => u.path === '/api/nodes/devices/30/connect')).toHaveLength(1)
    expect(node.sessions.list()).toEqual([])
    expect(calls.created).toEqual([])
  })

  it('reconnects the control socket and reports the sessions it still runs', async () => {
    const { worker } = await setup('node-a', [{ deviceId: 40, epoch: 1 }])
    await worker.deviceFrame(40, 'status', authenticated('+15550000040'))
    worker.controls[0]!.ws.close(1012, 'worker restart')
    const second = await worker.waitFor(() => worker.controls[1], 'a second control socket')
    const hello = await worker.controlFrame('hello', second)
    expect(hello.sessions).toEqual([40])
    // The device socket was untouched.
    expect(worker.devices.get(40)!.connections).toHaveLength(1)
  })
})
