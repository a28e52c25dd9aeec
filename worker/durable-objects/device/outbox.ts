// A device's outbox and send path: the message ledger, one message at a time to the device's
// node, paced, at most once. DeviceDO owns the socket and the alarm; this owns what is sent,
// when, and what each outcome means for the message and its quota.
import type { DeviceToNode, MessageFailureCode } from '../../../protocol/frames'
import { STALE_SENDING_MS } from '../../../protocol/timing'
import { interpretSend, sendCommand, sendTimeoutMs, type DispatchResult } from './dispatch'
import { batchViewOf, toMessageView, type BatchView, type MessageView } from './message-view'

export type { BatchView } from './message-view'
import type { Ledger, ListQuery, MessageRow, NewMessage } from './ledger'
import type { CommandOutcome } from './pending-commands'
import { wakeBy } from '../alarms'
import { messageIdOfWa, quotedOf } from './inbound'

export type SendOutcome =
  | { ok: true; message: MessageView }
  | { ok: false; code: Blocked['code']; message: string }
  | { ok: false; code: Exclude<MessageFailureCode, 'outcome_unknown'> | 'interrupted' | 'send_timeout'; message: string; messageId: string }

/** Why a device sends nothing now: it cannot (not linked, paused, node away), or its company may not. */
export type Blocked = { code: 'device_not_ready' | 'company_inactive'; message: string }

export type EnqueueOutcome = { ok: true } | { ok: false; code: Blocked['code']; message: string }

/** What taking back a message came to: cancelled (and refunded), or why not. */
export type CancelOutcome =
  { ok: true; message: MessageView } | { ok: false; code: 'not_found' } | { ok: false; code: 'not_cancellable'; message: MessageView }

/** Default pause between two outbox messages of one device, ±25 % jitter: a human-ish pace
 * that keeps an account clear of WhatsApp's spam heuristics. Configurable per device. */
export const DEFAULT_SEND_INTERVAL_MS = 1_500
/** With pacing off, messages one alarm sends. */
export const UNPACED_PER_ALARM = 100
/**
 * With pacing off, messages out for sending at once, never two to one chat: a round trip to the
 * node per message, one after the other, left the device idle most of the time.
 */
export const UNPACED_IN_FLIGHT = 8
/** How often a waiting outbox looks again while its device is not ready (a relink also wakes it). */
const NOT_READY_RETRY_MS = 30_000
/** A bulk message still queued after this long (device never linked again) fails and is refunded. */
export const QUEUED_MAX_AGE_MS = 24 * 60 * 60 * 1000

export interface OutboxDeps {
  ledger: Ledger
  storage: DurableObjectStorage
  deviceId(): number
  sendIntervalMs(): number | null
  /** Why nothing can go out now, or null when the device can send. */
  blocked(): Blocked | null
  command(build: (id: string) => DeviceToNode, timeoutMs: number): Promise<CommandOutcome>
  refund(companyId: number, period: string, count: number): Promise<void>
  /** Messages just queued or scheduled: the company-wide listing is told (company-index.ts). */
  queued(messageIds: string[]): Promise<void>
}

export class Outbox {
  constructor(private readonly deps: OutboxDeps) {}

  /** Our id of a message this device sent or received, from its WhatsApp id (for replies and reactions). */
  private readonly idOfWa = (waMessageId: string | null) => messageIdOfWa(this.deps.storage.sql, waMessageId)

