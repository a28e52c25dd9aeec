// Which events an endpoint takes: its `event_types` (exact names, or "*" for all) and, when
// set, only events of its `device_ids`. Exact names only, no aliases or prefixes: one event
// never matches an endpoint twice.
import type { EventEnvelope } from '../events/event-types'

export interface Subscription {
  id: number
  eventTypes: string[]
  deviceIds: number[] | null
}

export function wants(subscription: Subscription, event: Pick<EventEnvelope, 'type' | 'device_id'>): boolean {
  const typeOk = subscription.eventTypes.includes('*') || subscription.eventTypes.includes(event.type)
  const deviceOk = subscription.deviceIds === null || (event.device_id !== null && subscription.deviceIds.includes(event.device_id))
  return typeOk && deviceOk
}
