// What DeviceDO tells the routes about a device's live state.
import type { LiveStatus } from '../../../protocol/frames'
import type { DeviceState } from './device-store'
import { healthView, mirrorOf, type HealthView } from './health'

export interface LiveView {
  status: LiveStatus
  phone_number: string | null
  qr_code: string | null
  qr_image: string | null
  qr_expires_at: number | null
  node_id: number | null
  active: boolean
  /** The device was deleted: the routes answer 404 and nothing places it again. */
  deleted: boolean
  /** No node holds the device and FleetDO was not asked lately: the reader should ask it now. */
  placement_due: boolean
  /** Why it is down, its last error, since when it is linked and when it was last seen. */
  health: HealthView
}

export function liveViewOf(state: DeviceState, placementDue: boolean, now: number): LiveView {
  return {
    status: state.status,
    phone_number: state.phone_number,
    qr_code: state.qr_code,
    qr_image: state.qr_image,
    qr_expires_at: state.qr_expires_at,
    node_id: state.node_id,
    active: state.active,
    deleted: state.deleted,
    placement_due: placementDue,
    health: healthView(mirrorOf(state), now, state.qr_expires_at),
  }
}
