// How long a device keeps its messages: MESSAGE_RETENTION_DAYS after they were accepted, then
// they are deleted (a pruned message reads as `not_found`). Only messages in a final state go;
// anything still queued or out for sending stays until it ends; an inbound message's media goes with it. Pruning rides on the device's
// one alarm, a batch at a time, and leaves the alarm set for when the oldest message is due.
import { wakeBy } from '../alarms'
import type { EventLog } from './event-log'
import type { Ledger } from './ledger'

/** Deleted per alarm, so one alarm never runs long; the next batch follows at once. */
const PRUNE_BATCH = 1_000

export interface RetentionDeps {
  ledger: Ledger
  storage: DurableObjectStorage
  events: EventLog
  retentionMs(): number
  /** Deletes the stored media of these inbound messages (R2). */
  deleteMedia(messageIds: string[]): Promise<void>
}

export class Retention {
  constructor(private readonly deps: RetentionDeps) {}

  async prune(now: number): Promise<void> {
    const cutoff = now - this.deps.retentionMs()
    const { deleted, inbound } = this.deps.ledger.pruneFinal(cutoff, PRUNE_BATCH)
    // Media is kept as long as its message.
    if (inbound.length > 0) await this.deps.deleteMedia(inbound)
    // Forwarded events go with the messages they told of (the company's feed keeps its own copy).
    const deletedEvents = this.deps.events.prune(cutoff, PRUNE_BATCH)
    // A batch's counters stay while any of its messages does.
    const deletedBatches = this.deps.ledger.counters.prune(cutoff, now, PRUNE_BATCH)
    if (deleted === PRUNE_BATCH || deletedEvents === PRUNE_BATCH || deletedBatches === PRUNE_BATCH) return wakeBy(this.deps.storage, now)
    const oldest = this.deps.ledger.oldestCreatedAt()
    if (oldest !== null) await wakeBy(this.deps.storage, Math.max(now, oldest + this.deps.retentionMs()))
  }
}
