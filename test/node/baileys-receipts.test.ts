// Receipts from WhatsApp through the Baileys engine: statuses mapped by message id, once each
// and never backwards, and failures (a nack) reported with a short reason.
import { proto } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import { online, outgoing as message } from './support/baileys-engine-harness'

const Status = proto.WebMessageInfo.Status

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
    expect(receipts).toEqual([
      { waMessageId: 'NACKED', status: 'failed', at: expect.any(Number), error: 'WhatsApp refused the message (463)' },
    ])
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
