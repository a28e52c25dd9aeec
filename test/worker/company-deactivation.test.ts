// Deactivating a company stops its sending: once the admin PATCH returns, nothing more of it is
// handed to WhatsApp, its queued messages fail as `company_inactive` and are refunded, and a
// send that slips through a cached key is refused by the device itself.
import { runDurableObjectAlarm } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { admin } from './helpers'
import { linkedDevice, resetWorld } from './node-client'

afterEach(resetWorld)

const recipients = ['+22370123456', '+22370123457', '+22370123458', '+22370123459', '+22370123460']

describe('deactivating a company', () => {
  it('fails and refunds its queued bulk at once, and sends nothing more of it', async () => {
    const { api, company, device, sends } = await linkedDevice()
    await api('PATCH', `/devices/${device.id}`, { send_interval_ms: 60_000 })
    const bulk = await api('POST', '/send-bulk', { messages: recipients.map((recipient) => ({ recipient, message: 'Sale ends today' })) })
    expect(bulk.status).toBe(202)
    await expect.poll(() => sends.length).toBe(1)

    const res = await admin('PATCH', `/companies/${company.id}`, { is_active: false })
    expect(res.status).toBe(200)
    const stub = deviceOf(env, device.id)
    for (const { message_id } of bulk.body.data.messages.slice(1)) {
      expect(await stub.message(message_id)).toMatchObject({ status: 'failed', error: 'company_inactive' })
    }
    expect((await stub.messages({ limit: 10 })).filter((m) => m.status === 'failed')).toHaveLength(4)
    // The device's alarm finds nothing to send.
    await runDurableObjectAlarm(stub)
    expect(sends).toHaveLength(1)
    // Only the message that went out is still charged.
    await admin('PATCH', `/companies/${company.id}`, { is_active: true })
    expect((await api('GET', '/quota')).body.data.used).toBe(1)
  })

  it('refuses, in the device, a send admitted by a key cached before the deactivation; sends again once reactivated', async () => {
    const { api, company, device, sends } = await linkedDevice()
    await deviceOf(env, device.id).setCompanyActive(false)
    const refused = await api('POST', '/send', { recipient: '+22370123456', message: 'Hi' })
    expect(refused.status).toBe(403)
    expect(refused.body.error.code).toBe('company_inactive')
    const bulk = await api('POST', '/send-bulk', { messages: [{ recipient: '+22370123456', message: 'Hi' }] })
    expect(bulk.body.error.code).toBe('company_inactive')
    expect(sends).toHaveLength(0)
    expect((await api('GET', '/quota')).body.data.used).toBe(0)

    await admin('PATCH', `/companies/${company.id}`, { is_active: false })
    await admin('PATCH', `/companies/${company.id}`, { is_active: true })
    expect((await api('POST', '/send', { recipient: '+22370123456', message: 'Hi again' })).status).toBe(200)
  })
})
