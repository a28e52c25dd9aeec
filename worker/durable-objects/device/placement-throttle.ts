// A device that waits for a node asks FleetDO for one at most every PLACEMENT_RETRY_MS, however
// often its status is read. In memory on purpose: after a restart the first reader asks again,
// which is what should happen.
import { PLACEMENT_RETRY_MS } from '../../../protocol/timing'
import type { DeviceState } from './device-store'

export class PlacementThrottle {
  private askedAt = 0

  /** Whether this read should ask FleetDO to place the device (and, if so, counts it as asked). */
  due(state: DeviceState, now = Date.now()): boolean {
    if (state.node_id !== null || state.deleted || now - this.askedAt < PLACEMENT_RETRY_MS) return false
    this.askedAt = now
    return true
  }
}
