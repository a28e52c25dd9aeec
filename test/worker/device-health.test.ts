// Why a device is down: status_reason (one code per cause), last_error (kept after recovery),
// linked_at and last_seen_at, the same in the live status answer and in device listings (D1).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { sleep } from './helpers'
import { linkedDevice, resetWorld } from './node-client'

afterEach(resetWorld)

type Api = Awaited<ReturnType<typeof linkedDevice>>['api']

/** The live answer once `done` holds, and the listing's view of the same device. */
async function healthOf(api: Api, deviceId: number, done: (s: { status: string; status_reason: string | null }) => boolean) {
  const live = await vi.waitFor(async () => {
    const data = (await api('GET', `/devices/${deviceId}/status`)).body.data
    if (!done(data)) throw new Error(`the device is ${data.status} (${data.status_reason})`)
    return data
  })
  const listed = await vi.waitFor(async () => {
    const device = (await api('GET', '/devices')).body.data.find((d) => d.id === deviceId)!
    if (device.status_reason !== live.status_reason) throw new Error('the D1 mirror is behind')
    return device
  })
  return { live, listed }
}

describe('device health', () => {
  it('says why a linked device went down, keeps the error after it recovered, and keeps linked_at', async () => {
    const { api, device, session } = await linkedDevice()
    const linked = await healthOf(api, device.id, (s) => s.status === 'authenticated')
    expect(linked.live).toMatchObject({ status_reason: null, last_error: null })
    const linkedAt = linked.live.linked_at!
    expect(Math.abs(Date.parse(linkedAt) - Date.now())).toBeLessThan(10_000)
    expect(Math.abs(Date.parse(linked.live.last_seen_at!) - Date.now())).toBeLessThan(2_000)

    session.send({ type: 'status', status: 'disconnected', reason: 'cannot_reach_whatsapp', detail: 'timed_out' })
    const down = await healthOf(api, device.id, (s) => s.status === 'disconnected')
    expect(down.live).toMatchObject({
      status_reason: 'cannot_reach_whatsapp',
      last_error: { code: 'cannot_reach_whatsapp', message: 'timed_out' },
      linked_at: linkedAt,
    })
    expect(down.listed).toMatchObject({ status: 'disconnected', status_reason: 'cannot_reach_whatsapp', linked_at: linkedAt })
    expect(down.listed.last_error).toEqual(down.live.last_error)
    // Seen last as it went down, not now.
    const seen = down.live.last_seen_at!
    await sleep(50)
    expect((await api('GET', `/devices/${device.id}/status`)).body.data.last_seen_at).toBe(seen)

    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550009999' })
    const back = await healthOf(api, device.id, (s) => s.status === 'authenticated')
    expect(back.live).toMatchObject({ status_reason: null, linked_at: linkedAt, last_error: { code: 'cannot_reach_whatsapp' } })
    const events = (await api('GET', `/events?type=device.status&device_id=${device.id}`)).body.data.events
    expect(events.map((e) => e.data.reason)).toContain('cannot_reach_whatsapp')
  })

  it('a logout from the phone is logged_out and ends the link (linked_at null)', async () => {
    const { api, device, session } = await linkedDevice()
    session.send({ type: 'status', status: 'error', reason: 'logged_out', detail: 'logged_out' })
    const { live, listed } = await healthOf(api, device.id, (s) => s.status === 'error')
    expect(live).toMatchObject({ status_reason: 'logged_out', linked_at: null, last_error: { code: 'logged_out' } })
    expect(listed).toMatchObject({ status_reason: 'logged_out', linked_at: null })
  })

  it('paused is a reason but not an error, and goes with a resume', async () => {
    const { api, device } = await linkedDevice()
    await api('PATCH', `/devices/${device.id}`, { is_active: false })
    const paused = await healthOf(api, device.id, (s) => s.status_reason === 'paused')
    expect(paused.live.last_error).toBeNull()
    await api('PATCH', `/devices/${device.id}`, { is_active: true })
    const resumed = await healthOf(api, device.id, (s) => s.status_reason === null)
    expect(resumed.live.last_error).toBeNull()
  })

  it('a node that goes away is node_unreachable; an old node’s free-text reason is read by its meaning', async () => {
    const { api, device, session } = await linkedDevice()
    session.send({ type: 'status', status: 'disconnected', reason: 'connection lost' })
    const legacy = await healthOf(api, device.id, (s) => s.status === 'disconnected')
    expect(legacy.live).toMatchObject({ status_reason: 'cannot_reach_whatsapp', last_error: { message: 'connection lost' } })
    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550009999' })
    await healthOf(api, device.id, (s) => s.status === 'authenticated')
    session.ws.close(1011, 'node crashed')
    const gone = await healthOf(api, device.id, (s) => s.status_reason === 'node_unreachable')
    expect(gone.live).toMatchObject({ status: 'disconnected', last_error: { code: 'node_unreachable' } })
  })

  it('a QR that expired with no new one is qr_expired', async () => {
    const { api, device, session } = await linkedDevice()
    session.send({ type: 'status', status: 'pending' })
    session.send({ type: 'qr', qr_code: 'QR-1', qr_image: 'data:image/png;base64,AAAA', expires_at: Date.now() + 150 })
    await healthOf(api, device.id, (s) => s.status === 'qr_ready' && s.status_reason === null)
    await sleep(200)
    expect((await api('GET', `/devices/${device.id}/status`)).body.data).toMatchObject({ status: 'qr_ready', status_reason: 'qr_expired' })
  })
})
