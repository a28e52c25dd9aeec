import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { admin, sleep, tenant } from './helpers'
import { answer, resetWorld, connectDevice, connectNode, registerNode, upgrade } from './node-client'

const fleet = () => env.FLEET.getByName('fleet')
const deviceDO = (id: number) => env.DEVICE.getByName(String(id))
const PNG = 'data:image/png;base64,iVBORw0KGgo='

afterEach(resetWorld)

async function nodeWithDevice() {
  const node = await registerNode()
  const control = await connectNode(node.token)
  const t = await tenant()
  const device = (await t.api('POST', '/devices', { name: 'phone' })).body.data
  const assign = await control.next((f) => f.type === 'assign' && f.device_id === device.id)
  return { node, control, t, device, epoch: assign.epoch as number }
}

describe('node authentication', () => {
  it('refuses a wrong or missing node token before upgrading', async () => {
    for (const token of ['', 'wnt_' + 'x'.repeat(40), 'not-a-token']) {
      const res = await upgrade('/api/nodes/connect', token)
      expect(res.status).toBe(401)
      expect(res.webSocket).toBeNull()
    }
    expect((await admin('GET', '/nodes')).body.data).toEqual([])
  })

  it('refuses a device socket with a wrong token, and a plain GET', async () => {
    const { device, epoch } = await nodeWithDevice()
    expect((await upgrade(`/api/nodes/devices/${device.id}/connect?epoch=${epoch}`, 'wnt_' + 'y'.repeat(40))).status).toBe(401)
    const { exports } = await import('cloudflare:workers')
    expect((await exports.default.fetch(new Request('http://api.test/api/nodes/connect'))).status).toBe(422)
  })
})

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
    const assign = await control.next((f) => f.type === 'assign')
    expect(assign.device_id).toBe(device.id)
  })

  it('answers a malformed frame with an error and keeps the socket open', async () => {
    const node = await registerNode()
    const control = await connectNode(node.token)
    control.send('{not json')
    expect((await control.next((f) => f.type === 'error')).code).toBe('malformed_frame')
    control.send({ type: 'launch_missiles' })
    await control.next((f) => f.type === 'error' && f !== control.frames.find((x) => x.type === 'error'))
    control.send('ping')
    expect(await control.next((f) => f === 'pong')).toBe('pong')
  })

  it('refuses another protocol version', async () => {
    const node = await registerNode()
    const res = await upgrade('/api/nodes/connect', node.token)
    const ws = res.webSocket!
    ws.accept()
    const closed = new Promise<number>((resolve) => ws.addEventListener('close', (e) => resolve(e.code)))
    ws.send(JSON.stringify({ type: 'hello', protocol: 99, node_name: 'x', engine: 'simulator', capacity: 1, sessions: [] }))
    expect(await closed).toBe(4010)
  })
})

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
    await session.next((f) => f.id === 'sync')

    const qr = await t.api('GET', `/devices/${device.id}/qr`)
    expect(qr.body.data).toEqual({
      device_id: device.id,
      qr_code: '2@abc,def',
      qr_image: PNG,
      device_status: 'qr_ready',
      expires_at: new Date(expires).toISOString(),
    })
    expect((await t.api('GET', `/devices/${device.id}/status`)).body.data.status).toBe('qr_ready')
    expect((await t.api('GET', '/devices')).body.data[0].status).toBe('qr_ready')

    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550000001' })
    session.send({ type: 'auth.get', id: 'sync2', names: [] })
    await session.next((f) => f.id === 'sync2')
    expect((await t.api('GET', `/devices/${device.id}/status`)).body.data).toEqual({
      device_id: device.id,
      status: 'authenticated',
      phone_number: '+15550000001',
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
    expect((await session.next((f) => f.id === 's1')).ok).toBe(true)
    session.send({ type: 'auth.set', id: 's2', entries: { bb: null } })
    await session.next((f) => f.id === 's2')
    session.send({ type: 'auth.get', id: 'g1', names: ['aa', 'bb', 'cc'] })
    expect((await session.next((f) => f.id === 'g1')).data).toEqual({ values: { aa: 'sealed-1', bb: null, cc: null } })
  })

  it('survives eviction with a hibernated socket: state and attachment are intact', async () => {
    const { device, epoch, node, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send({ type: 'auth.set', id: 'before', entries: { creds: 'sealed' } })
    await session.next((f) => f.id === 'before')
    await evictDurableObject(deviceDO(device.id), { webSockets: 'hibernate' })
    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550000002' })
    session.send({ type: 'auth.get', id: 'after', names: ['creds'] })
    expect((await session.next((f) => f.id === 'after')).data.values.creds).toBe('sealed')
    expect((await t.api('GET', `/devices/${device.id}/status`)).body.data.status).toBe('authenticated')
  })

  it('answers malformed frames with an error and carries on', async () => {
    const { device, epoch, node } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send('garbage')
    session.send({ type: 'auth.set', id: 'x', entries: 'not-a-record' })
    await session.next((f) => f.type === 'error')
    session.send({ type: 'auth.get', id: 'ok', names: [] })
    expect((await session.next((f) => f.id === 'ok')).ok).toBe(true)
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
    await session.next((f) => f.id === 'a')
    const [res] = await Promise.all([t.api('DELETE', `/devices/${device.id}`), answer(session, 'logout')])
    expect(res.status).toBe(200)
    expect((await session.closed).code).toBe(4004)
    expect((await control.next((f) => f.type === 'release')).device_id).toBe(device.id)
    expect(await deviceDO(device.id).authEntryCount()).toBe(0)
    expect((await admin('GET', '/nodes')).body.data[0].devices).toBe(0)
  })
})

