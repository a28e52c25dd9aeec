// The node's media budget. A fetched file is held in memory from its download until the engine
// has uploaded it, so without a bound one tenant's burst of large sends takes the whole node
// down (20 concurrent 50 MB sends took a node from 99 MB to 702 MB). Each media send:
//   1. waits for its device's previous media send to finish (one at a time per device, so one
//      device cannot hold every slot);
//   2. takes one of MEDIA_CONCURRENCY slots, held through fetch and upload;
//   3. once the response's headers say how large the file is (its Content-Length, else the cap
//      for its kind), reserves MEDIA_COPIES times that many bytes of MEDIA_MEMORY_MB: the file,
//      and the encrypted copy Baileys makes of it in one piece while uploading.
// Bytes are reserved only once the size is known and never while streaming, and a holder of
// bytes waits for nothing else, so waiters cannot deadlock. All three waits share one deadline
// (MEDIA_BUDGET_WAIT_MS); past it the send fails as media_unavailable, certainly not sent, and
// DeviceDO refunds it.
import { MEDIA_BUDGET_WAIT_MS } from '../../protocol/timing'
import { SendError, type MediaPayload } from '../engines/engine'
import type { MediaFetcher } from './fetch-media'
import { Semaphore, WaitExpired } from '../semaphore'

const MB = 1024 * 1024

/** Bytes of memory a media send holds per byte of its file: the file and its encrypted copy. */
export const MEDIA_COPIES = 2

export interface MediaLimits {
  /** MEDIA_CONCURRENCY: media sends fetching or uploading at once on this node. */
  concurrent: number
  /** MEDIA_MEMORY_MB, in bytes: what all media sends together may hold in memory. */
  bytes: number
  /** How long a send may wait for its turn, a slot and its bytes, together. */
  waitMs?: number
}

export const MEDIA_LIMIT_DEFAULTS = { concurrent: 4, bytes: 256 * MB } as const

/** Sets aside bytes for a file of this many bytes; resolves once they are free. */
export type ReserveBytes = (fileBytes: number) => Promise<void>

export class MediaBudget {
  private readonly slots: Semaphore
  private readonly memory: Semaphore
  private readonly devices = new Map<number, Semaphore>()
  private readonly waitMs: number

  constructor(limits: MediaLimits) {
    this.slots = new Semaphore(limits.concurrent)
    this.memory = new Semaphore(limits.bytes)
    this.waitMs = limits.waitMs ?? MEDIA_BUDGET_WAIT_MS
  }

  /** What is in use now: for tests and logs. */
  get usage(): { sends: number; bytes: number; waiting: number } {
    const waiting = [...this.devices.values()].reduce((sum, turn) => sum + turn.waiting, 0) + this.slots.waiting + this.memory.waiting
    return { sends: this.slots.inUse, bytes: this.memory.inUse, waiting }
  }

  /** Runs one media send of `deviceId` within the budget; `work` reserves its bytes when it knows its size. */
  async run<T>(deviceId: number, work: (reserve: ReserveBytes) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.waitMs
    const turn = this.turnOf(deviceId)
    await this.wait(turn.acquire(1, deadline), "this device's previous media send to finish")
    let reserved = 0
    try {
      await this.wait(this.slots.acquire(1, deadline), 'a free media slot on the session node')
      try {
        return await work(async (fileBytes) => {
          const bytes = Math.min(fileBytes * MEDIA_COPIES, this.memory.capacity)
          await this.wait(this.memory.acquire(bytes, deadline), `${Math.ceil(bytes / MB)} MB of media memory on the session node`)
          reserved += bytes
        })
      } finally {
        this.memory.release(reserved)
        this.slots.release(1)
      }
    } finally {
      turn.release(1)
      if (turn.inUse === 0 && turn.waiting === 0) this.devices.delete(deviceId)
    }
  }

  private turnOf(deviceId: number): Semaphore {
    let turn = this.devices.get(deviceId)
    if (!turn) this.devices.set(deviceId, (turn = new Semaphore(1)))
    return turn
  }

  private async wait(acquiring: Promise<void>, what: string): Promise<void> {
    try {
      await acquiring
    } catch (error) {
      if (!(error instanceof WaitExpired)) throw error
      throw new SendError('media_unavailable', `the session node is busy with other media: waited ${this.waitMs / 1000} s for ${what}`)
    }
  }
}

/** A device's media: the URL fetched within the node's budget, the file held until `use` settles. */
export type MediaSource = <T>(url: string, use: (media: MediaPayload) => Promise<T>) => Promise<T>

export function budgetedMedia(fetchMedia: MediaFetcher, budget: MediaBudget, deviceId: number): MediaSource {
  return (url, use) => budget.run(deviceId, async (reserve) => use(await fetchMedia(url, { reserve })))
}
