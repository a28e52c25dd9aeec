// A scripted stand-in for a Baileys socket: tests play WhatsApp's part (QR, pairing, open,
// close with a status code) and watch what the engine does. It copies the Baileys behaviour the
// engine depends on: synchronous events, creds merged into `authState.creds` by Baileys' own
// `creds.update` listener before anyone else sees it, `end()` emitting a close once,
// `logout()` throwing 'Connection Closed' (428) on a closed socket, `onWhatsApp` leaving
// unregistered numbers out of its answer, receipts shaped like `handleReceipt` emits them, and
// media sends in sendMessage's two steps: `waUploadToServer` (fails with 'Connection Closed'
// on a closed socket, as its media-conn query would) then `relayMessage`.
import { stat } from 'node:fs/promises'
import {
  proto,
  type AnyMessageContent,
  type AuthenticationCreds,
  type GroupMetadata,
  type MessageRelayOptions,
  type MessageUpsertType,
  type MiscMessageGenerationOptions,
  type UserFacingSocketConfig,
  type WAMediaUploadFunction,
  type WAMessage,
} from '@whiskeysockets/baileys'
import type { Schedule } from '../../../session-node/engines/baileys/options'
import type { BaileysSocket, SocketFactory } from '../../../session-node/engines/baileys/socket'
import { FakeEventEmitter } from './fake-event-emitter'

/** Shaped like the Boom errors Baileys closes with. */
export const boom = (message: string, statusCode: number) => Object.assign(new Error(message), { isBoom: true, output: { statusCode } })

export class FakeSocket implements BaileysSocket {
  readonly ev = new FakeEventEmitter()
  readonly authState: { creds: AuthenticationCreds }
  /** Like Baileys' `sock.user`: a snapshot from when the socket was built. */
  readonly user: AuthenticationCreds['me']
  readonly pairingRequests: string[] = []
  readonly endCalls: (Error | undefined)[] = []
  logoutCalls = 0
  /** Every sendMessage call, in order. */
  readonly sent: { jid: string; content: AnyMessageContent; options?: MiscMessageGenerationOptions }[] = []
  readonly onWhatsAppCalls: string[][] = []
  /** Digits WhatsApp knows → the JID it answers with. */
  readonly registered = new Map<string, string>()
  /** The next sendMessage calls fail with these, in order. */
  readonly sendFailures: Error[] = []
  /** The next onWhatsApp calls fail with these, in order. */
  readonly onWhatsAppFailures: Error[] = []
  /** Every media upload that reached WhatsApp's media servers, in order. */
  readonly uploads: { mediaType: string; timeoutMs?: number; bytes: number; mediaUrl: string }[] = []
  /** The next uploads fail with these, in order. */
  readonly uploadFailures: Error[] = []
  /** Every relayMessage call, in order. */
  readonly relayed: { jid: string; message: proto.IMessage; options: MessageRelayOptions }[] = []
  /** The next relayMessage calls fail with these, in order. */
  readonly relayFailures: Error[] = []
  /** Messages upserted as own events (sendMessage's `emitOwnEvents` step). */
  readonly upserted: { message: WAMessage; type: MessageUpsertType }[] = []
  /** LID → phone JID, as the session's LID mapping knows it (Baileys answers with a `:0` device part). */
  readonly lids = new Map<string, string>()
  readonly signalRepository = { lidMapping: { getPNForLID: async (lid: string) => this.lids.get(lid) ?? null } }
  /** The groups the account is in, as groupFetchAllParticipating answers. */
  readonly groups: Record<string, GroupMetadata> = {}
  /** Media re-upload requests sent to the phone. */
  readonly reuploads: WAMessage[] = []
  private closed = false

  constructor(readonly config: UserFacingSocketConfig) {
    this.authState = { creds: config.auth.creds }
    this.user = config.auth.creds.me
    this.ev.on('creds.update', (update) => Object.assign(this.authState.creds, update))
  }

  showQr(code: string): void {
    this.ev.emit('connection.update', { qr: code })
  }

  /** What a QR scan does: pair-success brings the account and `me`, then WhatsApp asks for 515. */
  pair(phoneDigits: string): void {
    this.updateCreds({
      me: { id: `${phoneDigits}:7@s.whatsapp.net`, name: 'Shop', lid: '123456789:7@lid' },
      account: {
        details: new Uint8Array([1, 2, 3]),
        accountSignatureKey: new Uint8Array([4, 5]),
        accountSignature: new Uint8Array([6]),
        deviceSignature: new Uint8Array([7]),
      },
      platform: 'android',
    })
    this.close(515)
  }

  open(): void {
    this.ev.emit('connection.update', { connection: 'open' })
  }

  updateCreds(update: Partial<AuthenticationCreds>): void {
    this.ev.emit('creds.update', update)
  }

  /** WhatsApp (or the network) closes the socket. */
  close(statusCode?: number): void {
    void this.end(statusCode === undefined ? undefined : boom('Connection Failure', statusCode))
  }

  /** The WebSocket died and the close event has not come through yet. */
  dropSilently(): void {
    this.closed = true
  }

  register(digits: string, jid = `${digits}@s.whatsapp.net`): void {
    this.registered.set(digits, jid)
  }

  /** A 1:1 receipt (`messages.update`), from a remoteJid that may well be an @lid. */
  receipt(id: string, status: proto.WebMessageInfo.Status, options: { remoteJid?: string; fromMe?: boolean; t?: number } = {}): void {
    this.ev.emit('messages.update', [
      {
        key: { remoteJid: options.remoteJid ?? '123456789012345@lid', id, fromMe: options.fromMe ?? true },
        update: { status, messageTimestamp: options.t ?? 1_700_000_000 },
      },
    ])
  }

