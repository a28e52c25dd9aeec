// Deleting a device: it is logged out of WhatsApp when a node holds it, its queued messages fail
// (refunded, and the company told), the company-wide listing forgets its messages, and its
// storage is wiped down to a tombstone that keeps it from ever being placed again.
import { CloseCode } from '../../../protocol/close-codes'
import { DEVICE_CONTROL_TIMEOUT_MS } from '../../../protocol/timing'
import type { DeviceStore } from './device-store'
import type { EventForwarder } from './event-forwarder'
import type { EventLog } from './event-log'
import type { Ledger } from './ledger'
import type { NodeLink } from './node-link'
import type { Outbox } from './outbox'

export interface DestroyDeps {
  storage: DurableObjectStorage
  link: NodeLink
  outbox: Outbox
  forwarder: EventForwarder
  stores: { store: DeviceStore; ledger: Ledger; events: EventLog }
  /** Drops the device's messages from its company's listing (EventFeedDO). */
  forgetMessages(): Promise<void>
}

export async function destroyDevice({ storage, link, outbox, forwarder, stores, forgetMessages }: DestroyDeps) {
  const outcome = await link.command((id) => ({ type: 'logout', id }), DEVICE_CONTROL_TIMEOUT_MS)
  link.closeAll(CloseCode.deviceGone, 'device deleted')
  await storage.deleteAlarm()
  // Queued messages will never be sent: their quota goes back, and the company is told.
  await outbox.expireQueued(Number.MAX_SAFE_INTEGER, 'device_deleted')
  await forwarder.flush()
  // Best effort: the listing only shows messages of devices that still exist anyway.
  await forgetMessages().catch(() => undefined)
  await storage.deleteAll()
  stores.store.createSchema()
  stores.ledger.createSchema()
  stores.events.createSchema()
  stores.store.update({ deleted: true })
  return { loggedOut: outcome.ok }
}
