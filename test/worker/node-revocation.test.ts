// Revoking a node is final: its token never works again, reactivation issues a new one (shown
// once), a connect that raced the revocation is refused by the fleet itself, and the devices it
// held show `disconnected` instead of a status no node stands behind.
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { fleetOf } from '../../worker/durable-objects/stubs'
import { admin } from './helpers'
import { connectDevice, connectNode, nodeWithDevice, resetWorld, upgrade } from './node-client'

afterEach(resetWorld)

describe('node revocation', () => {
  it('invalidates the token for good: reactivating issues a new token, shown once, and only that one connects', async () => {
    const { node } = await nodeWithDevice()
    await admin('PATCH', `/nodes/${node.id}`, { is_active: false })
    expect((await upgrade('/api/nodes/connect', node.token)).status).toBe(401)

    const back = await admin('PATCH', `/nodes/${node.id}`, { is_active: true })
    expect(back.status).toBe(200)
    expect(back.body.data).toMatchObject({ id: node.id, is_active: true, token: expect.stringMatching(/^wnt_/) })
    const fresh = back.body.data.token!
    expect(fresh).not.toBe(node.token)
    expect((await upgrade('/api/nodes/connect', node.token)).status).toBe(401)
    await connectNode(fresh)
    expect(JSON.stringify((await admin('GET', '/nodes')).body)).not.toContain(fresh)
    // Patching an active node again issues nothing new.
    expect((await admin('PATCH', `/nodes/${node.id}`, { is_active: true })).body.data).not.toHaveProperty('token')
  })

  it('refuses in the fleet a connect that raced the revocation (authenticated just before it)', async () => {
    const { node } = await nodeWithDevice()
    // FleetDO heard of the revocation; D1 still says active, as for a connect checked a moment before.
    await fleetOf(env).revokeNode(node.id)
    const res = await upgrade('/api/nodes/connect', node.token)
    expect(res.status).toBe(401)
    expect(res.webSocket).toBeNull()
  })

  it('shows the devices of a revoked node disconnected, then linked again once another node runs them', async () => {
    const { device, epoch, node, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550000005' })
    await expect.poll(async () => (await t.api('GET', `/devices/${device.id}/status`)).body.data.status).toBe('authenticated')

    await admin('PATCH', `/nodes/${node.id}`, { is_active: false })
    expect((await t.api('GET', `/devices/${device.id}/status`)).body.data).toMatchObject({ status: 'disconnected' })
    expect((await t.api('GET', `/devices/${device.id}`)).body.data.status).toBe('disconnected')

    const spare = (await admin('POST', '/nodes', { name: 'spare' })).body.data
    const control = await connectNode(spare.token)
    const moved = await control.next('assign', (f) => f.device_id === device.id)
    const resumed = await connectDevice(spare.token, device.id, moved.epoch)
    resumed.send({ type: 'status', status: 'authenticated', phone_number: '+15550000005' })
    await expect.poll(async () => (await t.api('GET', `/devices/${device.id}/status`)).body.data.status).toBe('authenticated')
  })
})
