// Turns one engine's events into `qr` and `status` frames for DeviceDO. Frames go out in the
// order the engine emitted them (a QR image takes a moment to render, and must not land after
// the "authenticated" that followed it). The last status and the live QR are kept, because
// DeviceDO marks a device unreachable when its socket drops: after a reconnect the node tells
// it again what is true now.
import type { Logger } from 'pino'
import type { NodeToDevice } from '../protocol/frames'
import type { EngineStatus } from './engines/engine'
import { qrImageDataUrl, qrTerminalArt } from './qr'

type StatusFrame = Extract<NodeToDevice, { type: 'status' }>
type QrFrame = Extract<NodeToDevice, { type: 'qr' }>

export interface SessionReporterOptions {
  deviceId: number
  logger: Logger
  /** Sends when DeviceDO has welcomed us; false (frame dropped) otherwise. */
  send(frame: NodeToDevice): boolean
  /** PRINT_QR=1: draw each QR in the terminal for the developer to scan. */
  printQr: boolean
}

export function statusFrame(update: EngineStatus): StatusFrame {
  switch (update.status) {
    case 'pending':
      return { type: 'status', status: 'pending' }
    case 'authenticated':
      return { type: 'status', status: 'authenticated', phone_number: update.phoneNumber }
    case 'disconnected':
    case 'error':
      return {
        type: 'status',
        status: update.status,
        reason: update.reason,
        ...(update.detail !== undefined && { detail: update.detail.slice(0, 500) }),
      }
  }
}

export class SessionReporter {
  private lastStatus: StatusFrame | null = null
  private liveQr: QrFrame | null = null
  private queue: Promise<void> = Promise.resolve()

  constructor(private readonly options: SessionReporterOptions) {}

  qr(code: string, ttlMs: number): void {
    const expiresAt = Date.now() + ttlMs
    this.enqueue(async () => {
      const frame: QrFrame = { type: 'qr', qr_code: code, qr_image: await qrImageDataUrl(code), expires_at: expiresAt }
      this.liveQr = frame
      this.options.send(frame)
      if (this.options.printQr) await this.print(code)
    })
  }

  status(update: EngineStatus): void {
    this.enqueue(async () => {
      const frame = statusFrame(update)
      this.lastStatus = frame
      // Any status past "pending" makes the shown QR void.
      if (frame.status !== 'pending') this.liveQr = null
      this.options.send(frame)
      if (this.options.printQr && frame.status === 'authenticated') {
        process.stdout.write(`\nDevice ${this.options.deviceId} linked as ${frame.phone_number}\n`)
      }
    })
  }

  /** The status last reported (what the metrics count sessions by). */
  get currentStatus(): string {
    return this.liveQr ? 'qr_ready' : (this.lastStatus?.status ?? 'starting')
  }

  /** After a (re)connect: the last status, then the QR if it can still be scanned. */
  replay(): void {
    this.enqueue(async () => {
      if (this.lastStatus) this.options.send(this.lastStatus)
      if (this.liveQr && this.liveQr.expires_at > Date.now()) this.options.send(this.liveQr)
    })
  }

  /** The engine stopped: what it last said is no longer true, so nothing is replayed. */
  forget(): void {
    this.enqueue(async () => {
      this.lastStatus = null
      this.liveQr = null
    })
  }

  /** Resolves once every event reported so far has been handled. */
  settled(): Promise<void> {
    return this.queue
  }

  private enqueue(step: () => Promise<void>): void {
    this.queue = this.queue.then(step).catch((error: unknown) => {
      this.options.logger.error({ err: error, deviceId: this.options.deviceId }, 'could not report an engine event')
    })
  }

  private async print(code: string): Promise<void> {
    const art = await qrTerminalArt(code)
    process.stdout.write(`\nScan this QR with WhatsApp to link device ${this.options.deviceId} (Linked devices → Link a device):\n${art}\n`)
  }
}
