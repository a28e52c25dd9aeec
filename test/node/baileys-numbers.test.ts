// Groups and number checks through the Baileys engine, against the scripted fake socket: one onWhatsApp
// query for all numbers; a number left out of the answer is not on WhatsApp; an answer whose JID
// is the other spelling of a Brazilian mobile number (with or without its extra 9) is matched
// back to the number asked; a device that is not connected says not_ready.
import { describe, expect, it } from 'vitest'
import { harness, online } from './support/baileys-engine-harness'

describe('baileys engine: number checks', () => {
  it('asks once, leaves out who is not on WhatsApp, and matches Brazil’s extra 9 back to the number asked', async () => {
    const { engine, wa } = await online()
    // Registered under the spelling without the 9, as WhatsApp answers for some older accounts.
    wa.last().register('5511987654321', '551187654321@s.whatsapp.net')
    const registered = await engine.checkNumbers(['22370123456', '22370120000', '5511987654321'])
    expect(registered).toEqual([
      { digits: '22370123456', jid: '22370123456@s.whatsapp.net' },
      { digits: '5511987654321', jid: '551187654321@s.whatsapp.net' },
    ])
    expect(wa.last().onWhatsAppCalls).toEqual([['22370123456', '22370120000', '5511987654321']])
  })

  it("lists the account's groups, admin where its number or LID is an admin", async () => {
    const { engine, wa } = await online()
    const socket = wa.last()
    const me = socket.authState.creds.me!.id
    const group = (id: string, admin: 'admin' | null, creation?: number) => ({
      id,
      subject: `Group ${id.slice(0, 4)}`,
      participants: [
        { id: me.replace(/:\d+@/, '@'), admin },
        { id: '15557654321@s.whatsapp.net', admin: 'superadmin' as const },
      ],
      ...(creation !== undefined && { creation }),
    })
    Object.assign(socket.groups, { a: group('120363000000000001@g.us', 'admin', 1_700_000_000), b: group('120363000000000002@g.us', null) })
    expect(await engine.groups()).toEqual([
      { id: '120363000000000001@g.us', subject: 'Group 1203', size: 2, is_admin: true, created_at: 1_700_000_000_000 },
      { id: '120363000000000002@g.us', subject: 'Group 1203', size: 2, is_admin: false, created_at: null },
    ])
  })

  it('says not_ready before the socket is open', async () => {
    const { engine } = harness()
    await expect(engine.checkNumbers(['22370123456'])).rejects.toMatchObject({ code: 'not_ready' })
    await expect(engine.groups()).rejects.toMatchObject({ code: 'not_ready' })
  })
})

describe('baileys engine: replies and read marks', () => {
  it('sends a reply quoting the message by its key, and marks a received one read', async () => {
    const { engine, wa } = await online()
    const quoted = { waMessageId: 'ABC123', fromMe: false, participant: '15557654321@s.whatsapp.net', text: 'When do you open?' }
    await engine.send({ messageId: 'r1', chatId: '22370123456@s.whatsapp.net', text: 'At 9', quoted })
    expect(wa.last().sent[0]?.options?.quoted).toEqual({
      key: { remoteJid: '22370123456@s.whatsapp.net', fromMe: false, id: 'ABC123', participant: '15557654321@s.whatsapp.net' },
      message: { conversation: 'When do you open?' },
    })
    await engine.markRead({ chatId: '22370123456@s.whatsapp.net', waMessageId: 'IN1' })
    expect(wa.last().reads).toEqual([{ remoteJid: '22370123456@s.whatsapp.net', id: 'IN1', fromMe: false }])
  })
})
