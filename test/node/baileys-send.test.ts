// Sending on the Baileys engine against the scripted socket: what reaches Baileys for each kind
// of message, who is refused before anything is sent, and how WhatsApp's receipts (1:1, groups,
// NACKs, @lid remote JIDs) become delivered / read / failed.
import { proto } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import type { MediaPayload, OutgoingMessage } from '../../session-node/engines/engine'
import { waMessageIdFor } from '../../session-node/engines/baileys/send'
import { harness, linkedStore } from './support/baileys-engine-harness'
import { boom } from './support/fake-baileys'

const Status = proto.WebMessageInfo.Status
const TO = '22370123456@s.whatsapp.net'

async function online() {
  const h = harness(await linkedStore())
  await h.engine.start()
  h.wa.last().open()
  h.wa.last().register('22370123456')
  return h
}

const message = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({ messageId: 'msg_1', chatId: TO, text: 'Hello', ...overrides })
const media = (kind: MediaPayload['kind'], mimetype: string, fileName?: string): MediaPayload => ({ kind, data: Buffer.from(`${kind}-bytes`), mimetype, ...(fileName && { fileName }) })

describe('baileys engine: sending', () => {
  it('sends text under an id derived from ours, once the number is known to WhatsApp', async () => {
    const { engine, wa } = await online()
    const { waMessageId } = await engine.send(message())
    expect(waMessageId).toBe(waMessageIdFor('msg_1'))
    expect(waMessageId).toMatch(/^3EB0[0-9A-F]{18}$/)
    expect(waMessageIdFor('msg_1')).toBe(waMessageId) // the same message id, the same WhatsApp id
    expect(waMessageIdFor('msg_2')).not.toBe(waMessageId)
    expect(wa.last().onWhatsAppCalls).toEqual([['22370123456']])
    expect(wa.last().sent).toEqual([{ jid: TO, content: { text: 'Hello' }, options: { messageId: waMessageId, mediaUploadTimeoutMs: 60_000 } }])
  })

  it('builds the content Baileys expects for each kind of media, caption included', async () => {
    const { engine, wa } = await online()
    const image = media('image', 'image/png')
    const video = media('video', 'video/mp4')
    const document = media('document', 'application/pdf', 'Invoice 42.pdf')
    await engine.send(message({ messageId: 'i', text: 'A photo', media: image }))
    await engine.send(message({ messageId: 'v', text: 'A clip', media: video }))
    await engine.send(message({ messageId: 'd', text: 'Your invoice', media: document }))
    await engine.send(message({ messageId: 'n', text: undefined, media: image }))
    expect(wa.last().sent.map((s) => s.content)).toEqual([
      { image: image.data, mimetype: 'image/png', caption: 'A photo' },
      { video: video.data, mimetype: 'video/mp4', caption: 'A clip' },
      { document: document.data, mimetype: 'application/pdf', fileName: 'Invoice 42.pdf', caption: 'Your invoice' },
      { image: image.data, mimetype: 'image/png' },
    ])
  })

  it('sends audio without a caption field, and a given caption as a text right after it', async () => {
    const { engine, wa } = await online()
    const audio = media('audio', 'audio/ogg; codecs=opus')
    const { waMessageId } = await engine.send(message({ messageId: 'a1', text: 'Listen to this', media: audio }))
    expect(waMessageId).toBe(waMessageIdFor('a1'))
    expect(wa.last().sent.map((s) => [s.content, s.options?.messageId])).toEqual([
      [{ audio: audio.data, mimetype: 'audio/ogg; codecs=opus' }, waMessageIdFor('a1')],
      [{ text: 'Listen to this' }, waMessageIdFor('a1:caption')],
    ])
    await engine.send(message({ messageId: 'a2', text: undefined, media: audio }))
    expect(wa.last().sent).toHaveLength(3)
  })

  it('refuses a number WhatsApp leaves out of its onWhatsApp answer, without sending anything', async () => {
    const { engine, wa } = await online()
    await expect(engine.send(message({ chatId: '22399999999@s.whatsapp.net' }))).rejects.toMatchObject({ name: 'SendError', code: 'not_on_whatsapp' })
    expect(wa.last().onWhatsAppCalls).toEqual([['22399999999']])
    expect(wa.last().sent).toEqual([])
  })

  it('sends to the JID WhatsApp answered with, and asks about a number once', async () => {
    const { engine, wa } = await online()
    wa.last().register('5511987654321', '551187654321@s.whatsapp.net') // Brazil's extra 9
    await engine.send(message({ messageId: 'b1', chatId: '5511987654321@s.whatsapp.net' }))
    await engine.send(message({ messageId: 'b2', chatId: '5511987654321@s.whatsapp.net' }))
    expect(wa.last().sent.map((s) => s.jid)).toEqual(['551187654321@s.whatsapp.net', '551187654321@s.whatsapp.net'])
    expect(wa.last().onWhatsAppCalls).toEqual([['5511987654321']])
  })

  it('sends to groups without an onWhatsApp check', async () => {
    const { engine, wa } = await online()
    await engine.send(message({ chatId: '120363012345678901@g.us' }))
    expect(wa.last().onWhatsAppCalls).toEqual([])
    expect(wa.last().sent[0]?.jid).toBe('120363012345678901@g.us')
  })

  it('is not_ready unless the WhatsApp socket is open, and outcome_unknown when sendMessage throws', async () => {
    const h = harness(await linkedStore())
    await expect(h.engine.send(message())).rejects.toMatchObject({ code: 'not_ready' })
    await h.engine.start()
    await expect(h.engine.send(message())).rejects.toMatchObject({ code: 'not_ready' }) // connecting
    h.wa.last().open()
    h.wa.last().register('22370123456')
    // Baileys' relay timeout can fire after the stanza was written: the message may be out.
    h.wa.last().sendFailures.push(boom('Timed Out', 408))
    await expect(h.engine.send(message())).rejects.toMatchObject({
      name: 'SendError',
      code: 'outcome_unknown',
      message: expect.stringMatching(/Timed Out, 408.*may have been sent/),
    })
    await h.engine.stop()
    await expect(h.engine.send(message())).rejects.toMatchObject({ code: 'not_ready' })
  })

  it('is outcome_unknown when the WhatsApp socket closes under a send ("Connection Closed")', async () => {
    const { engine, wa } = await online()
    wa.last().dropSilently() // the WebSocket died; Baileys has not reported the close yet
    await expect(engine.send(message())).rejects.toMatchObject({ code: 'outcome_unknown', message: expect.stringContaining('Connection Closed, 428') })
  })

  it('passes on only a short reason from a Baileys error, never its whole text', async () => {
    const { engine, wa } = await online()
    const secretish = `Timed Out ${'x'.repeat(300)}\n    at relayMessage (node_modules/baileys/lib/Socket/messages-send.js:1:1)\n{"stanza":"<message to=22370123456>"}`
    wa.last().sendFailures.push(boom(secretish, 408))
    const error = (await engine.send(message()).then(
      () => expect.unreachable('the send should fail'),
      (e: unknown) => e,
    )) as Error & { code: string }
    expect(error.code).toBe('outcome_unknown')
    expect(error.message).not.toContain('relayMessage')
    expect(error.message).not.toContain('stanza')
    expect(error.message.length).toBeLessThan(200)
  })

  it('is send_failed (certainly not sent) when the onWhatsApp check throws, with nothing handed to sendMessage', async () => {
    const { engine, wa } = await online()
    wa.last().onWhatsAppFailures.push(boom('Timed Out', 408))
    await expect(engine.send(message())).rejects.toMatchObject({ name: 'SendError', code: 'send_failed', message: expect.stringContaining('could not check') })
    expect(wa.last().sent).toEqual([])
    // Once WhatsApp answers again, the same message goes out.
    await expect(engine.send(message())).resolves.toEqual({ waMessageId: waMessageIdFor('msg_1') })
  })

  it('still reports audio sent when only its caption (a second sendMessage) fails', async () => {
    const { engine, wa } = await online()
    const audio = media('audio', 'audio/mpeg')
    wa.last().sendMessage = (() => {
      const real = wa.last().sendMessage.bind(wa.last())
      let calls = 0
      return async (...args: Parameters<typeof real>) => {
        calls += 1
        if (calls === 2) throw boom('Timed Out', 408)
        return real(...args)
      }
    })()
    await expect(engine.send(message({ messageId: 'a3', text: 'caption', media: audio }))).resolves.toEqual({ waMessageId: waMessageIdFor('a3') })
  })

  it('refuses a message with neither text nor media', async () => {
    const { engine } = await online()
    await expect(engine.send(message({ text: undefined }))).rejects.toMatchObject({ code: 'send_failed' })
  })
})