  /** The caller's quota reservation is this object's from here on: anything not sent is refunded here. */
  async sendNow(input: NewMessage): Promise<SendOutcome> {
    const blocked = this.deps.blocked()
    if (blocked) {
      await this.deps.refund(input.company_id, input.quota_period, 1)
      return { ok: false, ...blocked }
    }
    const now = Date.now()
    this.deps.ledger.insert([input], 'sending', now)
    // Should this object be reset before the answer comes, the alarm closes the message out.
    await wakeBy(this.deps.storage, now + STALE_SENDING_MS + 1_000)
    const row = this.deps.ledger.get(input.message_id)
    const result = row ? await this.dispatch(row) : ({ kind: 'not_dispatched', message: 'the device was deleted' } as const)
    if (result.kind === 'not_dispatched') {
      // The frame could not be written to the socket: nothing went out, nothing is owed.
      this.deps.ledger.markFailed(input.message_id, 'not_ready', Date.now())
      await this.deps.refund(input.company_id, input.quota_period, 1)
      return { ok: false, code: 'device_not_ready', message: result.message }
    }
    const after = this.deps.ledger.get(input.message_id)
    if (result.kind === 'sent' && after) return { ok: true, message: toMessageView(after, this.deps.deviceId()) }
    if (result.kind === 'sent')
      return { ok: false, code: 'interrupted', message: 'the device was deleted while sending', messageId: input.message_id }
    return { ok: false, code: result.code, message: result.message, messageId: input.message_id }
  }

  /**
   * Stores a whole bulk request (or scheduled messages) in the outbox, in one transaction, for
   * paced delivery. Messages that are all scheduled are accepted while the device is not ready:
   * it has until their time (and QUEUED_MAX_AGE_MS after) to be linked again.
   */
  async enqueue(rows: NewMessage[]): Promise<EnqueueOutcome> {
    const first = rows[0]
    const refusal = this.deps.blocked()
    const blocked = refusal?.code === 'device_not_ready' && rows.every((row) => row.send_at != null) ? null : refusal
    if (blocked || !first) {
      if (first) await this.deps.refund(first.company_id, first.quota_period, rows.length)
      return { ok: false, ...(blocked ?? { code: 'device_not_ready', message: 'nothing to send' }) }
    }
    this.deps.ledger.insert(rows, 'queued', Date.now())
    await this.scheduleDrain(Date.now())
    await this.deps.queued(rows.map((row) => row.message_id))
    return { ok: true }
  }

  /** Takes back a scheduled or queued message and refunds it; one already handed to the node is not cancellable. */
  async cancel(messageId: string): Promise<CancelOutcome> {
    const row = this.deps.ledger.get(messageId)
    if (!row) return { ok: false, code: 'not_found' }
    const cancelled = row.direction === 'outbound' ? this.deps.ledger.cancel(messageId, Date.now()) : undefined
    if (!cancelled) return { ok: false, code: 'not_cancellable', message: toMessageView(row, this.deps.deviceId(), this.idOfWa) }
    await this.deps.refund(cancelled.company_id, cancelled.quota_period, 1)
    await this.scheduleDrain()
    return { ok: true, message: toMessageView(cancelled, this.deps.deviceId(), this.idOfWa) }
  }

  async message(messageId: string): Promise<MessageView | null> {
    const row = this.deps.ledger.get(messageId)
    return row ? toMessageView(row, this.deps.deviceId(), this.idOfWa) : null
  }

  async messages(query: ListQuery): Promise<MessageView[]> {
    const status = query.status?.includes('queued') ? [...query.status, 'sending' as const] : query.status
    return this.deps.ledger
      .list({ ...query, ...(status && { status }) })
      .map((row) => toMessageView(row, this.deps.deviceId(), this.idOfWa))
  }

  async batch(batchId: string): Promise<BatchView | null> {
    return batchViewOf(this.deps.ledger, batchId, this.deps.deviceId())
  }

  /** Bulk requests, newest first (from the ledger's counters). */
  batches(query: { before?: { createdAt: number; batchId: string }; limit: number }): BatchView[] {
    return this.deps.ledger.counters.recentBatches(query).flatMap((id) => batchViewOf(this.deps.ledger, id, this.deps.deviceId()) ?? [])
  }

