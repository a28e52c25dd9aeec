// A change of a device's live state (status, phone number, QR) and what follows from it: its
// `device.status` event, the D1 mirror for listings, the outbox resuming when the device is linked again, queued messages
// failing when it was logged out from the phone. Each consequence runs even if one before it
// failed (the D1 mirror being down must not keep the outbox from resuming).
import { runEachStep } from '../entry-points'
import { announceStatus } from './announcements'
import { mirrorStatusToD1 } from './d1-mirror'
import { healthChanges, mirrorOf } from './health'
import type { DeviceState, DeviceStore } from './device-store'
import type { EventLog } from './event-log'
import type { Outbox } from './outbox'

export interface LiveStateDeps {
  store: DeviceStore
  events: EventLog
  storage: DurableObjectStorage
  outbox: Outbox
  db: D1Database
}

export async function setLive(changes: Partial<DeviceState>, { store, events, storage, outbox, db }: LiveStateDeps): Promise<void> {
  const before = store.state()
  // The change and its `device.status` event in one transaction.
  let after: DeviceState
  try {
    after = storage.transactionSync(() => {
      const updated = store.update({ ...changes, ...healthChanges(before, changes, Date.now()) })
      announceStatus(before, updated, events, Date.now())
      return updated
    })
  } catch (error) {
    store.forget() // rolled back: what the store read inside the transaction never happened
    throw error
  }
  const deviceId = after.device_id
  await runEachStep({ deviceId, status: after.status }, [
    [
      'mirror the status to D1',
      () => {
        const [was, now] = [JSON.stringify(mirrorOf(before)), JSON.stringify(mirrorOf(after))]
        const changed = was !== now || before.phone_number !== after.phone_number
        if (deviceId !== null && changed) return mirrorStatusToD1(db, deviceId, after.phone_number, mirrorOf(after))
      },
    ],
    [
      // A device that is linked again resumes its outbox at once.
      'resume the outbox',
      () => before.status !== 'authenticated' && after.status === 'authenticated' && outbox.scheduleDrain(Date.now()),
    ],
    [
      // Logged out from the phone: its queued messages can never go out from this account.
      'fail the queued messages of a logged-out device',
      () => {
        if (after.status === 'error' && after.status_reason === 'logged_out') {
          return outbox.expireQueued(Number.MAX_SAFE_INTEGER, 'device_logged_out')
        }
      },
    ],
  ])
}
