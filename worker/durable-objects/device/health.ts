// Why a device is down, and since when it was linked and last seen: the bookkeeping every status
// change brings with it, computed inside setLive's transaction (health-view.ts: how clients see it).
import { isStatusReason, STATUS_REASON_TEXT, type StatusReason } from '../../../protocol/status-reasons'
import type { LiveStatus } from '../../../protocol/frames'
import type { DeviceState } from './device-store'
import type { HealthMirror } from './health-view'

export { healthView, type HealthMirror, type HealthView } from './health-view'

/** A node's reason as a code: current nodes send codes; older ones free text, read by its meaning. */
export function reasonCodeOf(status: LiveStatus, raw: string | undefined): StatusReason | null {
  if (raw === undefined || raw === '') return null
  if (isStatusReason(raw)) return raw
  if (raw === 'replaced') return 'replaced_elsewhere'
  if (raw === 'forbidden' || raw === 'multidevice_mismatch') return 'refused_by_whatsapp'
  return status === 'error' ? 'session_error' : 'cannot_reach_whatsapp'
}

/** What else changes with `changes`: linked_at, last_seen_at and the last error. */
export function healthChanges(before: DeviceState, changes: Partial<DeviceState>, now: number): Partial<DeviceState> {
  const status = changes.status ?? before.status
  const reason = changes.status_reason !== undefined ? changes.status_reason : before.status_reason
  const derived: Partial<DeviceState> = {}
  if (status === 'authenticated' && before.status !== 'authenticated') derived.linked_at = before.linked_at ?? now
  if (before.status === 'authenticated' && status !== 'authenticated') derived.last_seen_at = now
  if (status === 'error' && reason === 'logged_out') derived.linked_at = null
  const detail = changes.status_detail !== undefined ? changes.status_detail : null
  const isNew = reason !== before.status_reason || (detail !== null && detail !== before.status_detail)
  // Pausing is the owner's choice, not something that went wrong.
  if (changes.status_reason && reason !== 'paused' && isNew) {
    derived.last_error_code = reason
    derived.last_error_message = detail ?? (isStatusReason(reason!) ? STATUS_REASON_TEXT[reason] : reason)
    derived.last_error_at = now
  }
  return derived
}

export function mirrorOf(state: DeviceState): HealthMirror {
  return {
    status: state.status,
    status_reason: state.status_reason,
    last_error:
      state.last_error_code === null
        ? null
        : { code: state.last_error_code, message: state.last_error_message ?? '', at: state.last_error_at ?? 0 },
    linked_at: state.linked_at,
    last_seen_at: state.last_seen_at,
  }
}
