import { describe, expect, it } from 'vitest'
import { tenant, type Method } from './helpers'

describe('devices', () => {
  it('creates a pending device with an integer id; the first one is the default', async () => {
    const { api } = await tenant()
    const first = await api('POST', '/devices', { name: 'Sales phone' })
    expect(first.status).toBe(201)
    expect(first.body.data).toMatchObject({
      name: 'Sales phone',
      status: 'pending',
      phone_number: null,
      is_active: true,
      is_default: true,
    })
    expect(Number.isInteger(first.body.data.id)).toBe(true)
    const second = await api('POST', '/devices', { name: 'Support phone' })
    expect(second.body.data.is_default).toBe(false)

    const listed = await api('GET', '/devices')
    expect(listed.body.data.map((d: { name: string }) => d.name)).toEqual(['Sales phone', 'Support phone'])
  })

  it('reads one device and its stored status', async () => {
    const { api } = await tenant()
    const { id } = (await api('POST', '/devices', { name: 'd' })).body.data
    expect((await api('GET', `/devices/${id}`)).body.data).toMatchObject({ id, name: 'd' })
    const status = await api('GET', `/devices/${id}/status`)
    expect(status.status).toBe(200)
    // No session node is registered in this test: the device says why it waits.
    expect(status.body.data).toMatchObject({ device_id: id, status: 'pending', phone_number: null, status_reason: 'no_node_available' })
  })

  it.each(['PUT', 'PATCH'] as const)('%s renames and pauses a device', async (method) => {
    const { api } = await tenant()
    const { id } = (await api('POST', '/devices', { name: 'old' })).body.data
    const renamed = await api(method, `/devices/${id}`, { name: 'new' })
    expect(renamed.status).toBe(200)
    expect(renamed.body.data).toMatchObject({ name: 'new', is_active: true })
    const paused = await api(method, `/devices/${id}`, { is_active: false })
    expect(paused.body.data).toMatchObject({ name: 'new', is_active: false })
    const empty = await api(method, `/devices/${id}`, {})
    expect(empty.status).toBe(422)
    expect(empty.body.error.code).toBe('validation_error')
  })

  it('keeps exactly one default per company', async () => {
    const { api } = await tenant()
    const ids: number[] = []
    for (const name of ['a', 'b', 'c']) ids.push((await api('POST', '/devices', { name })).body.data.id)
    const res = await api('POST', `/devices/${ids[2]}/set-default`)
    expect(res.status).toBe(200)
    expect(res.body.data).toMatchObject({ id: ids[2], is_default: true })
    await api('POST', `/devices/${ids[1]}/set-default`)
    const defaults = (await api('GET', '/devices')).body.data.filter((d: { is_default: boolean }) => d.is_default)
    expect(defaults.map((d: { id: number }) => d.id)).toEqual([ids[1]])
    // Setting the current default again changes nothing.
    await api('POST', `/devices/${ids[1]}/set-default`)
    expect((await api('GET', '/devices')).body.data.filter((d: { is_default: boolean }) => d.is_default)).toHaveLength(1)
  })

  it('gives exactly one default when the first devices are created concurrently', async () => {
    const { api } = await tenant()
    const created = await Promise.all(['a', 'b', 'c', 'd'].map((name) => api('POST', '/devices', { name })))
    expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201])
    const defaults = (await api('GET', '/devices')).body.data.filter((d: { is_default: boolean }) => d.is_default)
    expect(defaults).toHaveLength(1)
  })

  it('deletes a device', async () => {
    const { api } = await tenant()
    const { id } = (await api('POST', '/devices', { name: 'gone' })).body.data
    const res = await api('DELETE', `/devices/${id}`)
    expect(res.status).toBe(200)
    expect(res.body.data).toEqual({ id, deleted: true })
    expect((await api('GET', `/devices/${id}`)).body.error.code).toBe('device_not_found')
    expect((await api('GET', '/devices')).body.data).toEqual([])
  })

  it('validates the body and the id', async () => {
    const { api } = await tenant()
    const noName = await api('POST', '/devices', {})
    expect(noName.status).toBe(422)
    expect(noName.body.error).toMatchObject({ code: 'validation_error', details: [{ field: 'name' }] })
    for (const bad of ['abc', '1.5', '-3', '0']) {
      const res = await api('GET', `/devices/${bad}`)
      expect(res.status, bad).toBe(422)
      expect(res.body.error.code).toBe('validation_error')
    }
  })
})

describe('tenant isolation', () => {
  it("answers device_not_found on every route for another company's device", async () => {
    const owner = await tenant()
    const intruder = await tenant()
    const { id } = (await owner.api('POST', '/devices', { name: 'private' })).body.data

    const attempts: Array<[Method, string, unknown?]> = [
      ['GET', `/devices/${id}`],
      ['GET', `/devices/${id}/status`],
      ['PUT', `/devices/${id}`, { name: 'stolen' }],
      ['PATCH', `/devices/${id}`, { is_active: false }],
      ['POST', `/devices/${id}/set-default`],
      ['DELETE', `/devices/${id}`],
    ]
    for (const [method, path, body] of attempts) {
      const res = await intruder.api(method, path, body)
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.body.error.code).toBe('device_not_found')
      // A missing id looks exactly the same.
      const missing = await intruder.api(method, path.replace(String(id), '999999'), body)
      expect(missing.body.error).toEqual(res.body.error)
    }
    expect((await intruder.api('GET', '/devices')).body.data).toEqual([])
    expect((await owner.api('GET', `/devices/${id}`)).body.data).toMatchObject({ name: 'private', is_active: true })
  })
})
