// Sending on the Baileys engine against the scripted socket: what reaches Baileys for each kind
// of message (text through sendMessage; media uploaded first, then relayed), who is refused
// before anything is sent, which failures may have sent the message, and how WhatsApp's receipts
// (1:1, groups, NACKs, @lid remote JIDs) become delivered / read / failed.
import { proto } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import type { MediaPayload } from '../../session-node/engines/engine'
import { buildContents, waMessageIdFor } from '../../session-node/engines/baileys/send'
import { harness, linkedStore, online, outgoing as message, settle, TO } from './support/baileys-engine-harness'
import { boom } from './support/fake-baileys'

const Status = proto.WebMessageInfo.Status

const media = (kind: MediaPayload['kind'], mimetype: string, fileName?: string): MediaPayload => ({
  kind,
  data: Buffer.from(`${kind}-bytes`),
  mimetype,
  ...(fileName && { fileName }),
})

describe('baileys engine: sending', () => {
  it('sends text under an id derived from ours, once the number is known to WhatsApp', async () => {
    const { engine, wa } = await online()
    const { waMessageId } = await engine.send(message())
    expect(waMessageId).toBe(waMessageIdFor('msg_1'))
    expect(waMessageId).toMatch(/^3EB0[0-9A-F]{18}$/)
    expect(waMessageIdFor('msg_1')).toBe(waMessageId) // the same message id, the same WhatsApp id
    expect(waMessageIdFor('msg_2')).not.toBe(waMessageId)
    expect(wa.last().onWhatsAppCalls).toEqual([['22370123456']])
    expect(wa.last().sent).toEqual([
      { jid: TO, content: { text: 'Hello', linkPreview: null }, options: { messageId: waMessageId, mediaUploadTimeoutMs: 60_000 } },
    ])
  })

  it('sends text through sendMessage alone: no upload, no separate relay', async () => {
    const { engine, wa } = await online()
    await engine.send(message({ text: 'Just words' }))
    expect(wa.last().sent.map((s) => s.content)).toEqual([{ text: 'Just words', linkPreview: null }])
    expect(wa.last().uploads).toEqual([])
    expect(wa.last().relayed).toEqual([])
  })

  it('builds the content Baileys expects for each kind of media, caption included', () => {
    const image = media('image', 'image/png')
    const video = media('video', 'video/mp4')
    const audio = media('audio', 'audio/mpeg')
    const document = media('document', 'application/pdf', 'Invoice 42.pdf')
    expect(buildContents(message({ text: 'A photo', media: image }))).toEqual([
      { image: image.data, mimetype: 'image/png', caption: 'A photo' },
    ])
    expect(buildContents(message({ text: 'A clip', media: video }))).toEqual([
      { video: video.data, mimetype: 'video/mp4', caption: 'A clip' },
    ])
    expect(buildContents(message({ text: 'Your invoice', media: document }))).toEqual([
      { document: document.data, mimetype: 'application/pdf', fileName: 'Invoice 42.pdf', caption: 'Your invoice' },
    ])
    expect(buildContents(message({ text: undefined, media: image }))).toEqual([{ image: image.data, mimetype: 'image/png' }])
    expect(buildContents(message({ text: 'Listen', media: audio }))).toEqual([
      { audio: audio.data, mimetype: 'audio/mpeg' },
      { text: 'Listen', linkPreview: null },
    ])
    expect(buildContents(message({ text: undefined, media: media('document', 'text/csv') }))).toEqual([
      { document: expect.any(Buffer), mimetype: 'text/csv', fileName: 'file' },
    ])
  })

  it('uploads media first, then relays the built message under the id it returns (receipts match it)', async () => {
    const { engine, wa, receipts } = await online()
    const image = media('image', 'image/png')
    const { waMessageId } = await engine.send(message({ messageId: 'i1', text: 'A photo', media: image }))
    expect(waMessageId).toBe(waMessageIdFor('i1'))
    expect(wa.last().sent).toEqual([]) // not through sendMessage
    expect(wa.last().uploads).toEqual([{ mediaType: 'image', timeoutMs: 60_000, bytes: expect.any(Number), mediaUrl: expect.any(String) }])
    expect(wa.last().relayed).toHaveLength(1)
    const [relayed] = wa.last().relayed
    expect(relayed?.jid).toBe(TO)
    expect(relayed?.options).toEqual({ messageId: waMessageId, additionalAttributes: {}, additionalNodes: [] })
    expect(relayed?.message.imageMessage).toMatchObject({ url: wa.last().uploads[0]?.mediaUrl, mimetype: 'image/png', caption: 'A photo' })
    expect(relayed?.message.imageMessage?.mediaKey).toHaveLength(32)
    // Like sendMessage with emitOwnEvents: the sent message is upserted, under the same id.
    await settle()
    expect(wa.last().upserted.map((u) => [u.message.key.id, u.message.key.fromMe, u.type])).toEqual([[waMessageId, true, 'append']])
    wa.last().receipt(waMessageId, Status.DELIVERY_ACK, { t: 1_700_000_001 })
    expect(receipts).toEqual([{ waMessageId, status: 'delivered', at: 1_700_000_001_000 }])
  })

  it('relays each kind of media as the WhatsApp message it is', async () => {
    const { engine, wa } = await online()
    await engine.send(message({ messageId: 'v', text: 'A clip', media: media('video', 'video/mp4') }))
    await engine.send(message({ messageId: 'd', text: 'Your invoice', media: media('document', 'application/pdf', 'Invoice 42.pdf') }))
    await engine.send(message({ messageId: 'n', text: undefined, media: media('image', 'image/jpeg') }))
    const [video, document, image] = wa.last().relayed.map((r) => r.message)
    expect(video?.videoMessage).toMatchObject({ mimetype: 'video/mp4', caption: 'A clip' })
    expect(document?.documentMessage).toMatchObject({ mimetype: 'application/pdf', fileName: 'Invoice 42.pdf', caption: 'Your invoice' })
    expect(image?.imageMessage).toMatchObject({ mimetype: 'image/jpeg' })
    expect(image?.imageMessage?.caption).toBeFalsy()
    expect(wa.last().uploads.map((u) => u.mediaType)).toEqual(['video', 'document', 'image'])
    expect(wa.last().relayed.map((r) => r.options.messageId)).toEqual([waMessageIdFor('v'), waMessageIdFor('d'), waMessageIdFor('n')])
  })

  it('sends audio without a caption field, and a given caption as a text right after it', async () => {
    const { engine, wa } = await online()
    const audio = media('audio', 'audio/ogg; codecs=opus')
    const { waMessageId } = await engine.send(message({ messageId: 'a1', text: 'Listen to this', media: audio }))
    expect(waMessageId).toBe(waMessageIdFor('a1'))
    expect(wa.last().relayed.map((r) => r.options.messageId)).toEqual([waMessageIdFor('a1')])
    const audioMessage = wa.last().relayed[0]?.message.audioMessage
    expect(audioMessage).toMatchObject({ mimetype: 'audio/ogg; codecs=opus' })
    expect(audioMessage?.ptt).toBeFalsy()
    expect(audioMessage).not.toHaveProperty('caption')
    expect(wa.last().sent.map((s) => [s.content, s.options?.messageId])).toEqual([
      [{ text: 'Listen to this', linkPreview: null }, waMessageIdFor('a1:caption')],
    ])
    await engine.send(message({ messageId: 'a2', text: undefined, media: audio }))
    expect(wa.last().relayed).toHaveLength(2)
    expect(wa.last().sent).toHaveLength(1)
  })

  it('is media_unavailable (certainly not sent) when the upload fails, with nothing relayed', async () => {
    const { engine, wa } = await online()
    wa.last().uploadFailures.push(boom('Media upload failed on all hosts', 500))
    const image = media('image', 'image/png')
    await expect(engine.send(message({ messageId: 'u1', media: image }))).rejects.toMatchObject({
      name: 'SendError',
      code: 'media_unavailable',
      message: expect.stringMatching(/Media upload failed on all hosts, 500.*nothing was sent/),
    })
    expect(wa.last().relayed).toEqual([])
    expect(wa.last().sent).toEqual([])
    await settle()
    expect(wa.last().upserted).toEqual([])
    // Nothing went out, so sending it again is safe, under the same id.
    await expect(engine.send(message({ messageId: 'u1', media: image }))).resolves.toEqual({ waMessageId: waMessageIdFor('u1') })
    expect(wa.last().relayed.map((r) => r.options.messageId)).toEqual([waMessageIdFor('u1')])
  })

  it('does not send an audio caption when the audio upload failed', async () => {
    const { engine, wa } = await online()
    wa.last().uploadFailures.push(boom('Timed Out', 408))
    await expect(engine.send(message({ text: 'caption', media: media('audio', 'audio/mpeg') }))).rejects.toMatchObject({
      code: 'media_unavailable',
    })
    expect(wa.last().relayed).toEqual([])
    expect(wa.last().sent).toEqual([])
  })

  it('is media_unavailable when the socket is already closed at upload time (nothing relayed)', async () => {
    const { engine, wa } = await online()
    wa.last().dropSilently()
    await expect(engine.send(message({ media: media('image', 'image/png') }))).rejects.toMatchObject({
      code: 'media_unavailable',
      message: expect.stringContaining('Connection Closed, 428'),
    })
    expect(wa.last().relayed).toEqual([])
  })

  it('is outcome_unknown when the relay of uploaded media fails: it may have been sent', async () => {
    const { engine, wa } = await online()
    wa.last().relayFailures.push(boom('Timed Out', 408))
    await expect(engine.send(message({ media: media('video', 'video/mp4') }))).rejects.toMatchObject({
      name: 'SendError',
      code: 'outcome_unknown',
      message: expect.stringMatching(/Timed Out, 408.*may have been sent/),
    })
    expect(wa.last().uploads).toHaveLength(1)
    await settle()
    expect(wa.last().upserted).toEqual([])
  })

  it('refuses a number WhatsApp leaves out of its onWhatsApp answer, without sending anything', async () => {
    const { engine, wa } = await online()
    await expect(engine.send(message({ chatId: '22399999999@s.whatsapp.net' }))).rejects.toMatchObject({
      name: 'SendError',
      code: 'not_on_whatsapp',
    })
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
    await expect(engine.send(message())).rejects.toMatchObject({
      code: 'outcome_unknown',
      message: expect.stringContaining('Connection Closed, 428'),
    })
  })

  it('passes on only a short reason from a Baileys error, never its whole text', async () => {
    const { engine, wa } = await online()
    const stack = '    at relayMessage (node_modules/baileys/lib/Socket/messages-send.js:1:1)'
    const secretish = `Timed Out ${'x'.repeat(300)}\n${stack}\n{"stanza":"<message to=22370123456>"}`
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
    await expect(engine.send(message())).rejects.toMatchObject({
      name: 'SendError',
      code: 'send_failed',
      message: expect.stringContaining('could not check'),
    })
    expect(wa.last().sent).toEqual([])
    // Once WhatsApp answers again, the same message goes out.
    await expect(engine.send(message())).resolves.toEqual({ waMessageId: waMessageIdFor('msg_1') })
  })

  it('still reports audio sent when only its caption (the text after it) fails', async () => {
    const { engine, wa } = await online()
    const audio = media('audio', 'audio/mpeg')
    wa.last().sendFailures.push(boom('Timed Out', 408)) // the caption is the only sendMessage
    await expect(engine.send(message({ messageId: 'a3', text: 'caption', media: audio }))).resolves.toEqual({
      waMessageId: waMessageIdFor('a3'),
    })
    expect(wa.last().relayed.map((r) => r.options.messageId)).toEqual([waMessageIdFor('a3')])
  })

  it('refuses a message with neither text nor media', async () => {
    const { engine } = await online()
    await expect(engine.send(message({ text: undefined }))).rejects.toMatchObject({ code: 'send_failed' })
  })
})
