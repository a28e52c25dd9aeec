// Fair use of the fleet: a company has at most `max_devices` devices (set by the admin API),
// decided atomically even when creates race.
import { afterEach, describe, expect, it } from 'vitest'
import { admin, tenant } from './helpers'
import { resetWorld } from './node-client'

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
