// The send-outcome rule as an executable table (docs/sending.md): what the node's answer to a
// `send` means for the message. Only a message that certainly was not sent is refunded, and a
// message that may have gone out is never sent again.
import { describe, expect, it } from 'vitest'
import { MEDIA_SEND_TIMEOUT_MS, TEXT_SEND_TIMEOUT_MS } from '../../protocol/timing'
import { interpretSend, sendCommand, sendTimeoutMs } from '../../worker/durable-objects/device/dispatch'
import type { MessageRow } from '../../worker/durable-objects/device/ledger'
import type { CommandOutcome } from '../../worker/durable-objects/device/pending-commands'

const failed = (code: string, message = code): CommandOutcome => ({ type: 'result', id: 'c1', ok: false, error: { code, message } })
const lost = (code: 'timeout' | 'no_node' | 'connection_lost'): CommandOutcome => ({ ok: false, error: { code, message: code } })

describe('interpretSend: the send-outcome table', () => {
  it('WhatsApp took it: sent, with the id its receipts will carry', () => {
    const outcome: CommandOutcome = { type: 'result', id: 'c1', ok: true, data: { wa_message_id: 'WA1', sent_at: 1_700_000_000_000 } }
    expect(interpretSend(outcome)).toEqual({ kind: 'sent', waMessageId: 'WA1', sentAt: 1_700_000_000_000 })
  })

  it.each([
    ['not_on_whatsapp', 'not_on_whatsapp'],
    ['media_unavailable', 'media_unavailable'],
    ['not_ready', 'not_ready'],
    ['send_failed', 'send_failed'],
    // Codes the node answers when it did not act on the command at all.
    ['malformed_frame', 'send_failed'],
    ['unknown_command', 'send_failed'],
    ['device_not_ready', 'send_failed'],
  ])('the node refused it before WhatsApp had it (%s): refused as %s, so it is refunded', (code, as) => {
    expect(interpretSend(failed(code))).toMatchObject({ kind: 'refused', code: as })
  })

  it.each([
    ['outcome_unknown', failed('outcome_unknown'), 'interrupted'],
    ['connection lost after the frame went out', lost('connection_lost'), 'interrupted'],
    ['no answer in time', lost('timeout'), 'send_timeout'],
    ['an unreadable success', { type: 'result', id: 'c1', ok: true, data: { nope: 1 } } satisfies CommandOutcome, 'interrupted'],
  ] as const)('it may have gone out (%s): unknown as %s, never retried, never refunded', (_what, outcome, code) => {
    expect(interpretSend(outcome)).toMatchObject({ kind: 'unknown', code })
  })

  it('no socket to write to: not dispatched, so it can wait in the outbox', () => {
    expect(interpretSend(lost('no_node'))).toMatchObject({ kind: 'not_dispatched' })
  })
})

const row = (overrides: Partial<MessageRow> = {}): MessageRow => ({
  message_id: 'msg_1_aaaaaaaaaaaaaaaaaaaa',
  direction: 'outbound',
  reply_to: null,
  details: null,
  received_at: null,
  company_id: 1,
  batch_id: null,
  batch_index: null,
  recipient: '+22370123456',
  chat_id: '22370123456@s.whatsapp.net',
  type: 'text',
  text: 'Hello',
  media_url: null,
  status: 'sending',
  error: null,
  wa_message_id: null,
  quota_period: '2026-12',
  created_at: 0,
  sent_at: null,
  delivered_at: null,
  read_at: null,
  failed_at: null,
  send_at: null,
  cancelled_at: null,
  ...overrides,
})

describe('the send command', () => {
  it('carries the text, or the media with the text as its caption', () => {
    expect(sendCommand(row(), 'c1')).toEqual({
      type: 'send',
      id: 'c1',
      message_id: 'msg_1_aaaaaaaaaaaaaaaaaaaa',
      chat_id: '22370123456@s.whatsapp.net',
      text: 'Hello',
    })
    expect(sendCommand(row({ media_url: 'https://example.com/a.pdf', text: 'Invoice' }), 'c2')).toMatchObject({
      media: { url: 'https://example.com/a.pdf', caption: 'Invoice' },
    })
    expect(sendCommand(row({ media_url: 'https://example.com/a.pdf', text: null }), 'c3')).toMatchObject({
      media: { url: 'https://example.com/a.pdf' },
    })
  })

  it('waits longer for media, which is fetched and uploaded first', () => {
    expect(sendTimeoutMs(row())).toBe(TEXT_SEND_TIMEOUT_MS)
    expect(sendTimeoutMs(row({ media_url: 'https://example.com/a.jpg' }))).toBe(MEDIA_SEND_TIMEOUT_MS)
  })
})
