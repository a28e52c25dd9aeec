// A delivery as the API shows it, and with its attempts and event for the detail route.
import { iso } from '../../lib/time'
import type { AttemptRow, DeliveryRow, DeliveryStatus } from './delivery-store'

export type DeliveryOrigin = 'live' | 'test' | 'replay'

export interface DeliveryView {
  delivery_id: string
  event_id: string
  event_type: string
  device_id: number | null
  status: DeliveryStatus
  /** "live", "test", or "replay" (a replay's deliveries also carry its id in `replay_id`). */
  origin: DeliveryOrigin
  replay_id: string | null
  attempts: number
  next_attempt_at: string | null
  last_http_status: number | null
  last_error: string | null
  created_at: string
  updated_at: string
}

export interface AttemptView {
  attempt: number
  started_at: string
  duration_ms: number
  http_status: number | null
  response_snippet: string | null
  error: string | null
}

/** `event` is the delivered body as a plain object (typed loosely: the API schema documents it). */
export type DeliveryDetail = DeliveryView & { event: Record<string, string | number | boolean | null | object>; attempt_log: AttemptView[] }

export function toDeliveryView(row: DeliveryRow): DeliveryView {
  const [origin, replayId = null] = row.origin.split(':') as [DeliveryOrigin, string?]
  return {
    delivery_id: row.delivery_id,
    event_id: row.event_id,
    event_type: row.event_type,
    device_id: row.device_id,
    status: row.status,
    origin,
    replay_id: replayId,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    last_http_status: row.last_http_status,
    last_error: row.last_error,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  }
}

export function toDeliveryDetail(row: DeliveryRow, attempts: AttemptRow[]): DeliveryDetail {
  return {
    ...toDeliveryView(row),
    event: JSON.parse(row.body) as DeliveryDetail['event'],
    attempt_log: attempts.map((a) => ({ ...a, started_at: iso(a.started_at)! })),
  }
}
