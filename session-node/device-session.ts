// One device this node was assigned: the wiring between its session socket to DeviceDO, its
// auth store, its receipts and its engine. The socket may drop and come back while the engine
// keeps running; the session ends for good only when the device is released, fenced (4009 /
// HTTP 409), deleted (4004) or the node stops, and in every one of those cases the engine is
// stopped WITHOUT logging out, so whichever node runs the device next resumes it without a new
// QR scan. Whether WhatsApp runs is EngineRunner's one decision; the partition lease is Lease's.
//
// Sends (`send` commands) run through messaging.ts; the engine's receipts go to DeviceDO a few
// milliseconds' worth per frame (receipt-relay.ts) through an AckQueue like auth writes:
// acknowledged, kept while the socket is down and resent in order after a reconnect.
import type { SessionHealth } from './ops/metrics'
import { ReceiptRelay } from './receipt-relay'
import type { Logger } from 'pino'
import { CloseCode } from '../protocol/close-codes'
import { DeviceToNode, PROTOCOL_VERSION, type NodeToDevice } from '../protocol/frames'
import { RemoteAuthStore } from './auth/remote-auth-store'
import type { Sealer } from './auth/sealing'
import type { BackoffPolicy } from './backoff'
import type { Engine, EngineFactory } from './engines/engine'
import type { MediaSource } from './media/media-budget'
import { runSend } from './messaging'
import { EngineRunner } from './engine-runner'
import { Lease } from './lease'
import { SessionReporter } from './session-reporter'
import { CommandError } from './transport/errors'
import type { CommandOf, EventOf, FrameSocket, SocketEnd, SocketTiming } from './transport/frame-socket'
import type { Semaphore } from './semaphore'
import { ReconnectingSocket, type EndDecision } from './transport/reconnecting-socket'
import { InboundRelay } from './inbound-relay'
import { answerQuery } from './engine-queries'
import { finalReason } from './final-reason'
import { inboundUploader } from './media/upload-inbound'
import { MEDIA_FETCH_DEFAULTS } from './media/fetch-media'

type DeviceSocket = FrameSocket<DeviceToNode, NodeToDevice>

export interface DeviceSessionOptions {
  deviceId: number
  epoch: number
  workerWsUrl: string
  token: string
  engineFactory: EngineFactory
  sealer: Sealer
  logger: Logger
  timing: SocketTiming
  backoff: BackoffPolicy
  /** The node's budget of device sockets in their opening handshake (transport/reconnecting-socket.ts). */
  openings: Semaphore
  /** How long a planned stop waits for auth writes still unacknowledged. */
  drainMs: number
  printQr: boolean
  lease: {
    /** Silence on both sockets for this long stops the engine until DeviceDO welcomes us again. */
    ms: number
    /** When FleetDO was last heard on the node's control socket. */
    controlHeardAt(): number
  }
  /** Downloads a send's media_url (SSRF-guarded, capped, within the node's media budget); refusals are SendErrors. */
  media: MediaSource
  /** The session is over; its owner forgets it. */
  onEnded(session: DeviceSession): void
}

export class DeviceSession {
  readonly deviceId: number
  readonly epoch: number
  private readonly logger: Logger
  private readonly link: ReconnectingSocket<DeviceToNode, NodeToDevice>
  private readonly store: RemoteAuthStore
  private readonly reporter: SessionReporter
  private readonly receipts: ReceiptRelay
  private readonly inbound: InboundRelay
  private readonly runner: EngineRunner
  private readonly lease: Lease
  /** The socket DeviceDO has welcomed; frames are only sent there. */
  private welcomed: DeviceSocket | null = null
  private ending: Promise<void> | null = null

