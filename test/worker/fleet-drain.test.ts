// Draining a session node before maintenance: its devices move to other nodes now (each told to
// stop there, then assigned elsewhere under a newer epoch: no new scan), nothing new is placed on
// it until it is undrained; the admin list shows it drained, with the version it reported.
import { afterEach, describe, expect, it } from 'vitest'
import { PROTOCOL_VERSION } from '../../protocol/frames'
import { admin, tenant } from './helpers'
import { connectNode, registerNode, resetWorld, upgrade } from './node-client'

afterEach(resetWorld)

describe('draining a node', () => {
  it('moves its devices now, places nothing there until undrained, and refuses an unknown node', async () => {
    const a = await registerNode('a')
    const b = await registerNode('b')
    const controlA = await connectNode(a.token, { capacity: 10 })
    const controlB = await connectNode(b.token, { capacity: 10 })
    const { api } = await tenant()
    const first = (await api('POST', '/devices', { name: 'one' })).body.data
    const onA = await controlA.next('assign', (f) => f.device_id === first.id)

    const drained = await admin('POST', `/nodes/${a.id}/drain`)
    expect(drained.status).toBe(200)
    expect(drained.body.data).toMatchObject({ id: a.id, drained: true, devices: 0 })
    expect(await controlA.next('release', (f) => f.device_id === first.id)).toMatchObject({ reason: 'node drained' })
    const onB = await controlB.next('assign', (f) => f.device_id === first.id)
    expect(onB.epoch).toBeGreaterThan(onA.epoch)

    // While drained, even the emptier node gets nothing new.
    const second = (await api('POST', '/devices', { name: 'two' })).body.data
    await controlB.next('assign', (f) => f.device_id === second.id)
    expect(controlA.frames.some((f) => f.type === 'assign' && f.device_id === second.id)).toBe(false)

    expect((await admin('POST', `/nodes/${a.id}/undrain`)).body.data).toMatchObject({ drained: false })
    const third = (await api('POST', '/devices', { name: 'three' })).body.data
    await controlA.next('assign', (f) => f.device_id === third.id)

    expect((await admin('POST', '/nodes/999999/drain')).body.error.code).toBe('node_not_found')
  })

  it('lists the version and protocol a node said in its hello', async () => {
    const node = await registerNode('versioned')
    const res = await upgrade('/api/nodes/connect', node.token)
    const ws = res.webSocket!
    ws.accept()
    const welcomed = new Promise((resolve) => ws.addEventListener('message', resolve, { once: true }))
    ws.send(
      JSON.stringify({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        node_name: 'v',
        engine: 'simulator',
        capacity: 5,
        sessions: [],
        version: '1.2.3',
      }),
    )
    await welcomed
    const listed = (await admin('GET', '/nodes')).body.data.find((n) => n.id === node.id)
    expect(listed).toMatchObject({ status: 'online', version: '1.2.3', protocol: PROTOCOL_VERSION, drained: false })
    ws.close()
  })
})
