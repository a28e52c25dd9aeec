// The AuthStore an engine sees, kept in the device's DeviceDO over the session socket. Names
// leave the node as HMACs and values sealed, so the worker holds nothing usable.
//
// Durability rule: a write resolves only when DeviceDO acknowledged it, and a write is never
// dropped while the session lives. Operations form one ordered queue; while the socket is down
// they wait, and after a reconnect every unacknowledged one is sent again, in the original
// order (all of them are idempotent "make it so" writes, so a repeat is harmless and the last
// write still wins).
import type { Logger } from 'pino'
import { z } from 'zod'
import type { NodeToDevice, DeviceToNode } from '../../protocol/frames'
import type { AuthStore } from '../engines/engine'
import { RemoteError, RequestTimeoutError } from '../transport/errors'
import type { FrameSocket } from '../transport/frame-socket'
import type { Sealer } from './sealing'

type AuthFrame = Extract<NodeToDevice, { type: 'auth.get' | 'auth.set' | 'auth.clear' }>
type DeviceSocket = FrameSocket<DeviceToNode, NodeToDevice>

/** The protocol's limit on one auth value. */
const MAX_SEALED_LENGTH = 1_000_000
const MAX_NAMES_PER_GET = 10_000

const GetAnswer = z.object({ values: z.record(z.string(), z.string().nullable()) })

/** The auth state cannot be used (closed session, unreadable value, refused write). */
export class AuthStateError extends Error {
  override name = 'AuthStateError'
}

interface Operation {
  kind: AuthFrame['type']
  build(id: string): AuthFrame
  resolve(data: unknown): void
  reject(error: Error): void
  /** The socket this attempt went out on; null while waiting to be (re)sent. */
  sentOn: DeviceSocket | null
}

export class RemoteAuthStore implements AuthStore {
  private readonly queue: Operation[] = []
  private socket: DeviceSocket | null = null
  private closedReason: string | null = null
  private drainWaiters = new Set<() => void>()

  constructor(
    private readonly deviceId: number,
    private readonly sealer: Sealer,
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  async get(names: string[]): Promise<Record<string, string | null>> {
    if (names.length === 0) return {}
    const hashed = names.map((name) => [name, this.sealer.name(name)] as const)
    const unique = [...new Set(hashed.map(([, hash]) => hash))]
    if (unique.length > MAX_NAMES_PER_GET) throw new AuthStateError(`at most ${MAX_NAMES_PER_GET} names per read`)
    const answer = GetAnswer.safeParse(await this.enqueue('auth.get', (id) => ({ type: 'auth.get', id, names: unique })))
    if (!answer.success) throw new AuthStateError('the worker answered auth.get with an unexpected shape')
    const values: Record<string, string | null> = {}
    for (const [name, hash] of hashed) {
      const sealed = answer.data.values[hash] ?? null
      if (sealed === null) {
        values[name] = null
        continue
      }
      const opened = this.sealer.open(sealed, this.context(hash))
      // Never treat an unreadable entry as missing: the engine would start a fresh link and
      // overwrite credentials that a correctly configured node could still use.
      if (!opened.ok) throw new AuthStateError(`a stored auth entry cannot be read: ${opened.error}`)
      values[name] = opened.value
    }
    return values
  }

  async set(entries: Record<string, string | null>): Promise<void> {
    const sealed: Record<string, string | null> = {}
    for (const [name, value] of Object.entries(entries)) {
      const hash = this.sealer.name(name)
      sealed[hash] = value === null ? null : this.sealer.seal(value, this.context(hash))
      // Refused here rather than by the worker, whose answer to an oversized frame would not
      // be tied to this write.
      if ((sealed[hash]?.length ?? 0) > MAX_SEALED_LENGTH) throw new AuthStateError('an auth value is too large to store')
    }
    if (Object.keys(sealed).length === 0) return
    await this.enqueue('auth.set', (id) => ({ type: 'auth.set', id, entries: sealed }))
  }

  async clear(): Promise<void> {
    await this.enqueue('auth.clear', (id) => ({ type: 'auth.clear', id }))
  }

  /** DeviceDO welcomed us on this socket: send everything waiting, in order. */
  attach(socket: DeviceSocket): void {
    if (this.closedReason !== null) return
    this.socket = socket
    // Whatever went out on an older socket is unacknowledged: send it again, in order.
    for (const operation of this.queue) operation.sentOn = null
    this.pump()
  }

  /** The socket is gone; operations wait for the next `attach`. */
  detach(): void {
    this.socket = null
  }

  /** The session is over (released, fenced, shut down): fail whatever is still waiting. */
  close(reason: string): void {
    if (this.closedReason !== null) return
    this.closedReason = reason
    this.socket = null
    for (const operation of this.queue.splice(0)) operation.reject(new AuthStateError(`auth store closed: ${reason}`))
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

  /** Binds a value to its device and entry: moved anywhere else, it no longer opens. */
  private context(hashedName: string): string {
    return `device:${this.deviceId}:${hashedName}`
  }

  private enqueue(kind: AuthFrame['type'], build: (id: string) => AuthFrame): Promise<unknown> {
    if (this.closedReason !== null) return Promise.reject(new AuthStateError(`auth store closed: ${this.closedReason}`))
    return new Promise((resolve, reject) => {
      this.queue.push({ kind, build, resolve, reject, sentOn: null })
      this.pump()
    })
  }

  private pump(): void {
    const socket = this.socket
    if (!socket?.isOpen) return
    for (const operation of this.queue) if (operation.sentOn === null) this.sendOn(socket, operation)
  }

  private sendOn(socket: DeviceSocket, operation: Operation): void {
    operation.sentOn = socket
    socket.request(operation.build, this.timeoutMs).then(
      (data) => this.finish(operation, () => operation.resolve(data)),
      (error: unknown) => {
        if (operation.sentOn !== socket) return
        if (error instanceof RemoteError) {
          // A definite answer: the worker refused this write. Tell the engine.
          this.finish(operation, () => operation.reject(new AuthStateError(`the worker refused ${operation.kind}: ${error.message}`)))
          return
        }
        operation.sentOn = null
        if (error instanceof RequestTimeoutError) {
          // Resending on the same socket could reorder writes; cut the link instead, and the
          // reconnect resends everything unacknowledged in order.
          this.logger.warn({ deviceId: this.deviceId }, 'auth write not acknowledged in time; dropping the socket')
          socket.terminate()
        }
      },
    )
  }

  private finish(operation: Operation, settle: () => void): void {
    const index = this.queue.indexOf(operation)
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
