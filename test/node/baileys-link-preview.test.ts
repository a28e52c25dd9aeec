// A URL in a message's text is never fetched by the node: the content the engine hands Baileys
// turns off its link previews, checked against the real Baileys message builder.
import { generateWAMessageContent } from '@whiskeysockets/baileys'
import { describe, expect, it, vi } from 'vitest'
import { buildContents } from '../../session-node/engines/baileys/send'

describe('link previews', () => {
  it('are never fetched for a text with a URL, nor for the text sent after an audio', async () => {
    const getUrlInfo = vi.fn(async () => undefined)
    const upload = vi.fn()
    const texts = [
      ...buildContents({ messageId: 'm1', chatId: '1@s.whatsapp.net', text: 'See http://169.254.169.254/latest/meta-data' }),
      ...buildContents({
        messageId: 'm2',
        chatId: '1@s.whatsapp.net',
        text: 'Listen at https://internal.example/',
        media: { kind: 'audio', data: Buffer.from('x'), mimetype: 'audio/ogg' },
      }).slice(1),
    ]
    for (const content of texts) {
      const message = await generateWAMessageContent(content, { getUrlInfo, upload })
      expect(message.extendedTextMessage?.text ?? message.conversation).toMatch(/https?:\/\//)
    }
    expect(getUrlInfo).not.toHaveBeenCalled()
  })

  it('would be fetched without that: the check above can fail', async () => {
    const getUrlInfo = vi.fn(async () => undefined)
    await generateWAMessageContent({ text: 'See https://example.com' }, { getUrlInfo, upload: vi.fn() })
    expect(getUrlInfo).toHaveBeenCalledWith('https://example.com')
  })
})
