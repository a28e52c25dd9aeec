// POST /send-bulk and the paced outbox, and reading messages back (GET /messages).
import { runDurableObjectAlarm } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { admin, sleep, tenant } from './helpers'
import { linkedDevice, resetWorld, sentResult } from './node-client'

afterEach(resetWorld)

const deviceDO = (id: number) => deviceOf(env, id)

describe('POST /send-bulk', () => {
  it('validates every item first and names the bad index; nothing is queued or charged', async () => {
    const { api } = await linkedDevice()
    const res = await api('POST', '/send-bulk', {
      messages: [
        { recipient: '+22370123456', message: 'ok' },
        { recipient: '+22370123456', message: 'ok' },
        { recipient: 'nope', message: 'x' },
      ],
    })
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('invalid_phone_number')
    expect(res.body.error.details[0]).toMatchObject({ index: 2, field: 'messages.2.recipient' })
    expect((await api('GET', '/quota')).body.data.used).toBe(0)
    expect((await api('POST', '/send-bulk', { messages: [] })).status).toBe(422)
    const tooMany = await api('POST', '/send-bulk', {
      messages: Array.from({ length: 1001 }, () => ({ recipient: '+22370123456', message: 'x' })),
    })
    expect(tooMany.status).toBe(422)
  })

  it('reserves quota for all or none', async () => {
    const { api } = await linkedDevice({ monthly_quota: 2 })
    const res = await api('POST', '/send-bulk', { messages: [1, 2, 3].map((i) => ({ recipient: '+22370123456', message: `m${i}` })) })
    expect(res.status).toBe(429)
    expect(res.body.error.code).toBe('quota_exceeded')
    expect((await api('GET', '/quota')).body.data.used).toBe(0)
  })

  it('accepts, answers 202 in request order, and drains the outbox in request order', async () => {
    const { api, device, sends } = await linkedDevice()
    await api('PATCH', `/devices/${device.id}`, { send_interval_ms: 0 })
    const recipients = ['+22370123451', '+22370123452', '+22370123453']
    const res = await api('POST', '/send-bulk', { messages: recipients.map((recipient, i) => ({ recipient, message: `m${i}` })) })
    expect(res.status).toBe(202)
    const { batch_id, total, messages } = res.body.data
    expect(total).toBe(3)
    expect(messages.map((m) => [m.index, m.recipient, m.status])).toEqual(recipients.map((r, i) => [i, r, 'queued']))

    for (let i = 0; i < 10 && sends.length < 3; i++) {
      await runDurableObjectAlarm(deviceDO(device.id))
      await sleep(30)
    }
    expect(sends.map((s) => s.message_id)).toEqual(messages.map((m) => m.message_id))
    const batch = (await api('GET', `/batches/${batch_id}`)).body.data
    expect(batch).toMatchObject({ batch_id, device_id: device.id, total: 3, counts: { queued: 0, sent: 3, failed: 0 } })
    const listed = (await api('GET', `/messages?batch_id=${batch_id}`)).body.data.messages
    expect(listed.map((m) => m.batch_id)).toEqual([batch_id, batch_id, batch_id])
  })

  it('with pacing off, sends to different chats at once and a chat’s messages one after the other', async () => {
    const { api, device, sends, session } = await linkedDevice({}, () => 'ignore')
    await api('PATCH', `/devices/${device.id}`, { send_interval_ms: 0 })
    const recipients = ['+22370123451', '+22370123452', '+22370123451', '+22370123453']
    const res = await api('POST', '/send-bulk', { messages: recipients.map((recipient, i) => ({ recipient, message: `m${i}` })) })
    const ids = res.body.data.messages.map((m) => m.message_id)
    const answerAll = () => {
      for (const send of sends.splice(0)) session.send(sentResult(send))
    }
    const alarm = runDurableObjectAlarm(deviceDO(device.id))
    await vi.waitFor(() => expect(sends.length).toBe(2), { timeout: 2_000, interval: 10 })
    await sleep(50)
    // The third is to the first one's chat: it waits until the first was answered.
    expect(sends.map((s) => s.message_id)).toEqual(ids.slice(0, 2))
    answerAll()
    await vi.waitFor(() => expect(sends.map((s) => s.message_id)).toEqual(ids.slice(2)), { timeout: 2_000, interval: 10 })
    answerAll()
    await alarm
    expect((await api('GET', `/batches/${res.body.data.batch_id}`)).body.data.counts).toMatchObject({ queued: 0, sent: 4 })
  })

  it('fails an interrupted message instead of sending it twice, and keeps the rest queued', async () => {
    const { api, device, sends, session } = await linkedDevice({}, () => 'ignore')
    await api('PATCH', `/devices/${device.id}`, { send_interval_ms: 0 })
    const res = await api('POST', '/send-bulk', { messages: [1, 2].map((i) => ({ recipient: '+22370123456', message: `m${i}` })) })
    const alarm = runDurableObjectAlarm(deviceDO(device.id))
    for (let i = 0; i < 50 && sends.length === 0; i++) await sleep(20)
    session.ws.close(1011, 'node crashed')
    await alarm
    const batch = (await api('GET', `/batches/${res.body.data.batch_id}`)).body.data
    expect(batch.counts).toMatchObject({ failed: 1, queued: 1 })
    const first = (await api('GET', `/messages/${res.body.data.messages[0]?.message_id}`)).body.data
    expect(first).toMatchObject({ status: 'failed', error: 'interrupted' })
  })
})

describe('GET /messages', () => {
  it('lists newest first with filters and a cursor', async () => {
    const { api, device } = await linkedDevice()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push((await api('POST', '/send', { recipient: '+22370123456', message: `m${i}` })).body.data.message_id)
      await sleep(2)
    }
    const first = (await api('GET', '/messages?limit=2')).body.data
    expect(first.messages.map((m) => m.message_id)).toEqual([ids[4], ids[3]])
    const second = (await api('GET', `/messages?limit=2&cursor=${first.next_cursor}`)).body.data
    expect(second.messages.map((m) => m.message_id)).toEqual([ids[2], ids[1]])
    const third = (await api('GET', `/messages?limit=2&cursor=${second.next_cursor}`)).body.data
    expect(third.messages.map((m) => m.message_id)).toEqual([ids[0]])
    expect(third.next_cursor).toBeNull()
    expect((await api('GET', `/messages?device_id=${device.id}&status=sent`)).body.data.messages).toHaveLength(5)
    expect((await api('GET', '/messages?status=failed')).body.data.messages).toHaveLength(0)
    expect((await api('GET', '/messages?cursor=garbage')).status).toBe(422)
  })

  it("never shows another company's messages, even by id", async () => {
    const { api } = await linkedDevice()
    const id = (await api('POST', '/send', { recipient: '+22370123456', message: 'secret' })).body.data.message_id
    const other = await tenant()
    const res = await other.api('GET', `/messages/${id}`)
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
    expect((await other.api('GET', '/messages')).body.data.messages).toEqual([])
    expect((await other.api('GET', `/messages/not-an-id`)).status).toBe(404)
    void admin
  })
})
