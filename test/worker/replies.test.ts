// Replies and read marks in the Workers runtime: a send (or bulk item) with reply_to quotes a
// message of the same device, sent or received, as WhatsApp knows it; anything else is refused
// before anything is charged; POST /messages/{id}/read marks a received message read on
// WhatsApp and here, and nothing of another company's.
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { InboundMessageInput } from '../../protocol/inbound'
import { tenant } from './helpers'
import { linkedDevice, resetWorld } from './node-client'

afterEach(resetWorld)

type Linked = Awaited<ReturnType<typeof linkedDevice>>

async function received(session: Linked['session'], api: Linked['api'], fields: Partial<InboundMessageInput> = {}) {
  const message: InboundMessageInput = {
    wa_message_id: 'WA-IN-R',
    kind: 'message',
    type: 'text',
    chat_id: '120363012345678901@g.us',
    is_group: true,
    sender: { jid: '15551234567@s.whatsapp.net', lid: null, phone: '+15551234567', push_name: 'Ann' },
    participant: '15551234567@s.whatsapp.net',
    text: 'When do you open?',
    at: Date.now(),
    ...fields,
  }
  session.send({ type: 'inbound', id: 'in-r', message } as never)
  await session.resultOf('in-r')
  return (await api('GET', '/messages?direction=inbound')).body.data.messages[0]!
}

describe('replies', () => {
  it('quotes a sent message, and a received one (with its group participant), as WhatsApp knows them', async () => {
    const { api, sends, session } = await linkedDevice()
    const first = (await api('POST', '/send', { recipient: '+22370123456', message: 'Your order shipped' })).body.data
    expect(
      (await api('POST', '/send', { recipient: '+22370123456', message: 'It arrives Friday', reply_to: first.message_id })).status,
    ).toBe(200)
    expect(sends[1]?.quoted).toEqual({ wa_message_id: `WA-${first.message_id}`, from_me: true, text: 'Your order shipped' })

    const inbound = await received(session, api)
    const reply = await api('POST', '/send', {
      recipient: '120363012345678901@g.us',
      is_group: true,
      message: 'At 9',
      reply_to: inbound.message_id,
    })
    expect(reply.status).toBe(200)
    expect(sends[2]?.quoted).toEqual({
      wa_message_id: 'WA-IN-R',
      from_me: false,
      participant: '15551234567@s.whatsapp.net',
      text: 'When do you open?',
    })
  })

  it('refuses a reply_to that is not a message of the sending device, with nothing charged', async () => {
    const { api, sends } = await linkedDevice()
    const other = await linkedDevice()
    const theirs = (await other.api('POST', '/send', { recipient: '+22370123456', message: 'theirs' })).body.data.message_id
    for (const reply_to of ['msg_1_aaaaaaaaaaaaaaaaaaaa', theirs, 'nonsense']) {
      const res = await api('POST', '/send', { recipient: '+22370123456', message: 'x', reply_to })
      expect(res.status, reply_to).toBe(422)
      expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'reply_to' })])
    }
    const bulk = await api('POST', '/send-bulk', { messages: [{ recipient: '+22370123456', message: 'x', reply_to: theirs }] })
    expect(bulk.body.error.details).toEqual([expect.objectContaining({ index: 0, field: 'messages.0.reply_to' })])
    expect((await api('GET', '/quota')).body.data.used).toBe(0)
    expect(sends).toEqual([])
  })
})

describe('POST /messages/{id}/read', () => {
  it('marks a received message read on WhatsApp and here; a sent one cannot be, nor another company’s', async () => {
    const { api, session } = await linkedDevice()
    const inbound = await received(session, api)
    const res = await api('POST', `/messages/${inbound.message_id}/read`)
    expect(res.status).toBe(200)
    expect(res.body.data.read_at).toEqual(expect.any(String))
    const mark = await vi.waitFor(() => {
      const frame = session.frames.find((f) => f.type === 'mark_read')
      if (!frame) throw new Error('no mark_read yet')
      return frame
    })
    expect(mark).toMatchObject({ chat_id: '120363012345678901@g.us', wa_message_id: 'WA-IN-R', participant: '15551234567@s.whatsapp.net' })
    const sent = (await api('POST', '/send', { recipient: '+22370123456', message: 'mine' })).body.data.message_id
    expect((await api('POST', `/messages/${sent}/read`)).status).toBe(422)
    expect((await (await tenant()).api('POST', `/messages/${inbound.message_id}/read`)).status).toBe(404)
  })
})
