// Fair use of the fleet: a company has at most `max_devices` devices (set by the admin API),
// decided atomically even when creates race; creating devices and asking for pairing codes are
// paced; and polling a device that waits for a node does not ask the fleet every time.
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { fleetOf } from '../../worker/durable-objects/stubs'
import { admin, tenant } from './helpers'
import { answer, connectDevice, connectNode, nodeWithDevice, resetWorld } from './node-client'

afterEach(resetWorld)

describe('the device limit', () => {
  it('is 10 by default and refuses one more with device_limit_reached, the limit in details', async () => {
    const { api, company } = await tenant()
    expect(company.max_devices).toBe(10)
    for (let i = 0; i < 10; i++) expect((await api('POST', '/devices', { name: `d${i}` })).status).toBe(201)
    const refused = await api('POST', '/devices', { name: 'one too many' })
    expect(refused.status).toBe(403)
    expect(refused.body.error).toMatchObject({ code: 'device_limit_reached', details: { max_devices: 10, devices: 10 } })
    expect((await api('GET', '/devices')).body.data).toHaveLength(10)
  })

  it('holds under racing creates, and follows what the admin sets', async () => {
    const { api, company } = await tenant({ max_devices: 3 })
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => api('POST', '/devices', { name: `r${i}` })))
    expect(results.filter((r) => r.status === 201)).toHaveLength(3)
    expect(results.filter((r) => r.status === 403)).toHaveLength(5)
    expect((await api('GET', '/devices')).body.data.filter((d) => d.is_default)).toHaveLength(1)

    expect((await admin('PATCH', `/companies/${company.id}`, { max_devices: 4 })).body.data.max_devices).toBe(4)
    expect((await api('POST', '/devices', { name: 'room for one more' })).status).toBe(201)
    expect((await api('POST', '/devices', { name: 'not this one' })).status).toBe(403)
  })
})

describe('pacing', () => {
  it('lets a company create 10 devices in a burst, then answers rate_limited with Retry-After', async () => {
    const { api } = await tenant({ max_devices: 50 })
    for (let i = 0; i < 10; i++) expect((await api('POST', '/devices', { name: `d${i}` })).status).toBe(201)
    const paced = await api('POST', '/devices', { name: 'too fast' })
    expect(paced.status).toBe(429)
    expect(paced.body.error.code).toBe('rate_limited')
    expect(Number(paced.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1)
  })

  it('asks WhatsApp for a pairing code at most once a minute per device: it prompts a phone', async () => {
    const { device, epoch, node, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    const [first] = await Promise.all([
      t.api('POST', `/devices/${device.id}/pairing-code`, { phone_number: '+22370123456' }),
      answer(session, 'pairing_code', { pairing_code: 'ABCD1234' }),
    ])
    expect(first.status).toBe(200)
    const again = await t.api('POST', `/devices/${device.id}/pairing-code`, { phone_number: '+22370123456' })
    expect(again.status).toBe(429)
    expect(again.body.error.code).toBe('rate_limited')
    const retryAfter = Number(again.headers.get('Retry-After'))
    expect(retryAfter).toBeGreaterThan(0)
    expect(retryAfter).toBeLessThanOrEqual(60)
    expect(session.frames.filter((f) => f.type === 'pairing_code')).toHaveLength(1)
  })

  it('does not ask the fleet on every read of a device that waits for a node', async () => {
    const { api } = await tenant()
    const device = (await api('POST', '/devices', { name: 'no node anywhere' })).body.data
    for (let i = 0; i < 20; i++) expect((await api('GET', `/devices/${device.id}/status`)).status).toBe(200)
    // Every placement request gives the waiting device a new epoch: 1 at creation, 1 for the reads.
    const epoch = await runInDurableObject(
      fleetOf(env),
      (_instance, state) =>
        state.storage.sql.exec<{ epoch: number }>('SELECT epoch FROM assignments WHERE device_id = ?', device.id).one().epoch,
    )
    expect(epoch).toBeLessThanOrEqual(2)
  })
})

describe('node capacity', () => {
  it('is what the node declares, but never more than the cap the admin set', async () => {
    const node = (await admin('POST', '/nodes', { name: 'small host', max_capacity: 2 })).body.data
    expect(node.max_capacity).toBe(2)
    const control = await connectNode(node.token, { capacity: 10 })
    expect((await admin('GET', '/nodes')).body.data[0]).toMatchObject({ capacity: 2, max_capacity: 2 })
    const { api } = await tenant()
    for (let i = 0; i < 3; i++) await api('POST', '/devices', { name: `d${i}` })
    expect(control.frames.filter((f) => f.type === 'assign')).toHaveLength(2)
  })
})
