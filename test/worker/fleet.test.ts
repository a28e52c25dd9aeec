// FleetDO: nodes online with their capacity and load, placement on the least-loaded node, and a
// control socket that survives bad frames and refuses another protocol.
import { afterEach, describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION } from '../../protocol/frames'
import { admin, tenant } from './helpers'
import { connectNode, nodeWithDevice, registerNode, resetWorld, upgrade } from './node-client'

afterEach(resetWorld)

describe('fleet', () => {
  it('shows a connected node online with its capacity and load', async () => {
    const { node } = await nodeWithDevice()
    const listed = (await admin('GET', '/nodes')).body.data
    expect(listed).toEqual([
      expect.objectContaining({ id: node.id, status: 'online', devices: 1, capacity: 10, last_seen_at: expect.any(String) }),
    ])
  })

  it('assigns each new device to the least-loaded online node', async () => {
    const a = await registerNode('a')
    const b = await registerNode('b')
    const controlA = await connectNode(a.token, { capacity: 10 })
    const controlB = await connectNode(b.token, { capacity: 10 })
    const { api } = await tenant()
    for (let i = 0; i < 4; i++) await api('POST', '/devices', { name: `d${i}` })
    const assigned = (log: typeof controlA) => log.frames.filter((f) => f.type === 'assign').length
    expect([assigned(controlA), assigned(controlB)]).toEqual([2, 2])
  })

  it('keeps a device unassigned while no node is online, and assigns it when one connects', async () => {
    const { api } = await tenant()
    const device = (await api('POST', '/devices', { name: 'early' })).body.data
    expect(device.status).toBe('pending')
    const node = await registerNode()
    const control = await connectNode(node.token)
    const assign = await control.next('assign')
    expect(assign.device_id).toBe(device.id)
  })

  it('answers a malformed frame with an error and keeps the socket open', async () => {
    const node = await registerNode()
    const control = await connectNode(node.token)
    control.send('{not json')
    expect((await control.next('error')).code).toBe('malformed_frame')
    control.send({ type: 'launch_missiles' })
    await control.next('error', (f) => f !== control.frames.find((x) => x.type === 'error'))
    control.send('ping')
    expect(await control.next('pong')).toEqual({ type: 'pong' })
  })

  it('refuses another protocol version', async () => {
    const node = await registerNode()
    const res = await upgrade('/api/nodes/connect', node.token)
    const ws = res.webSocket!
    ws.accept()
    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)))
    ws.send(
      JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION + 1, node_name: 'x', engine: 'simulator', capacity: 1, sessions: [] }),
    )
    expect(await closed).toBe(4010)
  })
})