describe('failover', () => {
  it('re-homes a lost node’s devices after the grace period, fencing the old node out', async () => {
    const { device, epoch, node, control, t } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)
    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550000004' })
    const spare = await registerNode('spare')
    const spareControl = await connectNode(spare.token)

    control.ws.close(1011, 'crashed')
    await sleep(50)
    expect((await admin('GET', '/nodes')).body.data.find((n: any) => n.id === node.id).status).toBe('offline')
    // Within the grace period nothing moves.
    expect(spareControl.frames.some((f) => f.type === 'assign')).toBe(false)
    await sleep(350)
    await runDurableObjectAlarm(fleet())
    const moved = await spareControl.next((f) => f.type === 'assign' && f.device_id === device.id)
    expect(moved.epoch).toBe(epoch + 1)
    // The old node's session socket is told to let go.
    expect((await session.closed).code).toBe(4009)
    expect((await upgrade(`/api/nodes/devices/${device.id}/connect?epoch=${epoch}`, node.token)).status).toBe(409)
    const resumed = await connectDevice(spare.token, device.id, moved.epoch)
    resumed.send({ type: 'auth.get', id: 'x', names: [] })
    await resumed.next((f) => f.id === 'x')

    // The old node comes back claiming the device: it is told to release it, not given it back.
    const back = await connectNode(node.token, { sessions: [device.id] })
    expect(await back.next((f) => f.type === 'release' && f.device_id === device.id)).toBeTruthy()
    expect(back.frames.some((f) => f.type === 'assign')).toBe(false)
    const nodes = (await admin('GET', '/nodes')).body.data
    expect(nodes.find((n: any) => n.id === spare.id).devices).toBe(1)
    expect(nodes.find((n: any) => n.id === node.id).devices).toBe(0)
    void t
  })

  it('gives a node that returns within the grace period its devices back at the same epoch', async () => {
    const { device, epoch, node, control } = await nodeWithDevice()
    control.ws.close(1011, 'blip')
    await sleep(50)
    const back = await connectNode(node.token, { sessions: [device.id] })
    const again = await back.next((f) => f.type === 'assign' && f.device_id === device.id)
    expect(again.epoch).toBe(epoch)
    await sleep(350)
    await runDurableObjectAlarm(fleet())
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
    expect((await spareControl.next((f) => f.type === 'assign' && f.device_id === device.id)).epoch).toBe(epoch + 1)
    expect((await upgrade('/api/nodes/connect', node.token)).status).toBe(401)
    expect((await admin('PATCH', '/nodes/999999', { is_active: false })).body.error.code).toBe('node_not_found')
  })

  it('re-homes at once when a node says bye', async () => {
    const { device, control } = await nodeWithDevice()
    const spare = await registerNode('spare')
    const spareControl = await connectNode(spare.token)
    control.send({ type: 'bye' })
    const moved = await spareControl.next((f) => f.type === 'assign' && f.device_id === device.id)
    expect(moved.epoch).toBe(2)
  })

  it('places a device whose placement was lost when someone looks at it', async () => {
    const { device, control, t } = await nodeWithDevice()
    await runInDurableObject(fleet(), (_instance, state) => {
      state.storage.sql.exec('DELETE FROM assignments WHERE device_id = ?', device.id)
    })
    await runInDurableObject(deviceDO(device.id), (_instance, state) => {
      state.storage.sql.exec('UPDATE device SET node_id = NULL')
    })
    const before = control.frames.filter((f) => f.type === 'assign').length
    expect((await t.api('GET', `/devices/${device.id}/status`)).status).toBe(200)
    await control.next((f) => f.type === 'assign' && control.frames.filter((x) => x.type === 'assign').indexOf(f) >= before)
  })

  it('lets a device adopt a newer epoch FleetDO vouches for', async () => {
    const { device, node } = await nodeWithDevice()
    // Simulate a lost push: FleetDO moved the device (epoch 2) but DeviceDO still says epoch 1.
    await runInDurableObject(fleet(), (_instance, state) => {
      state.storage.sql.exec('UPDATE assignments SET epoch = 2 WHERE device_id = ?', device.id)
    })
    const session = await connectDevice(node.token, device.id, 2)
    expect(session.frames.find((f) => f.type === 'welcome').epoch).toBe(2)
  })
})
