// A deleted device stays deleted: reads racing the DELETE never bring it back to a node, the
// fleet refuses to place it, and an assignment left behind (a DELETE that failed half-way) is
// found against D1 and removed.
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { deviceOf, fleetOf } from '../../worker/durable-objects/stubs'
import { admin, tenant } from './helpers'
import { connectNode, registerNode, resetWorld } from './node-client'

afterEach(resetWorld)

const assignedDevices = () =>
  runInDurableObject(fleetOf(env), (_instance, state) =>
    state.storage.sql
      .exec<{ device_id: number }>('SELECT device_id FROM assignments')
      .toArray()
      .map((row) => row.device_id),
  )

describe('a deleted device', () => {
  it('is never placed again while 6 pollers read its status during the DELETE (10 rounds)', async () => {
    const node = await registerNode()
    const control = await connectNode(node.token)
    const { api } = await tenant()
    const deleted: number[] = []
    for (let round = 0; round < 10; round++) {
      const device = (await api('POST', '/devices', { name: `round ${round}` })).body.data
      await control.next('assign', (f) => f.device_id === device.id)
      let deleting = true
      const pollers = Array.from({ length: 6 }, async () => {
        const seen: number[] = []
        while (deleting) seen.push((await api('GET', `/devices/${device.id}/status`)).status)
        return seen
      })
      expect((await api('DELETE', `/devices/${device.id}`)).status).toBe(200)
      deleting = false
      for (const seen of await Promise.all(pollers)) expect(seen.every((status) => status === 200 || status === 404)).toBe(true)
      deleted.push(device.id)
      // Once the DELETE has answered, the device is gone for every reader.
      expect((await api('GET', `/devices/${device.id}/status`)).status).toBe(404)
    }
    expect(await assignedDevices()).toEqual([])
    for (const id of deleted) expect(await deviceOf(env, id).live()).toMatchObject({ node_id: null, deleted: true })
    expect((await admin('GET', '/nodes')).body.data[0]?.devices).toBe(0)
    // Each was released to the node once, and never assigned again afterwards.
    for (const id of deleted) {
      const release = control.frames.findIndex((f) => f.type === 'release' && f.device_id === id)
      expect(release).toBeGreaterThan(-1)
      expect(control.frames.slice(release).some((f) => f.type === 'assign' && f.device_id === id)).toBe(false)
    }
  })

  it('is refused by the fleet and by its DeviceDO even when asked directly', async () => {
    const node = await registerNode()
    const control = await connectNode(node.token)
    const { api } = await tenant()
    const device = (await api('POST', '/devices', { name: 'gone' })).body.data
    await control.next('assign', (f) => f.device_id === device.id)
    await api('DELETE', `/devices/${device.id}`)
    expect(await fleetOf(env).assignDevice(device.id)).toEqual({ nodeId: null, epoch: 0 })
    await deviceOf(env, device.id).assign({ deviceId: device.id, nodeId: node.id, epoch: 99 })
    expect(await deviceOf(env, device.id).live()).toMatchObject({ node_id: null, deleted: true })
    expect(await assignedDevices()).toEqual([])
  })

  it('is removed from the fleet, and from its node, when only the fleet still holds it', async () => {
    const node = await registerNode()
    const control = await connectNode(node.token)
    const { api } = await tenant()
    const device = (await api('POST', '/devices', { name: 'half-deleted' })).body.data
    await control.next('assign', (f) => f.device_id === device.id)
    // A DELETE that removed the row and then failed before reaching the fleet.
    await env.DB.prepare('DELETE FROM devices WHERE id = ?').bind(device.id).run()
    // The fleet checks against D1 after a restart (and every FLEET_RECONCILE_INTERVAL_MS).
    await evictDurableObject(fleetOf(env), { webSockets: 'hibernate' })
    await runDurableObjectAlarm(fleetOf(env))
    expect(await assignedDevices()).toEqual([])
    expect(await control.next('release', (f) => f.device_id === device.id)).toMatchObject({ reason: 'device deleted' })
    expect(await deviceOf(env, device.id).live()).toMatchObject({ deleted: true })
  })
})
