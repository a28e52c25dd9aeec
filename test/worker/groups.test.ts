// GET /devices/{id}/groups and group sends in the Workers runtime: the groups the device's
// account is in, asked of its node and kept a while; a send (or a bulk item) to a group the
// device is not in is refused before anything is charged; nothing of another company's device.
import { afterEach, describe, expect, it } from 'vitest'
import { tenant } from './helpers'
import { linkedDevice, resetWorld, TEST_GROUP } from './node-client'

afterEach(resetWorld)

describe('groups', () => {
  it("lists the device's groups, asking its node once for several reads", async () => {
    const { api, device, session } = await linkedDevice()
    const first = await api('GET', `/devices/${device.id}/groups`)
    expect(first.status).toBe(200)
    expect(first.body.data).toEqual([{ ...TEST_GROUP, created_at: new Date(TEST_GROUP.created_at).toISOString() }])
    await api('GET', `/devices/${device.id}/groups`)
    expect(session.frames.filter((f) => f.type === 'groups')).toHaveLength(1)
  })

  it('refuses a send or a bulk item to a group the device is not in, with nothing charged', async () => {
    const { api, sends } = await linkedDevice()
    const stranger = await api('POST', '/send', { recipient: '120363099999999999@g.us', is_group: true, message: 'Hi' })
    expect(stranger.status).toBe(422)
    expect(stranger.body.error).toMatchObject({ code: 'validation_error', details: [{ field: 'recipient' }] })
    const bulk = await api('POST', '/send-bulk', {
      messages: [
        { recipient: TEST_GROUP.id, is_group: true, message: 'ok' },
        { recipient: '120363099999999999@g.us', is_group: true, message: 'not mine' },
      ],
    })
    expect(bulk.status).toBe(422)
    expect(bulk.body.error.details).toEqual([expect.objectContaining({ index: 1, field: 'messages.1.recipient' })])
    expect((await api('GET', '/quota')).body.data.used).toBe(0)
    expect(sends).toEqual([])
    expect((await api('POST', '/send', { recipient: TEST_GROUP.id, is_group: true, message: 'Hi all' })).status).toBe(200)
  })

  it("shows no other company's groups, and says device_not_ready when the device has no node", async () => {
    const { device } = await linkedDevice()
    expect((await (await tenant()).api('GET', `/devices/${device.id}/groups`)).status).toBe(404)
    const idle = await tenant()
    const unplaced = (await idle.api('POST', '/devices', { name: 'no node' })).body.data
    expect((await idle.api('GET', `/devices/${unplaced.id}/groups`)).status).toBe(503)
  })
})
