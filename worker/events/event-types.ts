// What a company is told happened: the event types, and the envelope every event travels in
// (the pull feed, webhooks and replays carry exactly this body). An event's `sequence` grows per
// device; its id is derived from its source (event-id.ts), so the same change told twice (a
// resent frame, a notify/append overlap) is one event.
export const EVENT_TYPES = [
  'message.received',
  'message.sent',
  'message.delivered',
  'message.read',
  'message.failed',
  'message.cancelled',
  'message.reaction',
  'message.edited',
  'message.deleted',
  'device.status',
  'batch.completed',
  'webhook.test',
] as const

export type EventType = (typeof EVENT_TYPES)[number]

export const isEventType = (value: string): value is EventType => (EVENT_TYPES as readonly string[]).includes(value)

/** What an event's `data` holds: a plain JSON object. */
export type JsonObject = Record<string, unknown>

export interface EventEnvelope {
  id: string
  type: EventType
  /** ISO 8601, when the change happened. */
  created_at: string
  /** The device it happened on; null only for `webhook.test`. */
  device_id: number | null
  /** Grows by one per event of the device (0 for `webhook.test`). */
  sequence: number
  data: JsonObject
}
