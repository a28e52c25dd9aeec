// One device's WhatsApp session on Baileys: owns the live socket, replaces it when WhatsApp
// closes it (as disconnect.ts decides) and reports QR codes and status to the session layer.
import { metrics } from '../../ops/metrics'
import type { BaileysEventMap, ConnectionState, MessageUserReceiptUpdate, WAMessageUpdate } from '@whiskeysockets/baileys'
import { InboundReader } from './inbound'
import { participatingGroups } from './groups'
import { registeredNumbers } from './numbers'
import type { GroupInfo } from '../../../protocol/frames'
import type { Logger } from 'pino'
import { SendError } from '../engine'
import type { Engine, EngineContext, EngineEvents, OutgoingMessage, RegisteredNumber } from '../engine'
import { loadAuthState, type StoredAuthState } from './auth-state'
import { equalJitterDelay } from '../../backoff'
import { forgetUnfinishedPairing, isLinked, phoneNumberOf } from './creds'
import { planDisconnect, qrSeriesEnded, statusCodeOf, type DisconnectPlan } from './disconnect'
import { BaileysEngineError } from './errors'
import type { ResolvedOptions } from './options'
import { ReceiptTracker } from './receipts'
import { Sender } from './send'
import { buildSocketConfig, type BaileysSocket } from './socket'
import { Waiters } from './waiters'

/** Baileys' QR lifetimes when `qrTimeout` is unset (as here): the first code lives longer. */
export const FIRST_QR_TTL_MS = 60_000
export const NEXT_QR_TTL_MS = 20_000

const PHONE_DIGITS = /^\d{6,15}$/

export class BaileysEngine implements Engine {
  private readonly log: Logger
  private readonly baileysLog: Logger
  /** Bumped by every start and halt, so async work of an older run cannot touch a newer one. */
  private run = 0
  private running = false
  private loading: Promise<void> | undefined
  private clearing: Promise<void> = Promise.resolve()
  private auth: StoredAuthState | undefined
  private socket: BaileysSocket | undefined
  private detach: (() => void) | undefined
  private socketOpen = false
  private qrShown = 0
  /** WhatsApp answered this engine at least once (an open connection or a QR). */
  private everOpen = false
  /** Transient failures in a row; reset once WhatsApp answers (a QR or an open connection). */
  private failures = 0
  private cancelReconnect: (() => void) | undefined
  private readonly qrReady: Waiters<BaileysSocket>
  private readonly sender: Sender
  /** Outlives sockets: a receipt after a reconnect still finds what was already reported. */
  private readonly receipts: ReceiptTracker
  private readonly inbound: InboundReader

  constructor(
    private readonly context: EngineContext,
    private readonly options: ResolvedOptions,
  ) {
    this.log = context.logger.child({ engine: 'baileys' })
    this.baileysLog = context.logger.child({ module: 'baileys' }, { level: options.baileysLogLevel })
    this.qrReady = new Waiters(options.schedule)
    this.sender = new Sender(this.log, this.baileysLog)
    this.receipts = new ReceiptTracker((receipt) => this.tell('receipt', receipt))
    this.inbound = new InboundReader((event) => this.tell('inbound', event), this.log, options.downloadMedia)
  }

  async start(): Promise<void> {
    if (this.running) return this.loading
    this.running = true
    const run = ++this.run
    this.loading = this.load(run)
    return this.loading
  }

  async stop(): Promise<void> {
    const auth = this.auth
    const socket = this.halt()
    if (socket) await this.end(socket)
    // Whoever resumes this device next must find the latest creds.
    await auth?.settled()
  }

  async logout(): Promise<void> {
    const auth = this.auth
    const wasOpen = this.socketOpen
    const socket = this.halt()
    if (socket && wasOpen) {
      // Makes the phone drop this companion from its "Linked devices" list.
      await socket.logout().catch((error: unknown) => this.log.warn({ err: error }, 'WhatsApp logout failed'))
    }
    if (socket) await this.end(socket)
    await this.clearAuth(auth)
    this.tell('status', { status: 'error', reason: 'logged_out', detail: 'logged_out' })
  }