describe('baileys engine: receipts', () => {
  it('maps 1:1 statuses by message id alone (the remote JID is an @lid), once each and never backwards', async () => {
    const { engine, wa, receipts } = await online()
    const { waMessageId: id } = await engine.send(message())
    wa.last().receipt(id, Status.SERVER_ACK)
    wa.last().receipt(id, Status.DELIVERY_ACK, { remoteJid: '98765432109876@lid', t: 1_700_000_001 })
    wa.last().receipt(id, Status.DELIVERY_ACK, { t: 1_700_000_002 }) // another device of the recipient
    wa.last().receipt(id, Status.READ, { t: 1_700_000_010 })
    wa.last().receipt(id, Status.PLAYED, { t: 1_700_000_020 })
    wa.last().receipt(id, Status.DELIVERY_ACK, { t: 1_700_000_030 })
    expect(receipts).toEqual([
      { waMessageId: id, status: 'delivered', at: 1_700_000_001_000 },
      { waMessageId: id, status: 'read', at: 1_700_000_010_000 },
    ])
  })

  it('reports played as read, and ignores receipts about messages that are not ours', async () => {
    const { wa, receipts } = await online()
    wa.last().receipt('THEIRS', Status.READ, { fromMe: false })
    wa.last().receipt('VOICE', Status.PLAYED, { t: 1_700_000_100 })
    expect(receipts).toEqual([
      { waMessageId: 'VOICE', status: 'delivered', at: 1_700_000_100_000 },
      { waMessageId: 'VOICE', status: 'read', at: 1_700_000_100_000 },
    ])
  })

  it('turns a NACK into failed with the code WhatsApp gave', async () => {
    const { wa, receipts } = await online()
    wa.last().nack('NACKED', '463')
    expect(receipts).toEqual([{ waMessageId: 'NACKED', status: 'failed', at: expect.any(Number), error: 'WhatsApp refused the message (463)' }])
  })

  it('groups: the first participant receipt is delivered, the first read is read; the rest are ignored', async () => {
    const { engine, wa, receipts } = await online()
    const { waMessageId: id } = await engine.send(message({ chatId: '120363012345678901@g.us' }))
    wa.last().groupReceipt(id, '111@lid', 'delivered', 1_700_000_001)
    wa.last().groupReceipt(id, '222@s.whatsapp.net', 'delivered', 1_700_000_002)
    wa.last().groupReceipt(id, '111@lid', 'read', 1_700_000_005)
    wa.last().groupReceipt(id, '222@s.whatsapp.net', 'read', 1_700_000_006)
    expect(receipts).toEqual([
      { waMessageId: id, status: 'delivered', at: 1_700_000_001_000 },
      { waMessageId: id, status: 'read', at: 1_700_000_005_000 },
    ])
  })

  it('keeps listening across a reconnect and stops when the engine stops', async () => {
    const { engine, wa, clock, receipts } = await online()
    wa.last().close(428)
    clock.fire()
    wa.last().open()
    wa.last().receipt('AFTER', Status.DELIVERY_ACK)
    expect(receipts.map((r) => r.waMessageId)).toEqual(['AFTER'])
    const socket = wa.last()
    await engine.stop()
    socket.receipt('LATE', Status.DELIVERY_ACK)
    expect(receipts.map((r) => r.waMessageId)).toEqual(['AFTER'])
  })
})
