// A FrameSocket that comes back: after each connection ends, the owner decides (from the HTTP
// status or close code) whether to try again, and the next attempt waits a jittered backoff.
// The control socket and every device socket use this, with different rules for giving up.
import { metrics } from '../ops/metrics'
import type { Logger } from 'pino'
import WebSocket from 'ws'
import type { z } from 'zod'
import { createBackoff, type Backoff, type BackoffPolicy } from '../backoff'
import type { Semaphore } from '../semaphore'
import { FrameSocket, type CommandOf, type EventOf, type SocketEnd, type SocketTiming } from './frame-socket'

export type EndDecision = 'reconnect' | 'stop'

export interface ReconnectingSocketOptions<In extends { type: string }, Out extends { type: string }> {
  url: string
  token: string
  schema: z.ZodType<In>
  logger: Logger
  timing: SocketTiming
  backoff: BackoffPolicy
  /**
   * Shared by the sockets of one node: a connection attempt takes one unit from its TCP connect
   * until the upgrade is answered or fails. So after a failover or a worker restart, a node with
   * 2,000 devices opens them a few dozen at a time instead of all at once, when every opening
   * handshake would wait behind the others and time out, and each retry would add to the pile.
   */
  openings?: Semaphore
  /** The upgrade succeeded: say hello. */
  onOpen(socket: FrameSocket<In, Out>): void
  onEvent(frame: EventOf<In>, socket: FrameSocket<In, Out>): void
  onCommand?(frame: CommandOf<In>, socket: FrameSocket<In, Out>): Promise<unknown>
  /** A connection (or attempt) ended on its own; not called after `close()`. */
  onEnd(end: SocketEnd): EndDecision
}

export class ReconnectingSocket<In extends { type: string }, Out extends { type: string }> {
  private readonly backoff: Backoff
  private socket: FrameSocket<In, Out> | null = null
  private retryTimer: NodeJS.Timeout | undefined
  private closed = false
  /** Waiting for a unit of `openings`. */
  private queued = false
  private heardAt = Date.now()

  constructor(private readonly options: ReconnectingSocketOptions<In, Out>) {
    this.backoff = createBackoff(options.backoff)
  }

  start(): void {
    if (!this.socket && !this.queued && !this.closed) this.connect()
  }

  /** The open socket, if there is one right now. */
  get current(): FrameSocket<In, Out> | null {
    return this.socket?.isOpen ? this.socket : null
  }

  /**
   * When the worker was last heard on any connection of this link (an accepted upgrade, a frame,
   * a `pong`); when the link was made if never. For the session lease (device-session.ts).
   */
  get lastHeardAt(): number {
    return this.heardAt
  }

  /** The peer accepted us (hello answered): the next failure starts with a short delay again. */
  resetBackoff(): void {
    this.backoff.reset()
  }

  /** Closes for good: no reconnect, and `onEnd` is not called. */
  async close(code: number, reason: string): Promise<void> {
    this.closed = true
    clearTimeout(this.retryTimer)
    await this.socket?.close(code, reason)
  }

  private connect(): void {
    const { openings } = this.options
    if (!openings) return this.open(() => {})
    this.queued = true
    void openings.acquire(1).then(() => {
      this.queued = false
      if (this.closed) return openings.release(1)
      let released = false
      this.open(() => {
        if (!released) openings.release(1)
        released = true
      })
    })
  }

  /** One connection attempt; `handshakeDone` once the upgrade is answered or the attempt ended. */
  private open(handshakeDone: () => void): void {
    const { url, token, schema, logger, timing, onCommand } = this.options
    const ws = new WebSocket(url, { headers: { Authorization: `Bearer ${token}` }, handshakeTimeout: timing.handshakeTimeoutMs })
    const socket: FrameSocket<In, Out> = new FrameSocket<In, Out>(ws, {
      schema,
      logger,
      timing,
      onOpen: () => {
        handshakeDone()
        this.options.onOpen(socket)
      },
      onHeard: () => {
        this.heardAt = Date.now()
      },
      onEvent: (frame) => this.options.onEvent(frame, socket),
      onCommand: onCommand && ((frame) => onCommand(frame, socket)),
    })
    this.socket = socket
    void socket.ended.then((end) => {
      handshakeDone()
      if (this.closed) return
      this.socket = null
      if (this.options.onEnd(end) === 'stop') {
        this.closed = true
        return
      }
      const delayMs = this.backoff.next()
      logger.warn({ end, delayMs }, 'connection lost; reconnecting')
      metrics.reconnects.inc({ link: 'worker' })
      this.retryTimer = setTimeout(() => this.connect(), delayMs)
    })
  }
}
