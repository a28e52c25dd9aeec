// What the Baileys engine makes of `messages.upsert`, against the scripted fake socket: notify
// and append both count (append carries what WhatsApp queued while we were away), own messages
// and undecryptable stubs are skipped, each WhatsApp id is reported once, reactions, edits and
// deletions come from their own upsert, the sender's phone comes from the key or the LID
// mapping (null when neither knows), and media is downloaded only when asked, with a re-upload
// request to the phone when the CDN lost the file.
import { proto, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import { harness, linkedStore, settle } from './support/baileys-engine-harness'

const LID = '123456789012345@lid'
const PN = '15551234567@s.whatsapp.net'

async function receiving(downloadMedia?: (message: WAMessage) => Promise<Buffer>) {
  const h = harness(await linkedStore(), downloadMedia ? { downloadMedia } : {})
  await h.engine.start()
  h.wa.last().open()
  return h
}

const incoming = (id: string, message: proto.IMessage, key: Partial<WAMessageKey> = {}, extra: Partial<WAMessage> = {}): WAMessage => ({
  key: { remoteJid: PN, fromMe: false, id, ...key },
  message,
  messageTimestamp: 1_700_000_000,
  pushName: 'Alice',
  ...extra,
})

describe('baileys engine: inbound messages', () => {
  it('takes notify and append, skips own messages and undecryptable stubs, and reports each id once', async () => {
    const { wa, inbound } = await receiving()
    const socket = wa.last()
    socket.receive([incoming('A1', { conversation: 'live' })], 'notify')
    socket.receive([incoming('A2', { conversation: 'queued while offline' })], 'append')
    socket.receive([incoming('A1', { conversation: 'live' })], 'append')
    socket.receive([incoming('MINE', { conversation: 'typed on the phone' }, { fromMe: true })], 'notify')
    socket.receive(
      [incoming('STUB', null as unknown as proto.IMessage, {}, { messageStubType: proto.WebMessageInfo.StubType.CIPHERTEXT })],
      'notify',
    )
    socket.receive([incoming('STUB', { conversation: 'the resend, same id' })], 'notify')
    await settle()
    expect(inbound.map((e) => [e.message.wa_message_id, e.message.text])).toEqual([
      ['A1', 'live'],
      ['A2', 'queued while offline'],
      ['STUB', 'the resend, same id'],
    ])
    expect(inbound[0]!.message).toMatchObject({
      kind: 'message',
      type: 'text',
      chat_id: PN,
      is_group: false,
      sender: { jid: PN, lid: null, phone: '+15551234567', push_name: 'Alice' },
      at: 1_700_000_000_000,
    })
  })

  it("finds the sender's phone in the key's alternate JID, else the LID mapping, else says null", async () => {
    const { wa, inbound } = await receiving()
    const socket = wa.last()
    socket.lids.set('999999999999999@lid', '15557654321:0@s.whatsapp.net')
    socket.receive([incoming('L1', { conversation: 'a' }, { remoteJid: LID, remoteJidAlt: PN })], 'notify')
    socket.receive([incoming('L2', { conversation: 'b' }, { remoteJid: '999999999999999@lid' })], 'notify')
    socket.receive([incoming('L3', { conversation: 'c' }, { remoteJid: '888888888888888@lid' })], 'notify')
    socket.receive(
      [incoming('G1', { conversation: 'd' }, { remoteJid: '120363000000000001@g.us', participant: LID, participantAlt: PN })],
      'notify',
    )
    await settle()
    expect(inbound.map((e) => e.message.sender.phone)).toEqual(['+15551234567', '+15557654321', null, '+15551234567'])
    expect(inbound[2]!.message.sender).toMatchObject({ jid: '888888888888888@lid', lid: '888888888888888@lid' })
    expect(inbound[3]!.message).toMatchObject({ is_group: true, chat_id: '120363000000000001@g.us', participant: LID })
  })

  it('reads replies, media, locations, contacts, reactions, edits and deletions', async () => {
    const { wa, inbound } = await receiving()
    const socket = wa.last()
    const Type = proto.Message.ProtocolMessage.Type
    socket.receive(
      [
        incoming('R', { extendedTextMessage: { text: 'yes', contextInfo: { stanzaId: '3EB0OURS' } } }),
        incoming('I', { ephemeralMessage: { message: { imageMessage: { caption: 'look', mimetype: 'image/jpeg', fileLength: 2048 } } } }),
        incoming('D', { documentWithCaptionMessage: { message: { documentMessage: { fileName: 'a.pdf', mimetype: 'application/pdf' } } } }),
        incoming('P', { locationMessage: { degreesLatitude: 12.6, degreesLongitude: -8, name: 'Bamako' } }),
        incoming('C', { contactMessage: { displayName: 'Bob', vcard: 'BEGIN:VCARD' } }),
        incoming('X', { reactionMessage: { key: { id: 'R' }, text: '❤️' } }),
        incoming('E', { protocolMessage: { type: Type.MESSAGE_EDIT, key: { id: 'R' }, editedMessage: { conversation: 'yes!' } } }),
        incoming('V', { protocolMessage: { type: Type.REVOKE, key: { id: 'I' } } }),
        incoming('POLL', { pollCreationMessage: { name: 'not carried' } }),
      ],
      'notify',
    )
    await settle()
    expect(inbound.map((e) => [e.message.kind, e.message.type])).toEqual([
      ['message', 'text'],
      ['message', 'image'],
      ['message', 'document'],
      ['message', 'location'],
      ['message', 'contact'],
      ['reaction', 'reaction'],
      ['edit', 'text'],
      ['delete', 'text'],
    ])
    const [reply, image, doc, place, contact, reaction, edit, revoke] = inbound.map((e) => e.message)
    expect(reply).toMatchObject({ reply_to: '3EB0OURS' })
    expect(image).toMatchObject({ text: 'look', media: { mimetype: 'image/jpeg', size: 2048, stored: false } })
    expect(doc!.media).toMatchObject({ file_name: 'a.pdf', mimetype: 'application/pdf' })
    expect(place!.location).toEqual({ latitude: 12.6, longitude: -8, name: 'Bamako' })
    expect(contact!.contact).toEqual({ display_name: 'Bob', vcard: 'BEGIN:VCARD' })
    expect(reaction).toMatchObject({ target: 'R', emoji: '❤️' })
    expect(edit).toMatchObject({ target: 'R', text: 'yes!' })
    expect(revoke).toMatchObject({ target: 'I' })
    // The derived events Baileys emits for the same reaction and edit are not read.
    socket.ev.emit('messages.reaction', [{ key: { id: 'R' }, reaction: { text: '❤️', key: { id: 'X' } } }])
    await settle()
    expect(inbound).toHaveLength(8)
  })

  it('downloads media only when asked, asking the phone to re-upload it when the CDN says 410', async () => {
    const calls: string[] = []
    const { wa, inbound } = await receiving(async (message) => {
      calls.push(message.key.id!)
      return Buffer.from('jpeg bytes')
    })
    wa.last().receive([incoming('I', { imageMessage: { mimetype: 'image/jpeg' } })], 'notify')
    await settle()
    expect(calls).toEqual([])
    expect((await inbound[0]!.download!()).toString()).toBe('jpeg bytes')
    expect(calls).toEqual(['I'])
  })
})

describe('baileys engine: the media re-upload path', () => {
  it('on a 404 or 410 from the CDN asks the phone to upload again, then downloads the new copy (which here is gone too)', async () => {
    const { downloadWithReupload } = await import('../../session-node/engines/baileys/inbound')
    const socket = { updateMediaMessage: async (m: WAMessage) => ({ ...m, message: { imageMessage: { url: 'https://new' } } }) }
    // A real Baileys download of a file whose URL answers 410 (a local server), as TECH-FACTS-EVENTS §3.4 found.
    const { createServer } = await import('node:http')
    const server = createServer((_req, res) => res.writeHead(410).end())
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const reuploaded: WAMessage[] = []
    const message = incoming('OLD', {
      imageMessage: {
        url: `http://127.0.0.1:${port}/expired.enc`,
        mediaKey: new Uint8Array(32),
        mimetype: 'image/jpeg',
      },
    })
    const attempt = downloadWithReupload(message, {
      updateMediaMessage: async (m: WAMessage) => {
        reuploaded.push(m)
        return socket.updateMediaMessage({
          ...m,
          message: { imageMessage: { ...m.message!.imageMessage!, url: `http://127.0.0.1:${port}/still-gone.enc` } },
        })
      },
    } as never)
    await expect(attempt).rejects.toThrow()
    expect(reuploaded.map((m) => m.key.id)).toEqual(['OLD'])
    server.close()
  })
})
