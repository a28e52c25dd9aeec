// The device's message ledger and outbox, in its own SQLite: every accepted message is a row
// here before the API answers, and only this object changes it. `queued` rows are the outbox;
// `sending` is a message handed to the node whose outcome is not known yet.
import { SqlStore } from '../sql-schema'
import { LEDGER_SCHEMA } from './ledger-schema'
import { LedgerCounters } from './ledger-counters'
import { pageWhere, type PageWhere } from '../message-filters'

export { LEDGER_SCHEMA } from './ledger-schema'

export { MESSAGE_STATUSES, MESSAGE_TYPES, VISIBLE_MESSAGE_STATUSES, type MessageStatus, type MessageType } from './message-kinds'
import { FINAL_MESSAGE_STATUSES } from './message-kinds'
import type { ListQuery, MessageRow, NewMessage } from './ledger-rows'
import type { ReceiptEntry } from '../../../protocol/frames'

export type { ListQuery, MessageRow, NewMessage } from './ledger-rows'

/** Told of the rows a status change moved, inside the transaction that moved them. */
export type LedgerChanges = (rows: MessageRow[]) => void

const FINAL_IN = FINAL_MESSAGE_STATUSES.map((status) => `'${status}'`).join(', ')

export class Ledger extends SqlStore {
  constructor(
    storage: DurableObjectStorage,
    private readonly onChange: LedgerChanges = () => {},
  ) {
    super(storage, 'ledger', LEDGER_SCHEMA)
    this.counters = new LedgerCounters(this.sql)
  }

  /** Batch progress and daily usage, kept by the schema's triggers as rows change. */
  readonly counters: LedgerCounters

  /** Runs a status change and tells `onChange` of the rows it moved, in one transaction. */
  private change(statement: string, ...binds: SqlStorageValue[]): MessageRow[] {
    return this.storage.transactionSync(() => {
      const rows = this.sql.exec<MessageRow>(`${statement} RETURNING *`, ...binds).toArray()
      if (rows.length > 0) this.onChange(rows)
      return rows
    })
  }

