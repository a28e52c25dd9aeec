// What the API checks about one outgoing message before accepting it, and how ids name their
// device: pure rules, tested by name.
import { describe, expect, it } from 'vitest'
import { deviceIdOf, newBatchId, newMessageId } from '../../worker/messaging/ids'
import { checkOutgoing, MAX_CAPTION, MAX_TEXT } from '../../worker/messaging/outgoing'
import { parseRecipient } from '../../worker/messaging/recipient'

describe('parseRecipient', () => {
  it('turns an international number, with or without +, spaces or a JID suffix, into E.164 and a chat id', () => {
    for (const input of ['+22370123456', '22370123456', '+223 70 12 34 56', '22370123456@s.whatsapp.net']) {
      expect(parseRecipient(input, false)).toEqual({ ok: true, recipient: '+22370123456', chatId: '22370123456@s.whatsapp.net' })
    }
  })

  it('refuses what is not a valid number of its country', () => {
    for (const input of ['12', '+1 555', 'hello', '+99912345678']) {
      expect(parseRecipient(input, false)).toMatchObject({ ok: false, code: 'invalid_phone_number' })
    }
  })

  it('takes group ids, new and legacy, with or without @g.us', () => {
    expect(parseRecipient('120363012345678901', true)).toMatchObject({ ok: true, chatId: '120363012345678901@g.us' })
    expect(parseRecipient('15551234567-1400000000@g.us', true)).toMatchObject({ ok: true, chatId: '15551234567-1400000000@g.us' })
    expect(parseRecipient('+22370123456x', true)).toMatchObject({ ok: false, code: 'validation_error' })
  })
})

describe('checkOutgoing', () => {
  it('accepts text, and media with a caption, guessing the kind from the URL', () => {
    expect(checkOutgoing({ recipient: '+22370123456', message: 'Hi' })).toMatchObject({ ok: true, message: { type: 'text', text: 'Hi' } })
    expect(checkOutgoing({ recipient: '+22370123456', media_url: 'https://x.test/a.JPG' })).toMatchObject({ message: { type: 'image' } })
    expect(checkOutgoing({ recipient: '+22370123456', media_url: 'https://x.test/file' })).toMatchObject({ message: { type: 'media' } })
  })

  it('names the field and the code of the first problem', () => {
    expect(checkOutgoing({ recipient: '+22370123456' })).toMatchObject({ ok: false, code: 'validation_error', field: 'message' })
    expect(checkOutgoing({ recipient: '+22370123456', media_url: 'ftp://x.test/a.pdf' })).toMatchObject({ field: 'media_url' })
    expect(checkOutgoing({ recipient: 'nope', message: 'Hi' })).toMatchObject({
      code: 'invalid_phone_number',
      field: 'recipient',
      details: { reason: 'invalid_format' },
    })
  })

  it('limits text and captions with the limits in details', () => {
    expect(checkOutgoing({ recipient: '+22370123456', message: 'x'.repeat(MAX_TEXT) }).ok).toBe(true)
    expect(checkOutgoing({ recipient: '+22370123456', message: 'x'.repeat(MAX_TEXT + 1) })).toMatchObject({
      code: 'message_too_long',
      details: { max_length: MAX_TEXT, length: MAX_TEXT + 1 },
    })
    const caption = { recipient: '+22370123456', media_url: 'https://x.test/a.png', message: 'x'.repeat(MAX_CAPTION + 1) }
    expect(checkOutgoing(caption)).toMatchObject({ code: 'message_too_long', details: { max_length: MAX_CAPTION } })
  })
})

describe('deviceIdOf', () => {
  it('reads the device back from the ids it issues, and from nothing else', () => {
    expect(deviceIdOf('msg', newMessageId(42))).toBe(42)
    expect(deviceIdOf('bat', newBatchId(7))).toBe(7)
    expect(deviceIdOf('bat', newMessageId(42))).toBeNull()
    for (const id of ['msg_0_aaaaaaaaaaaaaaaaaaaa', 'msg_42_short', 'msg_42_aaaaaaaaaaaaaaaaaaaa_extra', '../msg_1', '']) {
      expect(deviceIdOf('msg', id)).toBeNull()
    }
  })
})
