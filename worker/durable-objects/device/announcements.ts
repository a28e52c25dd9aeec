// Which events a change of this device announces, built inside the transaction of the change:
// a message that moved to sent, delivered, read or failed; a bulk request whose last message
// reached a final state; a new live status. Each event carries the whole current state (the
// message as GET /messages/{id} shows it, the full status), so one that arrives late or out of
// order is harmless.
import type { DeviceState } from './device-store'
import type { EventLog } from './event-log'
import type { Ledger, MessageRow } from './ledger'
import { batchViewOf, toMessageView } from './message-view'

const STATUS_EVENT = {
  sent: 'message.sent',
  delivered: 'message.delivered',
  read: 'message.read',
  failed: 'message.failed',
  cancelled: 'message.cancelled',
} as const

/** Records the events of ledger rows that just changed status (called inside the ledger's transaction). */
export function announceMessages(rows: MessageRow[], deps: { events: EventLog; ledger: () => Ledger; deviceId: () => number }): void {
  const deviceId = deps.deviceId()
  const batches = new Set<string>()
  for (const row of rows) {
    const type = STATUS_EVENT[row.status as keyof typeof STATUS_EVENT]
    if (!type) continue
    const at = row.cancelled_at ?? row.failed_at ?? row.read_at ?? row.delivered_at ?? row.sent_at ?? Date.now()
    deps.events.record({ type, source: `${type}|${row.message_id}`, at, data: toMessageView(row, deviceId) })
    // Only leaving the outbox (sent, failed or cancelled) can complete a bulk request; receipts cannot.
    if (row.batch_id !== null && (row.status === 'sent' || row.status === 'failed' || row.status === 'cancelled')) batches.add(row.batch_id)
  }
  for (const batchId of batches) {
    if (deps.ledger().batchPending(batchId)) continue
    const batch = batchViewOf(deps.ledger(), batchId, deviceId)
    if (batch) {
      deps.events.record({ type: 'batch.completed', source: `batch.completed|${batchId}`, at: Date.now(), data: { ...batch } })
    }
  }
}

/** Records a `device.status` event when the status (or why it is so) changed. */
export function announceStatus(before: DeviceState, after: DeviceState, events: EventLog, at: number): void {
  if (after.device_id === null) return
  if (before.status === after.status && before.status_reason === after.status_reason) return
  events.record({
    type: 'device.status',
    source: `device.status|${after.device_id}|${after.status}|${at}`,
    at,
    data: {
      device_id: after.device_id,
      // Unlinked from the phone: told as its own status, as the contract names it.
      status: after.status === 'error' && after.status_reason === 'logged_out' ? 'logged_out' : after.status,
      reason: after.status_reason,
      phone_number: after.phone_number,
      previous_status: before.status,
    },
  })
}
