// The devices this process runs right now, by id. The fleet's word decides what is in here:
// `assign` adds or replaces (a higher epoch wins), `release` removes, and a session that ends on
// its own (fenced, deleted) removes itself. Changes to one device run one after another, so an
// old session's engine is always stopped before a new one for the same device starts: two
// WhatsApp sockets on the same credentials would knock each other off.
import type { SessionHealth } from './ops/metrics'
import type { Logger } from 'pino'
import type { DeviceSession } from './device-session'

export type SessionFactory = (deviceId: number, epoch: number, onEnded: (session: DeviceSession) => void) => DeviceSession

export class SessionManager {
  private readonly sessions = new Map<number, DeviceSession>()
  private readonly work = new Map<number, Promise<void>>()
  private stopping = false

  constructor(
    private readonly create: SessionFactory,
    private readonly logger: Logger,
  ) {}

  /** Device ids running now, for the control socket's `hello`. */
  list(): number[] {
    return [...this.sessions.keys()]
  }

  /** Each session's last status and queued frames, for the metrics scrape. */
  health(): SessionHealth[] {
    return [...this.sessions.values()].map((session) => session.health)
  }

  get(deviceId: number): DeviceSession | undefined {
    return this.sessions.get(deviceId)
  }

  assign(deviceId: number, epoch: number): Promise<void> {
    return this.serial(deviceId, async () => {
      if (this.stopping) return
      const existing = this.sessions.get(deviceId)
      if (existing && existing.epoch >= epoch) {
        if (existing.epoch > epoch)
          this.logger.warn({ deviceId, epoch, running: existing.epoch }, 'ignoring an assign older than the running session')
        return
      }
      if (existing) await existing.stop(`replaced by epoch ${epoch}`)
      const session = this.create(deviceId, epoch, (ended) => this.forget(ended))
      this.sessions.set(deviceId, session)
      this.logger.info({ deviceId, epoch }, 'running device')
      session.start()
    })
  }

  release(deviceId: number, reason: string): Promise<void> {
    return this.serial(deviceId, async () => {
      const session = this.sessions.get(deviceId)
      if (!session) return
      this.logger.info({ deviceId, reason }, 'releasing device')
      await session.stop(`released: ${reason}`)
    })
  }

  /** Node shutdown: every session stops without logging out; no new ones start. */
  async stopAll(reason: string): Promise<void> {
    this.stopping = true
    await Promise.all([...this.sessions.keys()].map((deviceId) => this.release(deviceId, reason)))
  }

  private forget(session: DeviceSession): void {
    if (this.sessions.get(session.deviceId) === session) this.sessions.delete(session.deviceId)
  }

  private serial(deviceId: number, step: () => Promise<void>): Promise<void> {
    const run = (this.work.get(deviceId) ?? Promise.resolve()).then(step)
    const settled = run.catch((error: unknown) => this.logger.error({ err: error, deviceId }, 'session change failed'))
    this.work.set(deviceId, settled)
    void settled.then(() => {
      if (this.work.get(deviceId) === settled) this.work.delete(deviceId)
    })
    return run
  }
}
