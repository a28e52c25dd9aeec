// POST /whatsapp/contacts/check in the Workers runtime, through a linked device whose node
// answers like WhatsApp (unregistered numbers left out): one answer per number in the order
// asked, invalid numbers named like bulk items, no quota used, paced per key apart from sends,
// and no device of another company usable.
import { afterEach, describe, expect, it } from 'vitest'
import { env } from 'cloudflare:workers'
import { companyOf } from '../../worker/durable-objects/stubs'
import { freshId, tenant } from './helpers'
import { linkedDevice, resetWorld } from './node-client'

afterEach(resetWorld)

describe('POST /contacts/check', () => {
  it('says which numbers have WhatsApp, in the order asked, and uses no quota', async () => {
    const { api } = await linkedDevice()
    const res = await api('POST', '/contacts/check', { phone_numbers: ['+22370123456', '22370120000', '+22370123456'] })
    expect(res.status).toBe(200)
    expect(res.body.data).toEqual([
      { phone_number: '+22370123456', on_whatsapp: true, chat_id: '22370123456@s.whatsapp.net' },
      { phone_number: '+22370120000', on_whatsapp: false, chat_id: null },
      { phone_number: '+22370123456', on_whatsapp: true, chat_id: '22370123456@s.whatsapp.net' },
    ])
    expect((await api('GET', '/quota')).body.data.used).toBe(0)
  })

  it('names every invalid number like bulk items, and refuses more than 50', async () => {
    const { api } = await linkedDevice()
    const res = await api('POST', '/contacts/check', { phone_numbers: ['+22370123456', 'hello', '+1'] })
    expect(res.status).toBe(422)
    expect(res.body.error).toMatchObject({
      code: 'invalid_phone_number',
      details: [
        { index: 1, field: 'phone_numbers.1' },
        { index: 2, field: 'phone_numbers.2' },
      ],
    })
    const many = Array.from({ length: 51 }, (_, i) => `+2237012${String(3000 + i)}`)
    expect((await api('POST', '/contacts/check', { phone_numbers: many })).status).toBe(422)
  })

  it('is paced per key apart from sends: 429 with Retry-After beyond the burst, sends still go', async () => {
    const { api } = await linkedDevice({}, undefined)
    // All at once, well past the burst (40): at 20 a second, they could only all pass if they took seconds to arrive.
    const answers = await Promise.all(
      Array.from({ length: 150 }, () => api('POST', '/contacts/check', { phone_numbers: ['+22370123456'] })),
    )
    const limited = answers.find((res) => res.status === 429)
    expect(limited?.body.error.code).toBe('rate_limited')
    expect(Number(limited?.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1)
    expect((await api('POST', '/send', { recipient: '+22370123456', message: 'still sends' })).status).toBe(200)
  })

  it('keeps number checks and sends of one key in separate buckets (CompanyDO, on a fixed clock)', async () => {
    const stub = companyOf(env, freshId())
    const limits = { ratePerSec: 1, burst: 2, now: 1_000_000 }
    expect(await stub.admitLookup({ keyId: 7, ...limits })).toMatchObject({ ok: true })
    expect(await stub.admitLookup({ keyId: 7, ...limits })).toMatchObject({ ok: true })
    expect(await stub.admitLookup({ keyId: 7, ...limits })).toMatchObject({ ok: false, retryAfterMs: 1000 })
    // The same key's sends have their own budget.
    expect(await stub.admit({ keyId: 7, count: 1, limit: null, ...limits })).toMatchObject({ ok: true })
    // A second later, one more check fits.
    expect(await stub.admitLookup({ keyId: 7, ...limits, now: limits.now + 1_000 })).toMatchObject({ ok: true })
  })

  it("cannot ask through another company's device, and answers device_not_ready when the device has no node", async () => {
    const { device } = await linkedDevice()
    const other = await tenant()
    expect((await other.api('POST', '/contacts/check', { phone_numbers: ['+22370123456'], device_id: device.id })).status).toBe(404)
    const idle = await tenant()
    const unlinked = (await idle.api('POST', '/devices', { name: 'no node' })).body.data
    const res = await idle.api('POST', '/contacts/check', { phone_numbers: ['+22370123456'], device_id: unlinked.id })
    expect(res.status).toBe(503)
    expect(res.body.error.code).toBe('device_not_ready')
  })
})
