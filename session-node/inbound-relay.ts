// What the phone received, on its way to DeviceDO: one `inbound` frame per message, in the order
// the engine reported them, through an AckQueue (acknowledged once DeviceDO stored it; kept
// while the socket is down and resent after a reconnect). Media goes first and beside the
// frame: downloaded within INBOUND_MEDIA_TIMEOUT_MS, capped like sending, and uploaded to the
// worker over HTTP (frames are capped at 4 MB); the frame then says whether it was stored.
//
// The one gap: Baileys acknowledges a message to WhatsApp before it emits it, so a node that
// crashes between the two loses that message (WhatsApp will not send it again). Everything the
// engine emitted is kept here until DeviceDO acknowledged it.
import { metrics } from './ops/metrics'
import type { Logger } from 'pino'
import type { z } from 'zod'
import type { InboundFrame } from '../protocol/frames'
import { InboundMessage, type InboundMessageInput } from '../protocol/inbound'
import { INBOUND_MEDIA_TIMEOUT_MS } from '../protocol/timing'
import type { InboundEvent } from './engines/engine'
import { messageOf } from './error-message'
import { AckQueue, type Link } from './transport/ack-queue'

type Frame = z.infer<typeof InboundFrame>

/** Stores an inbound message's media in the worker; resolves once it is stored. */
export type MediaUploader = (waMessageId: string, data: Buffer, mimetype: string) => Promise<void>

export interface InboundRelayOptions {
  logger: Logger
  requestTimeoutMs: number
  upload: MediaUploader
  /** The most bytes a downloaded file may have (the document cap of sending). */
  maxMediaBytes: number
  mediaTimeoutMs?: number
}

/** Messages waiting for DeviceDO beyond this (a very long outage) are dropped, with a warning. */
const MAX_PENDING = 10_000

export class InboundRelay {
  private readonly queue: AckQueue<Frame>
  /** Media downloads run one after the other, so frames keep the engine's order. */
  private chain: Promise<void> = Promise.resolve()

  constructor(private readonly options: InboundRelayOptions) {
    this.queue = new AckQueue<Frame>({ name: 'inbound', logger: options.logger, timeoutMs: options.requestTimeoutMs })
  }

  get pendingCount(): number {
    return this.queue.pendingCount
  }

  attach(socket: Link<Frame>): void {
    this.queue.attach(socket)
  }

  detach(): void {
    this.queue.detach()
  }

  drain(ms: number): Promise<boolean> {
    return this.chain.then(() => this.queue.drain(ms))
  }

  close(reason: string): void {
    this.queue.close(reason)
  }

  accept(event: InboundEvent): void {
    metrics.inbound.inc({ kind: event.message.kind })
    this.chain = this.chain.then(async () => {
      const message = event.download ? await this.withMedia(event.message, event.download) : event.message
      if (this.queue.pendingCount >= MAX_PENDING) {
        this.options.logger.warn({ waMessageId: message.wa_message_id }, 'too many inbound messages waiting for DeviceDO; dropped')
        return
      }
      const parsed = InboundMessage.parse(message)
      this.queue
        .enqueue('inbound', (id) => ({ type: 'inbound', id, message: parsed }))
        .then(
          // One line per message DeviceDO stored: the audit trail that nothing it acknowledged is lost.
          () => this.options.logger.info({ waMessageId: parsed.wa_message_id }, 'inbound message stored'),
          (error: unknown) =>
            this.options.logger.warn({ err: messageOf(error), waMessageId: parsed.wa_message_id }, 'inbound message not stored'),
        )
    })
  }

  private async withMedia(message: InboundMessageInput, download: () => Promise<Buffer>): Promise<InboundMessageInput> {
    if (!message.media) return message
    const timeoutMs = this.options.mediaTimeoutMs ?? INBOUND_MEDIA_TIMEOUT_MS
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const data = await Promise.race([
        download(),
        new Promise<never>(
          (_, reject) => (timer = setTimeout(() => reject(new Error(`no media within ${timeoutMs / 1000} s`)), timeoutMs)),
        ),
      ])
      if (data.length > this.options.maxMediaBytes)
        throw new Error(`the file is larger than ${this.options.maxMediaBytes / 1024 / 1024} MB`)
      await this.options.upload(message.wa_message_id, data, message.media.mimetype)
      return { ...message, media: { ...message.media, size: data.length, stored: true, error: null } }
    } catch (error) {
      this.options.logger.warn({ err: messageOf(error), waMessageId: message.wa_message_id }, 'inbound media not stored')
      return { ...message, media: { ...message.media, stored: false, error: messageOf(error).slice(0, 300) } }
    } finally {
      clearTimeout(timer)
    }
  }
}
