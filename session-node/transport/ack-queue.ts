// AckQueue: commands to DeviceDO that must not be lost while the session lives (auth writes, receipts):
// one ordered queue. While the socket is down they wait; after a reconnect every unacknowledged
// one is sent again, in the original order (they are all idempotent "make it so" frames, so a
// repeat is harmless). A definite refusal (a failed result, an `error` frame naming the id, a
// frame too large to send) is final: that command fails and is dropped, never resent forever.
import type { Logger } from 'pino'
import { FrameTooLargeError, RemoteError, RequestTimeoutError } from './errors'

/** The queue was closed (the session ended) before the command was acknowledged. */
export class AckQueueClosedError extends Error {
  override name = 'AckQueueClosedError'
  constructor(readonly reason: string) {
    super(`closed: ${reason}`)
  }
}

export interface AckQueueOptions {
  /** For logs: what this queue carries ("auth", "receipts"). */
  name: string
  logger: Logger
  /** No answer within this long: the link is cut (resending on it could reorder) and resent on the next. */
  timeoutMs: number
}

interface Entry<F> {
  label: string
  build(id: string): F
  resolve(data: unknown): void
  reject(error: Error): void
  /** The socket this attempt went out on; null while waiting to be (re)sent. */
  sentOn: object | null
}

/** What the queue needs of a socket; a FrameSocket whose outgoing frames include F is one. */
export interface Link<F> {
  readonly isOpen: boolean
  request(build: (id: string) => F, timeoutMs: number | null): Promise<unknown>
  terminate(): void
}

export class AckQueue<F extends { type: string; id: string }> {
  private readonly queue: Entry<F>[] = []
  private socket: Link<F> | null = null
  private closedReason: string | null = null
  private readonly drainWaiters = new Set<() => void>()

  constructor(private readonly options: AckQueueOptions) {}

  /** Resolves with the result's data once DeviceDO acknowledged the frame. */
  enqueue(label: string, build: (id: string) => F): Promise<unknown> {
    if (this.closedReason !== null) return Promise.reject(new AckQueueClosedError(this.closedReason))
    return new Promise((resolve, reject) => {
      this.queue.push({ label, build, resolve, reject, sentOn: null })
      this.pump()
    })
  }

  /** DeviceDO welcomed us on this socket: send everything waiting, in order. */
  attach(socket: Link<F>): void {
    if (this.closedReason !== null) return
    this.socket = socket
    // Whatever went out on an older socket is unacknowledged: send it again, in order.
    for (const entry of this.queue) entry.sentOn = null
    this.pump()
  }

  /** The socket is gone; entries wait for the next `attach`. */
  detach(): void {
    this.socket = null
  }

  /** The session is over: fail whatever is still waiting. */
  close(reason: string): void {
    if (this.closedReason !== null) return
    this.closedReason = reason
    this.socket = null
    for (const entry of this.queue.splice(0)) entry.reject(new AckQueueClosedError(reason))
    this.notifyIfDrained()
  }

  /** Resolves true once nothing is waiting for an acknowledgement, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.queue.length === 0) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = (drained: boolean) => {
        clearTimeout(timer)
        this.drainWaiters.delete(onDrained)
        resolve(drained)
      }
      const onDrained = () => done(true)
      const timer = setTimeout(() => done(false), timeoutMs)
      this.drainWaiters.add(onDrained)
    })
  }

  get pendingCount(): number {
    return this.queue.length
  }

  private pump(): void {
    const socket = this.socket
    if (!socket?.isOpen) return
    for (const entry of this.queue) if (entry.sentOn === null) this.sendOn(socket, entry)
  }

  private sendOn(socket: Link<F>, entry: Entry<F>): void {
    entry.sentOn = socket
    socket.request(entry.build, this.options.timeoutMs).then(
      (data) => this.finish(entry, () => entry.resolve(data)),
      (error: unknown) => {
        if (entry.sentOn !== socket) return
        if (error instanceof RemoteError || error instanceof FrameTooLargeError) {
          // A definite answer: sending it again would get the same one.
          this.options.logger.warn({ queue: this.options.name, label: entry.label, err: error.message }, 'command refused; dropped')
          this.finish(entry, () => entry.reject(error))
          return
        }
        entry.sentOn = null
        if (error instanceof RequestTimeoutError) {
          // Resending on the same socket could reorder; cut the link instead, and the
          // reconnect resends everything unacknowledged in order.
          this.options.logger.warn({ queue: this.options.name, label: entry.label }, 'not acknowledged in time; dropping the socket')
          socket.terminate()
        }
      },
    )
  }

  private finish(entry: Entry<F>, settle: () => void): void {
    const index = this.queue.indexOf(entry)
    if (index === -1) return
    this.queue.splice(index, 1)
    settle()
    this.notifyIfDrained()
  }

  private notifyIfDrained(): void {
    if (this.queue.length > 0) return
    for (const waiter of [...this.drainWaiters]) waiter()
  }
}