  /** A NACK: status ERROR with WhatsApp's code. */
  nack(id: string, code: string): void {
    this.ev.emit('messages.update', [
      {
        key: { remoteJid: '15550001111@s.whatsapp.net', id, fromMe: true },
        update: { status: proto.WebMessageInfo.Status.ERROR, messageStubParameters: [code] },
      },
    ])
  }

  /** One group participant's receipt (`message-receipt.update`). */
  groupReceipt(id: string, participant: string, kind: 'delivered' | 'read', t = 1_700_000_000): void {
    this.ev.emit('message-receipt.update', [
      {
        key: { remoteJid: '120363000000000001@g.us', id, fromMe: true, participant },
        receipt: { userJid: participant, ...(kind === 'delivered' ? { receiptTimestamp: t } : { readTimestamp: t }) },
      },
    ])
  }

  async sendMessage(jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions): Promise<WAMessage | undefined> {
    if (this.closed) throw boom('Connection Closed', 428)
    const failure = this.sendFailures.shift()
    if (failure) throw failure
    this.sent.push({ jid, content, ...(options && { options }) })
    return {
      key: { remoteJid: jid, fromMe: true, id: options?.messageId ?? '3EB0RANDOM' },
      status: proto.WebMessageInfo.Status.PENDING,
    } as WAMessage
  }

  /** Like Baileys': reads the encrypted file it is given and answers where the media now lives. */
  readonly waUploadToServer: WAMediaUploadFunction = async (encFilePath, opts) => {
    if (this.closed) throw boom('Connection Closed', 428)
    const failure = this.uploadFailures.shift()
    if (failure) throw failure
    const { size } = await stat(encFilePath)
    const path = `/v/t62.7118-24/fake-${this.uploads.length + 1}.enc`
    const mediaUrl = `https://mmg.whatsapp.net${path}`
    this.uploads.push({
      mediaType: opts.mediaType,
      ...(opts.timeoutMs !== undefined && { timeoutMs: opts.timeoutMs }),
      bytes: size,
      mediaUrl,
    })
    return { mediaUrl, directPath: path }
  }

  async relayMessage(jid: string, message: proto.IMessage, options: MessageRelayOptions): Promise<string> {
    if (this.closed) throw boom('Connection Closed', 428)
    const failure = this.relayFailures.shift()
    if (failure) throw failure
    this.relayed.push({ jid, message, options })
    return options.messageId ?? '3EB0RANDOM'
  }

  readonly messageMutex = { mutex: async <T>(code: () => Promise<T> | T): Promise<T> => code() }

  async upsertMessage(message: WAMessage, type: MessageUpsertType): Promise<void> {
    this.upserted.push({ message, type })
    this.ev.emit('messages.upsert', { messages: [message], type })
  }

  /** Read receipts sent, in order. */
  readonly reads: proto.IMessageKey[] = []

  async readMessages(keys: proto.IMessageKey[]): Promise<void> {
    this.reads.push(...keys)
  }

  async groupFetchAllParticipating(): Promise<Record<string, GroupMetadata>> {
    if (this.closed) throw boom('Connection Closed', 428)
    return this.groups
  }

  async updateMediaMessage(message: WAMessage): Promise<WAMessage> {
    this.reuploads.push(message)
    return message
  }

  /** Something arrives from WhatsApp, as Baileys emits it. */
  receive(messages: WAMessage[], type: MessageUpsertType): void {
    this.ev.emit('messages.upsert', { messages, type })
  }

  async onWhatsApp(...phoneNumbers: string[]): Promise<{ jid: string; exists: boolean }[] | undefined> {
    this.onWhatsAppCalls.push(phoneNumbers)
    const failure = this.onWhatsAppFailures.shift()
    if (failure) throw failure
    return phoneNumbers.flatMap((number) => {
      const jid = this.registered.get(number.replace('+', '').split('@')[0]!)
      return jid ? [{ jid, exists: true }] : []
    })
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    if (this.closed) throw boom('Connection Closed', 428)
    this.pairingRequests.push(phoneNumber)
    this.updateCreds({ pairingCode: 'K7QX2M9P', me: { id: `${phoneNumber}@s.whatsapp.net`, name: '~' } })
    return 'K7QX2M9P'
  }

  async logout(): Promise<void> {
    this.logoutCalls += 1
    if (this.closed) throw boom('Connection Closed', 428)
    void this.end(boom('Intentional Logout', 401))
  }

  async end(error: Error | undefined): Promise<void> {
    this.endCalls.push(error)
    if (this.closed) return
    this.closed = true
    this.ev.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } })
  }
}

/** Stands in for `makeWASocket`, keeping every socket it built. */
export function fakeBaileys() {
  const sockets: FakeSocket[] = []
  const socketFactory: SocketFactory = (config) => {
    const socket = new FakeSocket(config)
    sockets.push(socket)
    return socket
  }
  const last = (): FakeSocket => {
    const socket = sockets.at(-1)
    if (!socket) throw new Error('no socket was created')
    return socket
  }
  return { sockets, socketFactory, last }
}

interface Timer {
  callback: () => void
  ms: number
  cancelled: boolean
}

/** Timers that only fire when the test says so. */
export class ManualClock {
  private timers: Timer[] = []

  readonly schedule: Schedule = (callback, ms) => {
    const timer: Timer = { callback, ms, cancelled: false }
    this.timers.push(timer)
    return () => {
      timer.cancelled = true
    }
  }

  /** Delays of the timers still waiting, in the order they were set. */
  get pending(): number[] {
    return this.timers.filter((t) => !t.cancelled).map((t) => t.ms)
  }

  /** Fires every waiting timer (not the ones they set). */
  fire(): void {
    const due = this.timers.filter((t) => !t.cancelled)
    this.timers = []
    for (const timer of due) timer.callback()
  }
}
