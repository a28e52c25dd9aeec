// runSend, the node's half of a `send` command: which failure code reaches DeviceDO. A SendError's
// code goes through unchanged (outcome_unknown above all: the worker must not retry or refund
// it); a surprise before the engine had the message is send_failed (certainly not sent); a
// surprise from inside the engine's send is outcome_unknown (it may have gone out).
import { describe, expect, it } from 'vitest'
import type { SendCommand } from '../../protocol/frames'
import { SendError, type Engine, type OutgoingMessage } from '../../session-node/engines/engine'
import { runSend } from '../../session-node/messaging'
import { CommandError } from '../../session-node/transport/errors'

const frame = (fields: Partial<SendCommand> = {}): SendCommand => ({
  type: 'send',
  id: 'c1',
  message_id: 'msg-1',
  chat_id: '22370123456@s.whatsapp.net',
  text: 'Hello',
  ...fields,
})

function engineSending(send: (message: OutgoingMessage) => Promise<{ waMessageId: string }>): Engine {
  const unused = () => Promise.reject(new Error('not used'))
  return {
    start: unused,
    stop: unused,
    logout: unused,
    requestPairingCode: unused,
    checkNumbers: unused,
    groups: unused,
    markRead: unused,
    send,
  }
}

const noMedia = () => Promise.reject(new Error('no media in this test'))

async function failureOf(promise: Promise<unknown>): Promise<CommandError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(CommandError)
  return error as CommandError
}

describe('runSend failure codes', () => {
  it('passes outcome_unknown from the engine through unchanged', async () => {
    const engine = engineSending(() =>
      Promise.reject(new SendError('outcome_unknown', 'handed to WhatsApp, then Timed Out, 408; it may have been sent')),
    )
    const error = await failureOf(runSend(frame(), () => engine, noMedia))
    expect(error.code).toBe('outcome_unknown')
    expect(error.message).toBe('handed to WhatsApp, then Timed Out, 408; it may have been sent')
  })

  it('passes every other SendError code through unchanged', async () => {
    for (const code of ['not_on_whatsapp', 'media_unavailable', 'not_ready', 'send_failed'] as const) {
      const engine = engineSending(() => Promise.reject(new SendError(code, `refused: ${code}`)))
      expect(await failureOf(runSend(frame(), () => engine, noMedia))).toMatchObject({ code, message: `refused: ${code}` })
    }
  })

  it('treats a non-SendError thrown by the engine send as outcome_unknown: nobody can say it was not sent', async () => {
    const engine = engineSending(() => Promise.reject(new TypeError('cannot read properties of undefined')))
    const error = await failureOf(runSend(frame(), () => engine, noMedia))
    expect(error.code).toBe('outcome_unknown')
  })

  it('treats a surprise before the engine had the message as send_failed, and never calls the engine', async () => {
    let calls = 0
    const engine = engineSending(() => {
      calls += 1
      return Promise.resolve({ waMessageId: 'X' })
    })
    const error = await failureOf(
      runSend(
        frame({ media: { url: 'https://example.com/a.jpg' } }),
        () => engine,
        () => Promise.reject(new Error('resolver exploded')),
      ),
    )
    expect(error.code).toBe('send_failed')
    expect(calls).toBe(0)
  })
})
