// Receipts on their way to DeviceDO: counted, gathered for RECEIPT_COALESCE_MS into one
// `receipts` frame (when DeviceDO's welcome offers `receipt_batches`; one `receipt` frame each
// otherwise), queued until acknowledged, and dropped (with a warning) past MAX_PENDING_RECEIPTS,
// so a worker that stopped answering cannot exhaust memory.
import { MAX_RECEIPTS_PER_FRAME, type NodeToDevice, type ReceiptEntry } from '../protocol/frames'
import type { Receipt } from './engines/engine'
import { messageOf } from './error-message'
import { metrics } from './ops/metrics'
import { AckQueue, type AckQueueOptions, type Link } from './transport/ack-queue'

export const MAX_PENDING_RECEIPTS = 10_000
/**
 * Receipts seen within this long of each other leave in one frame: under load they come every
 * few milliseconds, and each frame was a transaction and an acknowledgement in DeviceDO. A
 * receipt reaches DeviceDO this much later at most.
 */
export const RECEIPT_COALESCE_MS = 10

export type ReceiptFrames = Extract<NodeToDevice, { type: 'receipt' | 'receipts' }>

export class ReceiptRelay {
  private readonly queue: AckQueue<ReceiptFrames>
  private gathered: ReceiptEntry[] = []
  private timer: ReturnType<typeof setTimeout> | null = null
  /** Receipts in frames DeviceDO has not acknowledged yet. */
  private unacknowledged = 0
  /** Whether the last welcome offered `receipts` frames. */
  private batches = false

  constructor(private readonly options: AckQueueOptions) {
    this.queue = new AckQueue(options)
  }

  accept(receipt: Receipt): void {
    metrics.receipts.inc({ status: receipt.status })
    if (this.pendingCount >= MAX_PENDING_RECEIPTS) {
      this.options.logger.warn(
        { waMessageId: receipt.waMessageId, status: receipt.status },
        'too many receipts waiting for DeviceDO; dropped',
      )
      return
    }
    this.gathered.push(entryOf(receipt))
    if (this.gathered.length >= MAX_RECEIPTS_PER_FRAME) this.flush()
    else this.timer ??= setTimeout(() => this.flush(), RECEIPT_COALESCE_MS)
  }

  /** DeviceDO welcomed us on this socket; `batches`: its welcome offered `receipts` frames. */
  attach(socket: Link<ReceiptFrames>, batches: boolean): void {
    this.batches = batches
    this.queue.attach(socket)
  }

  detach(): void {
    this.queue.detach()
  }

  /** Resolves true once every receipt seen so far was acknowledged, false after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    this.flush()
    return this.queue.drain(timeoutMs)
  }

  /** The session is over: whatever waits fails (and is logged). */
  close(reason: string): void {
    this.flush()
    this.queue.close(reason)
  }

  get pendingCount(): number {
    return this.gathered.length + this.unacknowledged
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const receipts = this.gathered
    this.gathered = []
    if (receipts.length === 0) return
    if (this.batches) this.enqueue(receipts, (id) => ({ type: 'receipts', id, receipts }))
    else for (const receipt of receipts) this.enqueue([receipt], (id) => ({ type: 'receipt', id, ...receipt }))
  }

  private enqueue(receipts: ReceiptEntry[], build: (id: string) => ReceiptFrames): void {
    this.unacknowledged += receipts.length
    const label = receipts.length === 1 ? `receipt ${receipts[0]!.status}` : `${receipts.length} receipts`
    this.queue
      .enqueue(label, build)
      .catch((error: unknown) => {
        const first = receipts[0]!
        this.options.logger.warn(
          { err: messageOf(error), receipts: receipts.length, waMessageId: first.wa_message_id, status: first.status },
          'receipt not delivered to DeviceDO',
        )
      })
      .finally(() => (this.unacknowledged -= receipts.length))
  }
}

function entryOf(receipt: Receipt): ReceiptEntry {
  return {
    wa_message_id: receipt.waMessageId,
    status: receipt.status,
    at: Math.round(receipt.at),
    ...(receipt.error !== undefined && { error: receipt.error.slice(0, 200) }),
  }
}
