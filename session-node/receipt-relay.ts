// Receipts on their way to DeviceDO: counted, queued until acknowledged, and dropped (with a
// warning) past MAX_PENDING_RECEIPTS, so a worker that stopped answering cannot exhaust memory.
import type { Logger } from 'pino'
import type { Receipt } from './engines/engine'
import { messageOf } from './error-message'
import { receiptFrame, type ReceiptFrame } from './messaging'
import { metrics } from './ops/metrics'
import type { AckQueue } from './transport/ack-queue'

export const MAX_PENDING_RECEIPTS = 10_000

export function forwardReceipt(receipt: Receipt, receipts: AckQueue<ReceiptFrame>, logger: Logger): void {
  metrics.receipts.inc({ status: receipt.status })
  if (receipts.pendingCount >= MAX_PENDING_RECEIPTS) {
    logger.warn({ waMessageId: receipt.waMessageId, status: receipt.status }, 'too many receipts waiting for DeviceDO; dropped')
    return
  }
  receipts
    .enqueue(`receipt ${receipt.status}`, (id) => receiptFrame(receipt, id))
    .catch((error: unknown) => {
      logger.warn({ err: messageOf(error), waMessageId: receipt.waMessageId, status: receipt.status }, 'receipt not delivered to DeviceDO')
    })
}