  async requestPairingCode(phoneDigits: string): Promise<string> {
    if (!PHONE_DIGITS.test(phoneDigits)) {
      throw new BaileysEngineError('invalid_phone_number', 'digits only, with the country code')
    }
    await this.loading?.catch(() => undefined)
    if (!this.running || !this.auth) throw new BaileysEngineError('not_running', 'the session is not running')
    if (isLinked(this.auth.state.creds)) throw new BaileysEngineError('already_linked', 'the device is linked')
    // The request needs the WebSocket up; a QR on the current socket proves it (Baileys' example).
    const socket =
      this.socket && this.qrShown > 0
        ? this.socket
        : await this.qrReady.wait(
            this.options.pairingReadyTimeoutMs,
            () => new BaileysEngineError('not_ready', 'WhatsApp did not answer in time'),
          )
    return socket.requestPairingCode(phoneDigits)
  }

  async send(message: OutgoingMessage): Promise<{ waMessageId: string }> {
    return this.sender.send(this.openSocket(), message)
  }

  async checkNumbers(phoneDigits: string[]): Promise<RegisteredNumber[]> {
    return registeredNumbers(this.openSocket(), phoneDigits)
  }

  async groups(): Promise<GroupInfo[]> {
    return participatingGroups(this.openSocket())
  }

  async markRead(message: { chatId: string; waMessageId: string; participant?: string }): Promise<void> {
    const key = {
      remoteJid: message.chatId,
      id: message.waMessageId,
      fromMe: false,
      ...(message.participant && { participant: message.participant }),
    }
    await this.openSocket().readMessages([key])
  }

  /** The socket, for what needs WhatsApp connected now. */
  private openSocket(): BaileysSocket {
    if (!this.socket || !this.socketOpen) throw new SendError('not_ready', 'the device is not connected to WhatsApp')
    return this.socket
  }

  private async load(run: number): Promise<void> {
    await this.clearing
    try {
      const auth = await loadAuthState(this.context.store, this.baileysLog)
      if (run !== this.run) return // stopped (or restarted) meanwhile
      this.auth = auth
      this.connect(auth)
    } catch (error) {
      if (run === this.run) this.halt()
      throw error
    }
  }

  private connect(auth: StoredAuthState): void {
    forgetUnfinishedPairing(auth.state.creds)
    const socket = this.options.socketFactory(buildSocketConfig(auth.state, this.baileysLog))
    const onConnection = (update: Partial<ConnectionState>) => this.onConnectionUpdate(socket, update)
    const onCreds = () => {
      auth.saveCreds().catch((error: unknown) => this.log.error({ err: error }, 'saving creds failed'))
    }
    const onMessages = (updates: WAMessageUpdate[]) => this.receipts.onMessagesUpdate(updates)
    const onReceipts = (updates: MessageUserReceiptUpdate[]) => this.receipts.onReceiptUpdate(updates)
    const onUpsert = (upsert: BaileysEventMap['messages.upsert']) => this.inbound.onUpsert(socket, upsert)
    socket.ev.on('connection.update', onConnection)
    socket.ev.on('messages.upsert', onUpsert)
    socket.ev.on('creds.update', onCreds)
    socket.ev.on('messages.update', onMessages)
    socket.ev.on('message-receipt.update', onReceipts)
    this.detach = () => {
      socket.ev.off('connection.update', onConnection)
      socket.ev.off('creds.update', onCreds)
      socket.ev.off('messages.update', onMessages)
      socket.ev.off('message-receipt.update', onReceipts)
      socket.ev.off('messages.upsert', onUpsert)
    }
    this.socket = socket
    this.socketOpen = false
    this.qrShown = 0
  }

  private onConnectionUpdate(socket: BaileysSocket, update: Partial<ConnectionState>): void {
    if (socket !== this.socket) return
    if (update.qr) this.onQr(socket, update.qr)
    if (update.connection === 'open') this.onOpen(socket)
    if (update.connection === 'close') this.onClose(statusCodeOf(update.lastDisconnect?.error))
  }

