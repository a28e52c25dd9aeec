// DeviceDO and its node: fencing by epoch, live status and QR, auth state, hibernation, pause,
// pairing codes and deletion, all over the real node sockets.
import { evictDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { admin, tenant } from './helpers'
import { answer, connectDevice, connectNode, nodeWithDevice, registerNode, resetWorld, upgrade } from './node-client'

const PNG = 'data:image/png;base64,iVBORw0KGgo='

afterEach(resetWorld)

describe('device session', () => {
  it('fences: only the assigned node at the current epoch may connect', async () => {
    const { device, epoch, node } = await nodeWithDevice()
    const other = await registerNode('intruder')
    await connectNode(other.token)
    expect((await upgrade(`/api/nodes/devices/${device.id}/connect?epoch=${epoch}`, other.token)).status).toBe(409)
    expect((await upgrade(`/api/nodes/devices/${device.id}/connect?epoch=${epoch + 1}`, node.token)).status).toBe(409)
    const session = await connectDevice(node.token, device.id, epoch)
    expect(session.frames.find((f) => f.type === 'welcome')).toMatchObject({ device_id: device.id, epoch, active: true })
  })

  it('shows the QR a node reports, then the linked phone number', async () => {
    const { device, epoch, node, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    const expires = Date.now() + 60_000
    session.send({ type: 'qr', qr_code: '2@abc,def', qr_image: PNG, expires_at: expires })
    session.send({ type: 'auth.get', id: 'sync', names: [] })
    await session.resultOf('sync')

    const qr = await t.api('GET', `/devices/${device.id}/qr`)
    expect(qr.body.data).toEqual({
      device_id: device.id,
      qr_code: '2@abc,def',
      qr_image: PNG,
      device_status: 'qr_ready',
      expires_at: new Date(expires).toISOString(),
    })
    expect((await t.api('GET', `/devices/${device.id}/status`)).body.data.status).toBe('qr_ready')
    expect((await t.api('GET', '/devices')).body.data[0]?.status).toBe('qr_ready')

    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550000001' })
    session.send({ type: 'auth.get', id: 'sync2', names: [] })
    await session.resultOf('sync2')
    expect((await t.api('GET', `/devices/${device.id}/status`)).body.data).toMatchObject({
      device_id: device.id,
      status: 'authenticated',
      phone_number: '+15550000001',
      status_reason: null,
    })
    expect((await t.api('GET', `/devices/${device.id}/qr`)).body.data).toMatchObject({
      qr_code: null,
      qr_image: null,
      device_status: 'authenticated',
    })
    expect((await t.api('GET', `/devices/${device.id}`)).body.data).toMatchObject({ status: 'authenticated', phone_number: '+15550000001' })
  })

  it('stores opaque auth entries and returns them, null for missing ones', async () => {
    const { device, epoch, node } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send({ type: 'auth.set', id: 's1', entries: { aa: 'sealed-1', bb: 'sealed-2' } })
    expect((await session.resultOf('s1')).ok).toBe(true)
    session.send({ type: 'auth.set', id: 's2', entries: { bb: null } })
    await session.resultOf('s2')
    session.send({ type: 'auth.get', id: 'g1', names: ['aa', 'bb', 'cc'] })
    expect((await session.resultOf('g1')).data).toEqual({ values: { aa: 'sealed-1', bb: null, cc: null } })
  })

  it('survives eviction with a hibernated socket: state and attachment are intact', async () => {
    const { device, epoch, node, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send({ type: 'auth.set', id: 'before', entries: { creds: 'sealed' } })
    await session.resultOf('before')
    await evictDurableObject(deviceOf(env, device.id), { webSockets: 'hibernate' })
    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550000002' })
    session.send({ type: 'auth.get', id: 'after', names: ['creds'] })
    expect((await session.resultOf('after')).data).toMatchObject({ values: { creds: 'sealed' } })
    expect((await t.api('GET', `/devices/${device.id}/status`)).body.data.status).toBe('authenticated')
  })

  it('answers malformed frames with an error and carries on', async () => {
    const { device, epoch, node } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send('garbage')
    session.send(JSON.stringify({ type: 'auth.set', id: 'x', entries: 'not-a-record' }))
    await session.next('error')
    session.send({ type: 'auth.get', id: 'ok', names: [] })
    expect((await session.resultOf('ok')).ok).toBe(true)
  })

  it('pauses and resumes the session on PATCH is_active', async () => {
    const { device, epoch, node, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550000003' })
    const [paused] = await Promise.all([t.api('PATCH', `/devices/${device.id}`, { is_active: false }), answer(session, 'pause')])
    expect(paused.body.data).toMatchObject({ is_active: false })
    expect((await t.api('GET', `/devices/${device.id}/status`)).body.data.status).toBe('disconnected')
    const [resumed] = await Promise.all([t.api('PATCH', `/devices/${device.id}`, { is_active: true }), answer(session, 'resume')])
    expect(resumed.body.data.is_active).toBe(true)
  })

  it('gets a pairing code from the node, and validates the phone number', async () => {
    const { device, epoch, node, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    const [res, command] = await Promise.all([
      t.api('POST', `/devices/${device.id}/pairing-code`, { phone_number: '+223 70 12 34 56' }),
      answer(session, 'pairing_code', { pairing_code: 'ABCD1234' }),
    ])
    expect(command.phone_number).toBe('22370123456')
    expect(res.status).toBe(200)
    expect(res.body.data).toEqual({ device_id: device.id, phone_number: '+22370123456', pairing_code: 'ABCD1234' })
    const bad = await t.api('POST', `/devices/${device.id}/pairing-code`, { phone_number: '12' })
    expect(bad.status).toBe(422)
    expect(bad.body.error.code).toBe('invalid_phone_number')
  })

  it('answers device_not_ready for a pairing code when no node holds the device', async () => {
    const { api } = await tenant()
    const device = (await api('POST', '/devices', { name: 'orphan' })).body.data
    const res = await api('POST', `/devices/${device.id}/pairing-code`, { phone_number: '+22370123456' })
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('device_not_ready')
  })

  it('on DELETE logs the device out, drops its auth state and frees its node', async () => {
    const { device, epoch, node, control, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send({ type: 'auth.set', id: 'a', entries: { creds: 'sealed' } })
    await session.resultOf('a')
    const [res] = await Promise.all([t.api('DELETE', `/devices/${device.id}`), answer(session, 'logout')])
    expect(res.status).toBe(200)
    expect((await session.closed).code).toBe(4004)
    expect((await control.next('release')).device_id).toBe(device.id)
    expect(await deviceOf(env, device.id).authEntryCount()).toBe(0)
    expect((await admin('GET', '/nodes')).body.data[0]?.devices).toBe(0)
  })
})
