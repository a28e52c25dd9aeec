// What became of the messages we sent, from Baileys' events (TECH-FACTS A2):
// - 1:1 chats: `messages.update` with `update.status`: DELIVERY_ACK → delivered, READ and PLAYED
//   → read, ERROR (a NACK) → failed with the code WhatsApp gave in messageStubParameters.
// - groups: `message-receipt.update`, one entry per participant: the first receipt of any
//   participant makes the message delivered, the first read (or played) makes it read.
// Receipts are matched by `key.id` alone (the remoteJid may be an @lid), and only for our own
// messages (`key.fromMe`). Each status is reported once per message and never backwards; what
// was reported is remembered for the most recent messages only (a bounded map), and the worker
// ignores a status that does not move a message forward anyway.
import { proto, type MessageUserReceiptUpdate, type WAMessageUpdate } from '@whiskeysockets/baileys'
import type { Receipt } from '../engine'

const Status = proto.WebMessageInfo.Status

const RANK: Record<Receipt['status'], number> = { delivered: 1, read: 2, failed: 3 }

/** A protobuf timestamp (seconds, maybe a Long) in epoch ms; now when absent. */
function epochMs(value: number | { toNumber(): number } | null | undefined): number {
  const seconds = typeof value === 'number' ? value : value ? value.toNumber() : 0
  return seconds > 0 ? seconds * 1000 : Date.now()
}

export class ReceiptTracker {
  /** Message id → the furthest status reported, oldest first. */
  private readonly reported = new Map<string, Receipt['status']>()

  constructor(
    private readonly emit: (receipt: Receipt) => void,
    private readonly capacity = 20_000,
  ) {}

  onMessagesUpdate(updates: WAMessageUpdate[]): void {
    for (const { key, update } of updates) {
      if (!key.fromMe || !key.id) continue
      switch (update.status) {
        case Status.DELIVERY_ACK:
          this.report({ waMessageId: key.id, status: 'delivered', at: epochMs(update.messageTimestamp) })
          break
        case Status.READ:
        case Status.PLAYED:
          this.report({ waMessageId: key.id, status: 'read', at: epochMs(update.messageTimestamp) })
          break
        case Status.ERROR: {
          const detail = (update.messageStubParameters ?? []).filter(Boolean).join(': ')
          const error = `WhatsApp refused the message${detail ? ` (${detail})` : ''}`.slice(0, 200)
          this.report({ waMessageId: key.id, status: 'failed', at: Date.now(), error })
          break
        }
        default:
          break // PENDING, SERVER_ACK, or an update that is not about status
      }
    }
  }

  onReceiptUpdate(updates: MessageUserReceiptUpdate[]): void {
    for (const { key, receipt } of updates) {
      if (!key.fromMe || !key.id) continue
      const readAt = receipt.readTimestamp ?? receipt.playedTimestamp
      if (readAt) this.report({ waMessageId: key.id, status: 'read', at: epochMs(readAt) })
      else if (receipt.receiptTimestamp) this.report({ waMessageId: key.id, status: 'delivered', at: epochMs(receipt.receiptTimestamp) })
    }
  }

  private report(receipt: Receipt): void {
    if (receipt.waMessageId.length > 128) return // not an id of ours
    const before = this.reported.get(receipt.waMessageId)
    // Never backwards; and a message already delivered or read did not fail after all.
    if (before && (RANK[receipt.status] <= RANK[before] || before === 'failed' || receipt.status === 'failed')) return
    // A read implies the delivery a group (or a lost receipt) may never have reported.
    if (receipt.status === 'read' && before === undefined) this.emit({ ...receipt, status: 'delivered' })
    this.reported.delete(receipt.waMessageId)
    this.reported.set(receipt.waMessageId, receipt.status)
    if (this.reported.size > this.capacity) this.reported.delete(this.reported.keys().next().value as string)
    this.emit(receipt)
  }
}
