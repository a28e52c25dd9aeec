// Inbound messages in the Workers runtime, told by a node over the device socket: stored once
// per WhatsApp id in the device's ledger (a resent frame is no second message), listed and read
// beside outbound ones, announced as message.received, and reactions, edits and deletions of
// them announced once each. A reply points at our own message when the device has it.
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { InboundMessageInput } from '../../protocol/inbound'
import { exports } from 'cloudflare:workers'
import { tenant } from './helpers'
import { linkedDevice, registerNode, resetWorld } from './node-client'

afterEach(resetWorld)

const ALICE = { jid: '123456789012345@lid', lid: '123456789012345@lid', phone: '+15551234567', push_name: 'Alice' }

const inbound = (fields: Partial<InboundMessageInput> = {}): InboundMessageInput => ({
  wa_message_id: 'WA-IN-1',
  kind: 'message',
  type: 'text',
  chat_id: '123456789012345@lid',
  is_group: false,
  sender: ALICE,
  text: 'Hi there',
  at: Date.now(),
  ...fields,
})

type Session = Awaited<ReturnType<typeof linkedDevice>>['session']
let frames = 0
async function tell(session: Session, message: InboundMessageInput) {
  const id = `in-${(frames += 1)}`
  session.send({ type: 'inbound', id, message } as never)
  const result = await session.resultOf(id)
  expect(result).toMatchObject({ ok: true })
}

describe('inbound messages', () => {
  it('stores a message once however often it is told, lists it by direction and chat, and announces it once', async () => {
    const { api, device, session } = await linkedDevice()
    await api('POST', '/send', { recipient: '+22370123456', message: 'An outbound one' })
    await tell(session, inbound())
    await tell(session, inbound())
    const list = (await api('GET', '/messages?direction=inbound')).body.data.messages
    expect(list).toHaveLength(1)
    const message = list[0]!
    expect(message).toMatchObject({
      direction: 'inbound',
      status: 'received',
      type: 'text',
      text: 'Hi there',
      chat_id: '123456789012345@lid',
      is_group: false,
      device_id: device.id,
      sender: ALICE,
      recipient: '+15551234567',
      reply_to: null,
      received_at: expect.any(String),
    })
    expect((await api('GET', `/messages/${message.message_id}`)).body.data).toEqual(message)
    expect((await api('GET', '/messages?direction=outbound')).body.data.messages.map((m) => m.direction)).toEqual(['outbound'])
    expect((await api('GET', '/messages?chat_id=123456789012345@lid')).body.data.messages).toHaveLength(1)
    const events = await vi.waitFor(async () => {
      const received = (await api('GET', '/events?type=message.received')).body.data.events
      if (received.length === 0) throw new Error('no event yet')
      return received
    })
    expect(events).toEqual([
      expect.objectContaining({ type: 'message.received', data: expect.objectContaining({ message_id: message.message_id }) }),
    ])
    expect((await (await tenant()).api('GET', `/messages/${message.message_id}`)).status).toBe(404)
  })

  it('links a reply to our message, and takes reactions, edits and deletions as events of their own', async () => {
    const { api, session } = await linkedDevice()
    const sent = await api('POST', '/send', { recipient: '+22370123456', message: 'Your order shipped' })
    await tell(session, inbound({ wa_message_id: 'WA-R', text: 'Thanks!', reply_to: `WA-${sent.body.data.message_id}` }))
    await tell(session, inbound({ wa_message_id: 'WA-X', kind: 'reaction', type: 'reaction', text: null, emoji: '👍', target: 'WA-R' }))
    await tell(session, inbound({ wa_message_id: 'WA-E', kind: 'edit', text: 'Thanks a lot!', target: 'WA-R' }))
    await tell(session, inbound({ wa_message_id: 'WA-E', kind: 'edit', text: 'Thanks a lot!', target: 'WA-R' }))
    const rows = (await api('GET', '/messages?direction=inbound')).body.data.messages
    const reply = rows.find((m) => m.type === 'text')!
    expect(reply.reply_to).toEqual({ wa_message_id: `WA-${sent.body.data.message_id}`, message_id: sent.body.data.message_id })
    expect(reply).toMatchObject({ text: 'Thanks a lot!', edited_at: expect.any(String) })
    expect(rows.find((m) => m.type === 'reaction')!.reaction).toEqual({ emoji: '👍', wa_message_id: 'WA-R', message_id: reply.message_id })

    await tell(session, inbound({ wa_message_id: 'WA-D', kind: 'delete', text: null, target: 'WA-R' }))
    expect((await api('GET', `/messages/${reply.message_id}`)).body.data).toMatchObject({ text: null, deleted_at: expect.any(String) })
    const types = await vi.waitFor(async () => {
      const all = (await api('GET', '/events?type=message.received,message.reaction,message.edited,message.deleted')).body.data.events
      if (all.length < 4) throw new Error(`${all.length} events so far`)
      return all.map((e) => e.type)
    })
    expect(types).toEqual(['message.received', 'message.reaction', 'message.edited', 'message.deleted'])
  })

  it("takes an inbound message's media only from the device's own node, with a length, and serves it to its company only", async () => {
    const { api, key, device, session, node } = await linkedDevice()
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4])
    const put = (token: string, body: BodyInit, headers: Record<string, string> = {}) =>
      exports.default.fetch(
        new Request(`http://api.test/api/nodes/devices/${device.id}/media/WA-IMG`, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/jpeg', ...headers },
          body,
        }),
      )
    const stranger = await registerNode('another-node')
    expect((await put(stranger.token, bytes)).status).toBe(404)
    expect((await put(node.token, bytes)).status).toBe(201)
    const media = { mimetype: 'image/jpeg', stored: true, size: bytes.length }
    await tell(session, inbound({ wa_message_id: 'WA-IMG', type: 'image', text: 'A photo', media }))
    const message = (await api('GET', '/messages?direction=inbound')).body.data.messages[0]!
    expect(message.media).toMatchObject({ mimetype: 'image/jpeg', url: `/api/whatsapp/messages/${message.message_id}/media` })
    const download = (key: string) =>
      exports.default.fetch(new Request(`http://api.test${message.media!.url}`, { headers: { 'X-API-Key': key } }))
    const mine = await download(key)
    expect(mine.status).toBe(200)
    expect(mine.headers.get('content-type')).toBe('image/jpeg')
    expect(new Uint8Array(await mine.arrayBuffer())).toEqual(bytes)
    expect((await download((await tenant()).key)).status).toBe(404)
  })

  it('refuses a malformed inbound frame and stores nothing', async () => {
    const { api, session } = await linkedDevice()
    session.send({ type: 'inbound', id: 'bad', message: { wa_message_id: 'x' } } as never)
    await vi.waitFor(() => expect(session.frames.some((f) => f.type === 'error')).toBe(true))
    expect((await api('GET', '/messages?direction=inbound')).body.data.messages).toEqual([])
  })
})