  /** Inserts all rows in one transaction; `queued` rows join the outbox in this order, rows with a `send_at` are `scheduled`. */
  insert(rows: NewMessage[], status: 'queued' | 'sending', now: number): void {
    this.storage.transactionSync(() => {
      const last = this.sql.exec<{ last: number }>('UPDATE outbox_counter SET last = last + ? RETURNING last', rows.length).one().last
      let seq = last - rows.length
      for (const row of rows) {
        seq += 1
        this.sql.exec(
          `INSERT INTO messages (message_id, company_id, batch_id, batch_index, recipient, chat_id, type, text, media_url,
             status, quota_period, created_at, dispatched_at, outbox_seq, reply_to, send_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          row.message_id,
          row.company_id,
          row.batch_id ?? null,
          row.batch_index ?? null,
          row.recipient,
          row.chat_id,
          row.type,
          row.text,
          row.media_url,
          row.send_at != null ? 'scheduled' : status,
          row.quota_period,
          now,
          status === 'sending' ? now : null,
          seq,
          row.reply_to ?? null,
          row.send_at ?? null,
        )
      }
    })
  }

  /** Deletes up to `limit` messages in a final state accepted before `before`, oldest first; the ids of those that were inbound. */
  pruneFinal(before: number, limit: number): { deleted: number; inbound: string[] } {
    const rows = this.sql
      .exec<{ message_id: string; direction: string }>(
        `DELETE FROM messages WHERE message_id IN (
           SELECT message_id FROM messages WHERE created_at < ? AND status IN (${FINAL_IN})
           ORDER BY created_at LIMIT ?)
         RETURNING message_id, direction`,
        before,
        limit,
      )
      .toArray()
    return { deleted: rows.length, inbound: rows.filter((r) => r.direction === 'inbound').map((r) => r.message_id) }
  }

  /** When the oldest message still here was accepted (an index lookup, not a scan). */
  oldestCreatedAt(): number | null {
    return this.sql.exec<{ t: number | null }>('SELECT MIN(created_at) AS t FROM messages').one().t
  }

  get(messageId: string): MessageRow | undefined {
    return this.sql.exec<MessageRow>('SELECT * FROM messages WHERE message_id = ?', messageId).toArray()[0]
  }

  /** The next message to send: a scheduled one whose time has come (they keep their time), else the outbox's first. */
  nextQueued(now: number): MessageRow | undefined {
    return (
      this.sql
        .exec<MessageRow>("SELECT * FROM messages WHERE status = 'scheduled' AND send_at <= ? ORDER BY send_at, outbox_seq LIMIT 1", now)
        .toArray()[0] ??
      this.sql.exec<MessageRow>("SELECT * FROM messages WHERE status = 'queued' ORDER BY outbox_seq LIMIT 1").toArray()[0]
    )
  }

  /** When the next scheduled message is due, or null when none is waiting. */
  nextScheduledAt(): number | null {
    return this.sql.exec<{ t: number | null }>("SELECT MIN(send_at) AS t FROM messages WHERE status = 'scheduled'").one().t
  }

  /** Claims a queued (or due scheduled) message for dispatch; false if something else took it first. */
  markSending(messageId: string, now: number): boolean {
    return (
      this.sql.exec(
        "UPDATE messages SET status = 'sending', dispatched_at = ? WHERE message_id = ? AND status IN ('queued', 'scheduled')",
        now,
        messageId,
      ).rowsWritten > 0
    )
  }

  /** A claimed message that never reached a node goes back to the outbox, in its place (a scheduled one keeps its time). */
  requeue(messageId: string): void {
    this.sql.exec(
      `UPDATE messages SET status = CASE WHEN send_at IS NULL THEN 'queued' ELSE 'scheduled' END, dispatched_at = NULL
       WHERE message_id = ? AND status = 'sending'`,
      messageId,
    )
  }

  /** Takes back a message not handed to a node yet; the row as it is now, or undefined when it was not waiting. */
  cancel(messageId: string, at: number): MessageRow | undefined {
    return this.change(
      "UPDATE messages SET status = 'cancelled', cancelled_at = ? WHERE message_id = ? AND status IN ('queued', 'scheduled')",
      at,
      messageId,
    )[0]
  }

  /** Whether anything is queued or out for sending (two index probes, not a count). */
  hasPending(): boolean {
    return (
      this.sql.exec("SELECT 1 FROM messages WHERE status = 'queued' LIMIT 1").toArray().length > 0 ||
      this.sql.exec("SELECT 1 FROM messages WHERE status = 'sending' LIMIT 1").toArray().length > 0
    )
  }

  /**
   * Whether anything waiting is older than `before` (queued, by the outbox's head) or due
   * before it (scheduled): an index probe each, so a drain does not scan its whole queue.
   */
  hasWaitingBefore(before: number): boolean {
    const head = this.sql.exec<{ created_at: number }>(
      "SELECT created_at FROM messages WHERE status = 'queued' ORDER BY outbox_seq LIMIT 1",
    )
    const due = this.nextScheduledAt()
    return (head.toArray()[0]?.created_at ?? Infinity) < before || (due ?? Infinity) < before
  }

  markSent(messageId: string, waMessageId: string, sentAt: number): void {
    this.change(
      `UPDATE messages SET status = 'sent', wa_message_id = ?, sent_at = ?
       WHERE message_id = ? AND status IN ('sending', 'queued', 'scheduled')`,
      waMessageId,
      sentAt,
      messageId,
    )
  }

  /**
   * Fails every queued message created before `before`, and every scheduled one due before it;
   * returns what they had reserved, per period.
   */
  failQueued(before: number, reason: string, at: number): Array<{ company_id: number; quota_period: string; n: number }> {
    const rows = this.change(
      `UPDATE messages SET status = 'failed', error = ?, failed_at = ?
       WHERE (status = 'queued' AND created_at < ?) OR (status = 'scheduled' AND send_at < ?)`,
      reason,
      at,
      before,
      before,
    )
    const groups = new Map<string, { company_id: number; quota_period: string; n: number }>()
    for (const row of rows) {
      const key = `${row.company_id}|${row.quota_period}`
      const group = groups.get(key) ?? { company_id: row.company_id, quota_period: row.quota_period, n: 0 }
      group.n += 1
      groups.set(key, group)
    }
    return [...groups.values()]
  }

  markFailed(messageId: string, error: string, at: number): void {
    this.change(
      `UPDATE messages SET status = 'failed', error = ?, failed_at = ?
       WHERE message_id = ? AND status IN ('queued', 'scheduled', 'sending')`,
      error,
      at,
      messageId,
    )
  }

  /** Messages handed to a node longer ago than `olderThan` whose outcome never came. */
  staleSending(olderThan: number): MessageRow[] {
    return this.sql.exec<MessageRow>("SELECT * FROM messages WHERE status = 'sending' AND dispatched_at < ?", olderThan).toArray()
  }

  /** Applies receipts in order, in one transaction (their events with them). */
  applyReceipts(receipts: readonly ReceiptEntry[]): void {
    this.storage.transactionSync(() => {
      for (const receipt of receipts) this.applyReceipt(receipt.wa_message_id, receipt.status, receipt.at, receipt.error)
    })
  }

  /** A receipt from WhatsApp; statuses only move forward. Returns whether a row changed. */
  applyReceipt(waMessageId: string, status: 'delivered' | 'read' | 'failed', at: number, error?: string): boolean {
    if (status === 'delivered') {
      return (
        this.change(
          "UPDATE messages SET status = 'delivered', delivered_at = ? WHERE wa_message_id = ? AND status = 'sent'",
          at,
          waMessageId,
        ).length > 0
      )
    }
    if (status === 'read') {
      return (
        this.change(
          `UPDATE messages SET status = 'read', read_at = ?, delivered_at = COALESCE(delivered_at, ?)
           WHERE wa_message_id = ? AND status IN ('sent', 'delivered')`,
          at,
          at,
          waMessageId,
        ).length > 0
      )
    }
    return (
      this.change(
        "UPDATE messages SET status = 'failed', error = ?, failed_at = ? WHERE wa_message_id = ? AND status IN ('sent', 'delivered')",
        error ?? 'rejected_by_whatsapp',
        at,
        waMessageId,
      ).length > 0
    )
  }

  /** A received message this device marked read on WhatsApp. */
  markInboundRead(messageId: string, at: number): void {
    this.sql.exec("UPDATE messages SET read_at = COALESCE(read_at, ?) WHERE message_id = ? AND direction = 'inbound'", at, messageId)
  }

  list(query: ListQuery): MessageRow[] {
    const status: PageWhere = query.status?.length
      ? { clauses: [`status IN (${query.status.map(() => '?').join(',')})`], binds: [...query.status] }
      : { clauses: [], binds: [] }
    const { clauses, binds } = pageWhere(
      [
        ['batch_id', query.batchId],
        ['direction', query.direction],
        ['chat_id', query.chatId],
      ],
      query.before,
      status,
    )
    const clause = clauses.length ? `WHERE ${clauses.join(' AND ')}` : ''
    return this.sql
      .exec<MessageRow>(`SELECT * FROM messages ${clause} ORDER BY created_at DESC, message_id DESC LIMIT ?`, ...binds, query.limit)
      .toArray()
  }

  /** Whether a bulk request still has messages scheduled, queued or out for sending (an index lookup). */
  batchPending(batchId: string): boolean {
    return (
      // Named: left to itself, the planner walks the batch's every message by (batch_id, batch_index).
      this.sql
        .exec(
          `SELECT 1 FROM messages INDEXED BY messages_batch_pending
           WHERE batch_id = ? AND status IN ('scheduled', 'queued', 'sending') LIMIT 1`,
          batchId,
        )
        .toArray().length > 0
    )
  }
}
