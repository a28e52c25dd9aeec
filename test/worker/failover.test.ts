// Failover: a lost node's devices move after the grace period (fencing the old node out), a node
// back in time keeps them, revocation and `bye` move them at once, and lost placements heal.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { deviceOf, fleetOf } from '../../worker/durable-objects/stubs'
import type { DeviceStore } from '../../worker/durable-objects/device/device-store'
import { admin, sleep } from './helpers'
import { connectDevice, connectNode, nodeWithDevice, registerNode, resetWorld, upgrade } from './node-client'

afterEach(resetWorld)

describe('failover', () => {
  it('re-homes a lost node’s devices after the grace period, fencing the old node out', async () => {
    const { device, epoch, node, control, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550000004' })
    const spare = await registerNode('spare')
    const spareControl = await connectNode(spare.token)

    control.ws.close(1011, 'crashed')
    await sleep(50)
    expect((await admin('GET', '/nodes')).body.data.find((n) => n.id === node.id)?.status).toBe('offline')
    // Within the grace period nothing moves.
    expect(spareControl.frames.some((f) => f.type === 'assign')).toBe(false)
    await sleep(350)
    await runDurableObjectAlarm(fleetOf(env))
    const moved = await spareControl.next('assign', (f) => f.device_id === device.id)
    expect(moved.epoch).toBe(epoch + 1)
    // The old node's session socket is told to let go.
    expect((await session.closed).code).toBe(4009)
    expect((await upgrade(`/api/nodes/devices/${device.id}/connect?epoch=${epoch}`, node.token)).status).toBe(409)
    const resumed = await connectDevice(spare.token, device.id, moved.epoch)
    resumed.send({ type: 'auth.get', id: 'x', names: [] })
    await resumed.resultOf('x')

    // The old node comes back claiming the device: it is told to release it, not given it back.
    const back = await connectNode(node.token, { sessions: [device.id] })
    expect(await back.next('release', (f) => f.device_id === device.id)).toBeTruthy()
    expect(back.frames.some((f) => f.type === 'assign')).toBe(false)
    const nodes = (await admin('GET', '/nodes')).body.data
    expect(nodes.find((n) => n.id === spare.id)?.devices).toBe(1)
    expect(nodes.find((n) => n.id === node.id)?.devices).toBe(0)
    void t
  })

  it('gives a node that returns within the grace period its devices back at the same epoch', async () => {
    const { device, epoch, node, control } = await nodeWithDevice()
    control.ws.close(1011, 'blip')
    await sleep(50)
    const back = await connectNode(node.token, { sessions: [device.id] })
    const again = await back.next('assign', (f) => f.device_id === device.id)
    expect(again.epoch).toBe(epoch)
    await sleep(350)
    await runDurableObjectAlarm(fleetOf(env))
    expect((await admin('GET', '/nodes')).body.data[0]).toMatchObject({ status: 'online', devices: 1 })
  })

  it('revoking a node token disconnects it, moves its devices at once and refuses it afterwards', async () => {
    const { device, epoch, node, control } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    const spare = await registerNode('spare')
    const spareControl = await connectNode(spare.token)
    const res = await admin('PATCH', `/nodes/${node.id}`, { is_active: false })
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ id: node.id, is_active: false, status: 'offline', devices: 0 })
    expect((await control.closed).code).toBe(4003)
    expect((await session.closed).code).toBe(4009)
    expect((await spareControl.next('assign', (f) => f.device_id === device.id)).epoch).toBe(epoch + 1)
    expect((await upgrade('/api/nodes/connect', node.token)).status).toBe(401)
    expect((await admin('PATCH', '/nodes/999999', { is_active: false })).body.error.code).toBe('node_not_found')
  })

  it('re-homes at once when a node says bye', async () => {
    const { device, control } = await nodeWithDevice()
    const spare = await registerNode('spare')
    const spareControl = await connectNode(spare.token)
    control.send({ type: 'bye' })
    const moved = await spareControl.next('assign', (f) => f.device_id === device.id)
    expect(moved.epoch).toBe(2)
  })

  it('places a device whose placement was lost when someone looks at it', async () => {
    const { device, control, t } = await nodeWithDevice()
    await runInDurableObject(fleetOf(env), (_instance, state) => {
      state.storage.sql.exec('DELETE FROM assignments WHERE device_id = ?', device.id)
    })
    await runInDurableObject(deviceOf(env, device.id), (instance) => {
      ;(instance as unknown as { store: DeviceStore }).store.update({ node_id: null })
    })
    const before = control.frames.filter((f) => f.type === 'assign').length
    expect((await t.api('GET', `/devices/${device.id}/status`)).status).toBe(200)
    await control.next('assign', (f) => control.frames.filter((x) => x.type === 'assign').indexOf(f) >= before)
  })

  it('lets a device adopt a newer epoch FleetDO vouches for', async () => {
    const { device, node } = await nodeWithDevice()
    // Simulate a lost push: FleetDO moved the device (epoch 2) but DeviceDO still says epoch 1.
    await runInDurableObject(fleetOf(env), (_instance, state) => {
      state.storage.sql.exec('UPDATE assignments SET epoch = 2 WHERE device_id = ?', device.id)
    })
    const session = await connectDevice(node.token, device.id, 2)
    expect(session.frames.find((f) => f.type === 'welcome')?.epoch).toBe(2)
  })
})