  constructor(private readonly options: DeviceSessionOptions) {
    const { deviceId, epoch } = options
    this.deviceId = deviceId
    this.epoch = epoch
    this.logger = options.logger.child({ deviceId, epoch })
    this.store = new RemoteAuthStore(deviceId, options.sealer, this.logger, options.timing.requestTimeoutMs)
    this.receipts = new ReceiptRelay({ name: 'receipts', logger: this.logger, timeoutMs: options.timing.requestTimeoutMs })
    this.inbound = new InboundRelay({
      logger: this.logger,
      requestTimeoutMs: options.timing.requestTimeoutMs,
      upload: inboundUploader({ workerWsUrl: options.workerWsUrl, token: options.token, deviceId }),
      maxMediaBytes: MEDIA_FETCH_DEFAULTS.maxDocumentBytes,
    })
    this.reporter = new SessionReporter({
      deviceId,
      logger: this.logger,
      printQr: options.printQr,
      send: (frame) => this.welcomed?.send(frame) ?? false,
    })
    this.link = new ReconnectingSocket<DeviceToNode, NodeToDevice>({
      url: `${options.workerWsUrl}/api/nodes/devices/${deviceId}/connect?epoch=${epoch}`,
      token: options.token,
      schema: DeviceToNode,
      logger: this.logger,
      timing: options.timing,
      backoff: options.backoff,
      openings: options.openings,
      onOpen: (socket) => socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, device_id: deviceId, epoch }),
      onEvent: (frame, socket) => this.onEvent(frame, socket),
      onCommand: (frame) => this.onCommand(frame),
      onEnd: (end) => this.onEnd(end),
    })
    this.runner = new EngineRunner({
      logger: this.logger,
      build: (isCurrent) => this.build(isCurrent),
      onStartFailed: (detail) => this.reporter.status({ status: 'error', reason: 'session_error', detail }),
      onStopped: () => this.reporter.forget(),
    })
    this.lease = new Lease({
      ms: options.lease.ms,
      logger: this.logger,
      heardAt: () => ({ device: this.link.lastHeardAt, control: options.lease.controlHeardAt() }),
      onLapse: () => {
        void this.runner.hold('lease_lapsed')
        // A socket that still looks open has been silent for the whole lease: cut it, so the engine
        // only starts again after a fresh `welcome` (which DeviceDO refuses if the device moved).
        this.link.current?.terminate()
      },
    })
  }

  start(): void {
    this.link.start()
    this.lease.arm()
  }

  /** A planned stop (released, replaced, node shutdown): no logout, last auth writes flushed, socket closed 1000. */
  stop(reason: string): Promise<void> {
    return this.end(reason, true)
  }

  // ── frames from DeviceDO ──────────────────────────────────────────────────────────────────

  private onEvent(frame: EventOf<DeviceToNode>, socket: DeviceSocket): void {
    switch (frame.type) {
      case 'welcome':
        if (frame.device_id !== this.deviceId || frame.epoch !== this.epoch || frame.protocol !== PROTOCOL_VERSION) {
          this.logger.error({ welcome: frame }, 'welcome does not match this session; reconnecting')
          void socket.close(1002, 'welcome mismatch')
          return
        }
        this.welcomed = socket
        this.link.resetBackoff()
        this.store.attach(socket)
        this.receipts.attach(socket, frame.receipt_batches === true)
        this.inbound.attach(socket)
        this.lease.renew()
        if (frame.active) this.reporter.replay()
        void this.runner.change(
          frame.active
            ? { release: ['awaiting_welcome', 'lease_lapsed', 'paused'] }
            : { release: ['awaiting_welcome', 'lease_lapsed'], hold: ['paused'] },
        )
        return
      case 'release':
        void this.end(`released: ${frame.reason}`, false)
        return
      case 'error':
        // One naming a command of ours already failed that command (FrameSocket).
        this.logger.warn({ code: frame.code, message: frame.message, id: frame.id }, 'DeviceDO reported an error')
        return
    }
  }

  private async onCommand(frame: CommandOf<DeviceToNode>): Promise<unknown> {
    switch (frame.type) {
      case 'pairing_code':
        return { pairing_code: await this.engineNow().requestPairingCode(frame.phone_number) }
      case 'pause':
        await this.runner.hold('paused')
        return undefined
      case 'resume':
        // Answered once the engine is starting: connecting can outlast DeviceDO's patience, and
        // how it goes is reported by status frames anyway.
        void this.runner.release('paused')
        return undefined
      case 'logout':
        // The device is being deleted: its credentials go even if WhatsApp could not be told.
        await this.runner.logout(() => this.store.clear())
        return undefined
      case 'groups':
      case 'check_numbers':
      case 'mark_read':
      case 'simulate':
        return answerQuery(frame, this.engineNow())
      case 'send':
        return runSend(frame, () => this.runner.current, this.options.media).then(
          (sent) => {
            // One line per message handed to WhatsApp: the audit trail that no message went twice.
            this.logger.info({ messageId: frame.message_id, waMessageId: sent.wa_message_id }, 'message sent')
            return sent
          },
          (error: unknown) => {
            this.logger.warn({ messageId: frame.message_id, code: (error as { code?: string }).code }, 'message not sent')
            throw error
          },
        )
    }
  }

  /** The running engine, for a command that needs one. */
  private engineNow(): Engine {
    const engine = this.runner.current
    if (!engine) throw new CommandError('device_not_ready', 'the session is paused or not running')
    return engine
  }

  private onEnd(end: SocketEnd): EndDecision {
    this.welcomed = null
    this.store.detach()
    this.receipts.detach()
    this.inbound.detach()
    const reason = finalReason(end)
    if (reason === null) return 'reconnect' // the engine keeps running; auth writes wait
    if (end.kind === 'closed' && end.code === CloseCode.unsupportedProtocol) this.logger.error({ end }, reason)
    void this.end(reason, false)
    return 'stop'
  }

  // ── the engine ────────────────────────────────────────────────────────────────────────────

  private build(isCurrent: () => boolean): Engine {
    return this.options.engineFactory({
      deviceId: this.deviceId,
      store: this.store,
      logger: this.logger,
      fetchMedia: (url) => this.options.media(url, async (file) => file),
      events: {
        qr: (code, ttlMs) => {
          if (isCurrent()) this.reporter.qr(code, ttlMs)
        },
        status: (update) => {
          if (isCurrent()) this.reporter.status(update)
        },
        // Not filtered: a receipt is a fact about a sent message whichever engine saw it; so is a received message.
        receipt: (receipt) => this.receipts.accept(receipt),
        inbound: (event) => this.inbound.accept(event),
      },
    })
  }

  get health(): SessionHealth {
    const queued = { auth: this.store.pendingCount, receipts: this.receipts.pendingCount, inbound: this.inbound.pendingCount }
    return { status: this.reporter.currentStatus, queued }
  }

  // ── the end ───────────────────────────────────────────────────────────────────────────────

  private end(reason: string, planned: boolean): Promise<void> {
    this.ending ??= (async () => {
      this.lease.end()
      this.logger.info({ reason }, 'session ending; the engine stops without logging out')
      if (!planned && !this.welcomed?.isOpen) {
        // Fenced, deleted or refused: no socket will ever acknowledge anything again. Failing
        // what waits now keeps an engine stop that waits for its last writes (Baileys does, and
        // a stop after the lease ran out may be waiting already) from hanging the end forever.
        this.store.close(reason)
        this.receipts.close(reason)
        this.inbound.close(reason)
      }
      await this.runner.hold('ending')
      // Engines flush their last writes on stop; on a planned stop they get a moment to land.
      if (planned && this.welcomed?.isOpen) {
        const ms = this.options.drainMs
        const [auth, receipts, inbound] = await Promise.all([this.store.drain(ms), this.receipts.drain(ms), this.inbound.drain(ms)])
        if (!auth) this.logger.warn('some auth writes were not acknowledged before the session closed')
        if (!receipts || !inbound) {
          const lost = { receipts: this.receipts.pendingCount, inbound: this.inbound.pendingCount }
          this.logger.warn(lost, 'some receipts or inbound messages were not acknowledged before the session closed')
        }
      }
      this.store.close(reason)
      this.receipts.close(reason)
      this.inbound.close(reason)
      await this.link.close(CloseCode.normal, reason)
      this.options.onEnded(this)
    })()
    return this.ending
  }
}
