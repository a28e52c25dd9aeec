// How clients see a device's health, the same from DeviceDO's live answers and from D1's mirror
// (which listings read). Depends on nothing of the runtime: the API schemas use it.
import { isStatusReason, type StatusReason } from '../../../protocol/status-reasons'
import type { LiveStatus } from '../../../protocol/frames'
import type { DeviceLastError } from '../../db/schema'
import { iso } from '../../lib/time'

/** The health fields as D1 mirrors them. */
export interface HealthMirror {
  status: LiveStatus
  status_reason: string | null
  last_error: DeviceLastError | null
  linked_at: number | null
  last_seen_at: number | null
}

export interface HealthView {
  status_reason: StatusReason | null
  last_error: { code: StatusReason; message: string; at: string } | null
  linked_at: string | null
  last_seen_at: string | null
}

/** As clients see it. A shown QR that expired with no new one is `qr_expired`; an authenticated device is seen now. */
export function healthView(mirror: HealthMirror, now: number, qrExpiresAt: number | null = null): HealthView {
  const expiredQr = mirror.status === 'qr_ready' && qrExpiresAt !== null && qrExpiresAt <= now
  const reason = expiredQr ? 'qr_expired' : mirror.status_reason
  const error = mirror.last_error
  const code = error?.code
  return {
    status_reason: reason !== null && isStatusReason(reason) ? reason : null,
    last_error: error && code && isStatusReason(code) ? { code, message: error.message, at: iso(error.at)! } : null,
    linked_at: iso(mirror.linked_at),
    last_seen_at: mirror.status === 'authenticated' ? iso(now) : iso(mirror.last_seen_at),
  }
}
