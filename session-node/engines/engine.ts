// What a WhatsApp engine is to the session node: something that links one device, keeps its
// socket up and reports what happens. `baileys` talks to real WhatsApp; `simulator` is the
// documented sandbox. Both keep their credentials only in the AuthStore (backed by DeviceDO).
import type { Logger } from 'pino'
import type { GroupInfo, MessageFailureCode } from '../../protocol/frames'
import type { InboundMessageInput, SimulateInbound } from '../../protocol/inbound'
import type { NodeStatusReason } from '../../protocol/status-reasons'

export type { EngineName } from '../../protocol/frames'

/**
 * Key-value auth state of one device. Names and values are plain strings to the engine; the
 * session layer encrypts values and hashes names before they leave the node. A `null` value in
 * `set` deletes the entry. Resolves only once the worker has stored the write.
 */
export interface AuthStore {
  get(names: string[]): Promise<Record<string, string | null>>
  set(entries: Record<string, string | null>): Promise<void>
  clear(): Promise<void>
}

export type EngineStatus =
  | { status: 'pending' }
  | { status: 'authenticated'; phoneNumber: string }
  /** Lost the connection for a transient reason; the engine reconnects on its own. `detail` says what exactly. */
  | { status: 'disconnected'; reason: NodeStatusReason; detail?: string }
  /** Unlinked (logged out from the phone) or replaced: no reconnect without a new link. */
  | { status: 'error'; reason: NodeStatusReason; detail?: string }

export interface EngineEvents {
  /** A new QR code to scan (the raw string WhatsApp encodes) and how long it lives. */
  qr(code: string, ttlMs: number): void
  status(update: EngineStatus): void
  /** What became of a sent message, matched by the id `send` returned. */
  receipt(update: Receipt): void
  /** The phone received something (a message, a reaction, an edit, a deletion). */
  inbound(event: InboundEvent): void
}

export interface InboundEvent {
  /** Normalised by the engine; with media, `media.stored` is false until the session stored it. */
  message: InboundMessageInput
  /** Fetches the media's bytes, for a message with media. */
  download?: () => Promise<Buffer>
}

export interface Receipt {
  waMessageId: string
  status: 'delivered' | 'read' | 'failed'
  at: number
  error?: string
}

/** Media already fetched (and checked) by the session node: engines never fetch URLs themselves. */
export interface MediaPayload {
  kind: 'image' | 'video' | 'audio' | 'document'
  data: Buffer
  mimetype: string
  fileName?: string
}

export interface OutgoingMessage {
  /** Our message id; engines use it as the WhatsApp message id where they can. */
  messageId: string
  /** `<digits>@s.whatsapp.net` or `<id>@g.us`. */
  chatId: string
  text?: string
  /** With `text` as its caption. */
  media?: MediaPayload
  /** A reply: the message it quotes. */
  quoted?: { waMessageId: string; fromMe: boolean; participant?: string; text?: string }
}

/** The wire's failure codes (protocol/frames.ts says what each means): an engine fails with those only. */
export type SendFailureCode = MessageFailureCode

/**
 * How an engine fails a send: every code but `outcome_unknown` means WhatsApp certainly did not
 * get the message; `outcome_unknown` means it may have.
 */
export class SendError extends Error {
  constructor(
    readonly code: SendFailureCode,
    message: string,
  ) {
    super(message)
    this.name = 'SendError'
  }
}

export interface EngineContext {
  deviceId: number
  store: AuthStore
  events: EngineEvents
  logger: Logger
  /** The node's media fetcher (SSRF-guarded, capped): the simulator's contacts send files with it. */
  fetchMedia?: (url: string) => Promise<MediaPayload>
}

export interface Engine {
  /** Connects (with stored credentials when there are some, else by showing QR codes). */
  start(): Promise<void>
  /** Closes the session without unlinking it, so another node can resume it. Idempotent. */
  stop(): Promise<void>
  /** Unlinks the device from WhatsApp, clears its auth state and stops. */
  logout(): Promise<void>
  /** A phone-number linking code (8 characters) for a device not linked yet. Digits only, with country code. */
  requestPairingCode(phoneDigits: string): Promise<string>
  /**
   * Sends one message. Resolves once WhatsApp took it (with the id receipts will carry);
   * rejects with a SendError: `outcome_unknown` when the message was handed to WhatsApp and may
   * have gone out, any other code when it certainly was not sent.
   */
  send(message: OutgoingMessage): Promise<{ waMessageId: string }>
  /**
   * Which of these numbers (digits, with country code) have a WhatsApp account, with the JID to
   * write to (it can differ from the digits dialled: Brazil's extra 9). Numbers without are left out.
   */
  checkNumbers(phoneDigits: string[]): Promise<RegisteredNumber[]>
  /** The groups the linked account is in. */
  groups(): Promise<GroupInfo[]>
  /** Marks a received message read on WhatsApp (its sender sees blue ticks). */
  markRead(message: { chatId: string; waMessageId: string; participant?: string }): Promise<void>
  /** The sandbox only: a simulated contact writes, reacts, edits or deletes. Engines without it are not simulators. */
  simulate?(action: SimulateInbound): Promise<{ waMessageId: string }>
}

export interface RegisteredNumber {
  /** As asked. */
  digits: string
  jid: string
}

export type EngineFactory = (context: EngineContext) => Engine