  private onQr(socket: BaileysSocket, qr: string): void {
    const ttlMs = this.qrShown === 0 ? FIRST_QR_TTL_MS : NEXT_QR_TTL_MS
    this.qrShown += 1
    this.everOpen = true
    this.failures = 0
    try {
      this.context.events.qr(qr, ttlMs)
    } catch (error) {
      this.log.error({ err: error }, 'qr listener failed')
    }
    this.qrReady.resolveAll(socket)
  }

  private onOpen(socket: BaileysSocket): void {
    this.socketOpen = true
    this.everOpen = true
    this.failures = 0
    // Not `sock.user`: it is a snapshot taken when the socket was built.
    const phoneNumber = phoneNumberOf(socket.authState.creds)
    if (!phoneNumber) this.log.error('connection open but creds hold no phone number')
    this.tell('status', { status: 'authenticated', phoneNumber: phoneNumber ?? '' })
  }

  /** Only unplanned closes get here: stop() and logout() detach from the socket first. */
  private onClose(statusCode: number | undefined): void {
    this.detach?.()
    this.detach = undefined
    this.socket = undefined
    this.socketOpen = false
    const plan = qrSeriesEnded(planDisconnect(statusCode), this.qrShown)
    this.log.info({ statusCode, cause: plan.cause }, 'WhatsApp connection closed')
    // Never reached WhatsApp in this outage: say it plainly once (npm run dev points to the simulator).
    const unreachable = plan.report?.status === 'disconnected' && plan.report.reason === 'cannot_reach_whatsapp'
    if (unreachable && this.failures === 0 && !this.everOpen) {
      this.log.warn({ cause: plan.cause }, 'cannot reach WhatsApp from this machine')
    }
    if (plan.reconnect === 'never') {
      this.clearing = this.giveUp(plan)
      return
    }
    // One `disconnected` per outage, not one per failed retry.
    const retrying = plan.reconnect === 'backoff' && this.failures > 0
    if (plan.report && !retrying) this.tell('status', plan.report)
    if (plan.reconnect === 'now') this.reconnect()
    else this.scheduleReconnect()
  }

  private async giveUp(plan: DisconnectPlan): Promise<void> {
    const auth = this.auth
    this.halt()
    if (plan.clearAuth) {
      await this.clearAuth(auth).catch((error: unknown) => this.log.error({ err: error }, 'clearing auth failed'))
    }
    if (plan.report) this.tell('status', plan.report)
  }

  private scheduleReconnect(): void {
    const delayMs = equalJitterDelay(this.failures, this.options.backoff, this.options.random)
    this.failures += 1
    this.cancelReconnect = this.options.schedule(() => {
      this.cancelReconnect = undefined
      this.reconnect()
    }, delayMs)
  }

  private reconnect(): void {
    if (!this.running || !this.auth) return
    metrics.reconnects.inc({ link: 'whatsapp' })
    try {
      this.connect(this.auth)
    } catch (error) {
      this.log.error({ err: error }, 'creating the WhatsApp socket failed')
      this.scheduleReconnect()
    }
  }

  /** Ends the current run without touching WhatsApp; returns the socket it let go of. */
  private halt(): BaileysSocket | undefined {
    const socket = this.socket
    this.run += 1
    this.running = false
    this.loading = undefined
    this.cancelReconnect?.()
    this.cancelReconnect = undefined
    this.detach?.()
    this.detach = undefined
    this.socket = undefined
    this.socketOpen = false
    this.auth = undefined
    this.qrReady.rejectAll(new BaileysEngineError('not_running', 'the session stopped'))
    return socket
  }

  private async end(socket: BaileysSocket): Promise<void> {
    await socket.end(undefined).catch((error: unknown) => this.log.debug({ err: error }, 'socket end failed'))
  }

  private async clearAuth(auth: StoredAuthState | undefined): Promise<void> {
    // A creds write still in flight must not land after the clear and resurrect the session.
    await auth?.settled()
    await this.context.store.clear()
  }

  /** Tells the session layer. Listeners run inside Baileys' event emitter, where a throw would break the socket. */
  private tell<K extends 'receipt' | 'inbound' | 'status'>(event: K, arg: Parameters<EngineEvents[K]>[0]): void {
    try {
      ;(this.context.events[event] as (value: typeof arg) => void)(arg)
    } catch (error) {
      this.log.error({ err: error }, `${event} listener failed`)
    }
  }
}