  /**
   * One alarm's work: close out stale sends, expire old ones, send the next queued message. With
   * pacing off (an interval of 0) it sends up to UNPACED_PER_ALARM messages, UNPACED_IN_FLIGHT at
   * a time, instead of one alarm per message.
   */
  async drain(): Promise<void> {
    const now = Date.now()
    for (const row of this.deps.ledger.staleSending(now - STALE_SENDING_MS)) this.deps.ledger.markFailed(row.message_id, 'interrupted', now)
    if (this.deps.ledger.hasWaitingBefore(now - QUEUED_MAX_AGE_MS)) await this.expireQueued(now - QUEUED_MAX_AGE_MS, 'expired')
    const [count, inFlight] = this.deps.sendIntervalMs() === 0 ? [UNPACED_PER_ALARM, UNPACED_IN_FLIGHT] : [1, 1]
    await this.sendDue(count, inFlight)
    await this.scheduleDrain()
  }

  /**
   * Sends up to `count` due messages in outbox order, up to `inFlight` out at once but never two
   * to one chat (a chat's messages reach the node one after the other). Stops at the first that
   * could not reach the node (it goes back to the queue, in its place).
   */
  private async sendDue(count: number, inFlight: number): Promise<void> {
    const out = new Map<string, Promise<void>>() // by chat
    let reached = true
    for (let sent = 0; sent < count && reached;) {
      const next = this.deps.blocked() === null ? this.deps.ledger.nextQueued(Date.now()) : undefined
      if (!next) break
      const busy = out.get(next.chat_id) ?? (out.size >= inFlight ? Promise.race(out.values()) : null)
      if (busy) {
        await busy
        continue
      }
      if (!this.deps.ledger.markSending(next.message_id, Date.now())) break
      sent++
      const going = this.dispatch({ ...next, status: 'sending' }).then((result) => {
        out.delete(next.chat_id)
        if (result.kind !== 'not_dispatched') return
        this.deps.ledger.requeue(next.message_id)
        reached = false
      })
      out.set(next.chat_id, going)
    }
    await Promise.all(out.values())
  }

  private async dispatch(row: MessageRow): Promise<DispatchResult> {
    const quoted = quotedOf(this.deps.ledger, row.reply_to)
    const result = interpretSend(await this.deps.command((id) => sendCommand(row, id, quoted), sendTimeoutMs(row)))
    const now = Date.now()
    if (result.kind === 'sent') this.deps.ledger.markSent(row.message_id, result.waMessageId, result.sentAt)
    else if (result.kind === 'refused') {
      this.deps.ledger.markFailed(row.message_id, result.code, now)
      await this.deps.refund(row.company_id, row.quota_period, 1)
    } else if (result.kind === 'unknown') this.deps.ledger.markFailed(row.message_id, result.code, now)
    return result
  }

  /** Fails (and refunds) queued messages older than `before`: they will not be sent. */
  async expireQueued(before: number, reason: string): Promise<void> {
    const now = Date.now()
    for (const group of this.deps.ledger.failQueued(before, reason, now))
      await this.deps.refund(group.company_id, group.quota_period, group.n)
  }

  /**
   * Arms the alarm for the next send: `at`, or one paced interval from now, while messages are
   * queued; a scheduled message's own time (paced like the rest once it is due). A device that
   * cannot send looks again after NOT_READY_RETRY_MS.
   */
  async scheduleDrain(at?: number): Promise<void> {
    const now = Date.now()
    const interval = this.deps.sendIntervalMs() ?? DEFAULT_SEND_INTERVAL_MS
    const paced = now + Math.round(interval * (0.75 + Math.random() * 0.5))
    const due = this.deps.blocked() === null ? (at ?? paced) : now + NOT_READY_RETRY_MS
    const times: number[] = []
    if (this.deps.ledger.hasPending()) times.push(due)
    const scheduled = this.deps.ledger.nextScheduledAt()
    if (scheduled !== null) times.push(scheduled > now ? scheduled : due)
    if (times.length > 0) await wakeBy(this.deps.storage, Math.min(...times))
  }
}
