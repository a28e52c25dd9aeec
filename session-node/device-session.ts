// One device this node was assigned: its session socket to DeviceDO, its engine and its auth
// store. The socket may drop and come back while the engine keeps running; the session ends
// for good only when the device is released, fenced (4009 / HTTP 409), deleted (4004) or the
// node stops, and in every one of those cases the engine is stopped WITHOUT logging out, so
// whichever node runs the device next resumes it without a new QR scan.
import type { Logger } from 'pino'
import { CloseCode } from '../protocol/close-codes'
import { DeviceToNode, PROTOCOL_VERSION, type NodeToDevice } from '../protocol/frames'
import { RemoteAuthStore } from './auth/remote-auth-store'
import type { Sealer } from './auth/sealing'
import type { BackoffOptions } from './backoff'
import type { Engine, EngineFactory } from './engines/engine'
import { SessionReporter } from './session-reporter'
import { CommandError } from './transport/errors'
import type { CommandOf, EventOf, FrameSocket, SocketEnd, SocketTiming } from './transport/frame-socket'
import { ReconnectingSocket, type EndDecision } from './transport/reconnecting-socket'

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
  backoff: BackoffOptions
  /** How long a planned stop waits for auth writes still unacknowledged. */
  drainMs: number
  printQr: boolean
  /** The session is over; its owner forgets it. */
  onEnded(session: DeviceSession): void
}

/** Answers and close codes that mean "this device is not yours any more": never reconnect. */
function finalReason(end: SocketEnd): string | null {
  // Any other refusal (a 5xx, a worker mid-deploy) is worth another try; a deleted device is
  // also released by the fleet.
  if (end.kind === 'rejected') return end.status === 409 ? 'fenced: another node or epoch owns this device' : null
  if (end.code === CloseCode.notAssigned) return 'fenced: the device moved to another node'
  if (end.code === CloseCode.deviceGone) return 'the device was deleted'
  if (end.code === CloseCode.unsupportedProtocol) return 'the worker speaks another protocol version'
  return null
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error))

export class DeviceSession {
  readonly deviceId: number
  readonly epoch: number
  private readonly logger: Logger
  private readonly link: ReconnectingSocket<DeviceToNode, NodeToDevice>
  private readonly store: RemoteAuthStore
  private readonly reporter: SessionReporter
  /** The socket DeviceDO has welcomed; frames are only sent there. */
  private welcomed: DeviceSocket | null = null
  private engine: Engine | null = null
  /** Bumped whenever the engine is replaced or stopped, so a stale engine's events are ignored. */
  private generation = 0
  /** Engine starts, stops and logouts run one at a time, in order. */
  private engineWork: Promise<void> = Promise.resolve()
  private paused = false
  private loggedOut = false
  private ending: Promise<void> | null = null

  constructor(private readonly options: DeviceSessionOptions) {
    const { deviceId, epoch } = options
    this.deviceId = deviceId
    this.epoch = epoch
    this.logger = options.logger.child({ deviceId, epoch })
    this.store = new RemoteAuthStore(deviceId, options.sealer, this.logger, options.timing.requestTimeoutMs)
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
      onOpen: (socket) => socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, device_id: deviceId, epoch }),
      onEvent: (frame, socket) => this.onEvent(frame, socket),
      onCommand: (frame) => this.onCommand(frame),
      onEnd: (end) => this.onEnd(end),
    })
  }

  start(): void {
    this.link.start()
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
        this.paused = !frame.active
        if (frame.active) {
          this.reporter.replay()
          void this.engineStep(() => this.startEngine())
        } else {
          void this.engineStep(() => this.stopEngine())
        }
        return
      case 'release':
        void this.end(`released: ${frame.reason}`, false)
        return
      case 'error':
        this.logger.warn({ code: frame.code, message: frame.message }, 'DeviceDO reported an error')
        return
    }
  }

  private async onCommand(frame: CommandOf<DeviceToNode>): Promise<unknown> {
    switch (frame.type) {
      case 'pairing_code': {
        const engine = this.engine
        if (!engine) throw new CommandError('device_not_ready', 'the session is paused or not running')
        return { pairing_code: await engine.requestPairingCode(frame.phone_number) }
      }
      case 'pause':
        this.paused = true
        await this.engineStep(() => this.stopEngine())
        return undefined
      case 'resume':
        // Answered once the engine is starting: connecting can outlast DeviceDO's patience, and
        // how it goes is reported by status frames anyway.
        this.paused = false
        void this.engineStep(() => this.startEngine())
        return undefined
      case 'logout':
        await this.engineStep(() => this.logoutEngine())
        return undefined
    }
  }

  private onEnd(end: SocketEnd): EndDecision {
    this.welcomed = null
    this.store.detach()
    const reason = finalReason(end)
    if (reason === null) return 'reconnect' // the engine keeps running; auth writes wait
    if (end.kind === 'closed' && end.code === CloseCode.unsupportedProtocol) this.logger.error({ end }, reason)
    void this.end(reason, false)
    return 'stop'
  }

  // ── the engine ────────────────────────────────────────────────────────────────────────────

  private engineStep(step: () => Promise<void>): Promise<void> {
    const run = this.engineWork.then(step)
    this.engineWork = run.catch(() => undefined)
    return run
  }

  private build(): Engine {
    const generation = ++this.generation
    const current = () => generation === this.generation
    return this.options.engineFactory({
      deviceId: this.deviceId,
      store: this.store,
      logger: this.logger,
      events: {
        qr: (code, ttlMs) => {
          if (current()) this.reporter.qr(code, ttlMs)
        },
        status: (update) => {
          if (current()) this.reporter.status(update)
        },
      },
    })
  }

  private async startEngine(): Promise<void> {
    if (this.engine || this.paused || this.loggedOut || this.ending) return
    const engine = this.build()
    const generation = this.generation
    this.engine = engine
    try {
      await engine.start()
    } catch (error) {
      if (generation !== this.generation) return // stopped meanwhile; the failure is moot
      this.logger.error({ err: error }, 'the engine failed to start')
      await this.stopEngine()
      this.reporter.status({ status: 'error', reason: `engine failed to start: ${messageOf(error)}` })
    }
  }

  /** Stops without logging out: the link stays valid for whoever runs the device next. */
  private async stopEngine(): Promise<void> {
    const engine = this.engine
    if (!engine) return
    this.engine = null
    this.generation += 1
    this.reporter.forget()
    await engine.stop().catch((error: unknown) => this.logger.warn({ err: error }, 'engine stop failed'))
  }

  private async logoutEngine(): Promise<void> {
    this.loggedOut = true
    // A paused device has no engine running; one is built just to unlink it.
    const engine = this.engine ?? this.build()
    try {
      await engine.logout()
    } catch (error) {
      // The device is being deleted: its credentials go even if WhatsApp could not be told.
      await this.store.clear()
      throw error
    } finally {
      this.engine = null
      this.generation += 1
    }
  }

  // ── the end ───────────────────────────────────────────────────────────────────────────────

  private end(reason: string, planned: boolean): Promise<void> {
    this.ending ??= (async () => {
      this.logger.info({ reason }, 'session ending; the engine stops without logging out')
      await this.engineStep(() => this.stopEngine())
      // Engines flush their last writes on stop; on a planned stop they get a moment to land.
      if (planned && this.welcomed?.isOpen) {
        if (!(await this.store.drain(this.options.drainMs))) this.logger.warn('some auth writes were not acknowledged before the session closed')
      }
      this.store.close(reason)
      await this.link.close(CloseCode.normal, reason)
      this.options.onEnded(this)
    })()
    return this.ending
  }
}
