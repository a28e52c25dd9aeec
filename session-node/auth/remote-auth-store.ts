// The AuthStore an engine sees, kept in the device's DeviceDO over the session socket. Names
// leave the node as HMACs and values sealed, so the worker holds nothing usable.
//
// Durability rule: a write resolves only when DeviceDO acknowledged it, and a write is never
// dropped while the session lives. Operations go through one ordered AckQueue: while the socket
// is down they wait, and after a reconnect every unacknowledged one is sent again, in the
// original order (all of them are idempotent "make it so" writes, so a repeat is harmless and
// the last write still wins). A write the worker refuses outright fails, and is not retried.
import type { Logger } from 'pino'
import { z } from 'zod'
import { MAX_FRAME_CHARS, type NodeToDevice } from '../../protocol/frames'
import type { AuthStore } from '../engines/engine'
import { FrameTooLargeError, RemoteError } from '../transport/errors'
import { AckQueue, AckQueueClosedError, type Link } from '../transport/ack-queue'
import type { Sealer } from './sealing'

type AuthFrame = Extract<NodeToDevice, { type: 'auth.get' | 'auth.set' | 'auth.clear' }>

/** The protocol's limit on one auth value. */
const MAX_SEALED_LENGTH = 1_000_000
const MAX_NAMES_PER_GET = 10_000
/** A big batch (an app-state sync) is split into frames this size at most, well under MAX_FRAME_CHARS. */
const MAX_SET_FRAME_CHARS = MAX_FRAME_CHARS - 100_000
/**
 * Names per `auth.get` frame. The answer carries the values, and an answer over MAX_FRAME_CHARS
 * cannot be decoded here: keeping reads small (Signal sessions and keys are a few KB each)
 * keeps their answers well under it even for a group send that reads thousands of sessions.
 */
const MAX_NAMES_PER_GET_FRAME = 100

const GetAnswer = z.object({ values: z.record(z.string(), z.string().nullable()) })

/** The auth state cannot be used (closed session, unreadable value, refused write). */
export class AuthStateError extends Error {
  override name = 'AuthStateError'
}

/** Splits entries into batches whose JSON stays under `limit` characters (one entry always fits). */
export function splitEntries(entries: Record<string, string | null>, limit = MAX_SET_FRAME_CHARS): Record<string, string | null>[] {
  const batches: Record<string, string | null>[] = []
  let batch: Record<string, string | null> = {}
  let size = 0
  for (const [name, value] of Object.entries(entries)) {
    // Names are hex and sealed values base64url: JSON adds only quotes, a colon and a comma.
    const cost = name.length + (value?.length ?? 4) + 6
    if (size > 0 && size + cost > limit) {
      batches.push(batch)
      batch = {}
      size = 0
    }
    batch[name] = value
    size += cost
  }
  if (size > 0) batches.push(batch)
  return batches
}

export class RemoteAuthStore implements AuthStore {
  private readonly queue: AckQueue<AuthFrame>

  constructor(
    private readonly deviceId: number,
    private readonly sealer: Sealer,
    logger: Logger,
    timeoutMs: number,
  ) {
    this.queue = new AckQueue<AuthFrame>({ name: 'auth', logger: logger.child({ deviceId }), timeoutMs })
  }

  async get(names: string[]): Promise<Record<string, string | null>> {
    if (names.length === 0) return {}
    const hashed = names.map((name) => [name, this.sealer.name(name)] as const)
    const unique = [...new Set(hashed.map(([, hash]) => hash))]
    if (unique.length > MAX_NAMES_PER_GET) throw new AuthStateError(`at most ${MAX_NAMES_PER_GET} names per read`)
    const chunks: string[][] = []
    for (let start = 0; start < unique.length; start += MAX_NAMES_PER_GET_FRAME)
      chunks.push(unique.slice(start, start + MAX_NAMES_PER_GET_FRAME))
    const answers = await Promise.all(chunks.map((names) => this.enqueue('auth.get', (id) => ({ type: 'auth.get', id, names }))))
    const found: Record<string, string | null> = {}
    for (const answer of answers) {
      const parsed = GetAnswer.safeParse(answer)
      if (!parsed.success) throw new AuthStateError('the worker answered auth.get with an unexpected shape')
      Object.assign(found, parsed.data.values)
    }
    const values: Record<string, string | null> = {}
    for (const [name, hash] of hashed) {
      const sealed = found[hash] ?? null
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
    // Batches are queued back to back, so they still land in order with everything else.
    const writes = splitEntries(sealed).map((batch) => this.enqueue('auth.set', (id) => ({ type: 'auth.set', id, entries: batch })))
    await Promise.all(writes)
  }

  async clear(): Promise<void> {
    await this.enqueue('auth.clear', (id) => ({ type: 'auth.clear', id }))
  }

  /** DeviceDO welcomed us on this socket: send everything waiting, in order. */
  attach(socket: Link<AuthFrame>): void {
    this.queue.attach(socket)
  }

  /** The socket is gone; operations wait for the next `attach`. */
  detach(): void {
    this.queue.detach()
  }

  /** The session is over (released, fenced, shut down): fail whatever is still waiting. */
  close(reason: string): void {
    this.queue.close(reason)
  }

  /** Resolves true once nothing is waiting for an acknowledgement, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    return this.queue.drain(timeoutMs)
  }

  get pendingCount(): number {
    return this.queue.pendingCount
  }

  /** Binds a value to its device and entry: moved anywhere else, it no longer opens. */
  private context(hashedName: string): string {
    return `device:${this.deviceId}:${hashedName}`
  }

  private async enqueue(kind: AuthFrame['type'], build: (id: string) => AuthFrame): Promise<unknown> {
    try {
      return await this.queue.enqueue(kind, build)
    } catch (error) {
      if (error instanceof AckQueueClosedError) throw new AuthStateError(`auth store closed: ${error.reason}`)
      // A definite answer: the worker refused this operation (or it could not be sent at all).
      if (error instanceof RemoteError || error instanceof FrameTooLargeError)
        throw new AuthStateError(`the worker refused ${kind}: ${error.message}`)
      throw error
    }
  }
}
