import { database } from '../../db/client'
import * as store from '../../db/webhooks'
import { endpointOf, eventFeedOf } from '../../durable-objects/stubs'
import { derivedId } from '../../events/event-id'
import type { EventEnvelope, EventType } from '../../events/event-types'
import type { AppRouteHandler } from '../../lib/app-env'
import { decodeCursor, encodeCursor } from '../../lib/cursor'
import { ok } from '../../lib/envelope'
import { ApiError } from '../../lib/errors'
import type * as routes from './webhooks.routes'

/** Events one replay may send again. */
const MAX_REPLAY_EVENTS = 10_000
/** Events handed to the endpoint's object per call. */
const REPLAY_CHUNK = 500

const deliveryNotFound = () => new ApiError('not_found', 'Delivery not found')
const randomToken = () => crypto.randomUUID()

export const test: AppRouteHandler<typeof routes.testWebhook> = async (c) => {
  const { id } = c.req.valid('param')
  await store.findWebhook(database(c.env.DB), c.get('caller').company.id, id)
  const event: EventEnvelope = {
    id: derivedId('evt', `webhook.test|${id}|${randomToken()}`),
    type: 'webhook.test',
    created_at: new Date().toISOString(),
    device_id: null,
    sequence: 0,
    data: { webhook_id: id, message: 'This is a test event from the Edge WhatsApp API.' },
  }
  const added = await endpointOf(c.env, id).enqueue([event], 'test')
  return c.json(ok({ event_id: event.id, queued: added === 1 }), 202)
}

export const list: AppRouteHandler<typeof routes.listDeliveries> = async (c) => {
  const { id } = c.req.valid('param')
  const query = c.req.valid('query')
  await store.findWebhook(database(c.env.DB), c.get('caller').company.id, id)
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined
  const rows = await endpointOf(c.env, id).deliveries({
    ...(query.status && { status: query.status }),
    ...(query.event_type && { eventType: query.event_type }),
    ...(cursor && { before: { createdAt: cursor.t, deliveryId: cursor.id } }),
    limit: query.limit + 1,
  })
  const page = rows.slice(0, query.limit)
  const last = page[page.length - 1]
  const next = rows.length > query.limit && last ? encodeCursor({ t: Date.parse(last.created_at), id: last.delivery_id }) : null
  return c.json(ok({ deliveries: page, next_cursor: next }), 200)
}

export const get: AppRouteHandler<typeof routes.getDelivery> = async (c) => {
  const { id, delivery_id } = c.req.valid('param')
  await store.findWebhook(database(c.env.DB), c.get('caller').company.id, id)
  const delivery = await endpointOf(c.env, id).delivery(delivery_id)
  if (!delivery) throw deliveryNotFound()
  return c.json(ok(delivery), 200)
}

export const retry: AppRouteHandler<typeof routes.retryDelivery> = async (c) => {
  const { id, delivery_id } = c.req.valid('param')
  await store.findWebhook(database(c.env.DB), c.get('caller').company.id, id)
  const delivery = await endpointOf(c.env, id).retry(delivery_id)
  if (!delivery) throw deliveryNotFound()
  return c.json(ok(delivery), 200)
}

export const replay: AppRouteHandler<typeof routes.replayWebhook> = async (c) => {
  const { id } = c.req.valid('param')
  const body = c.req.valid('json')
  const companyId = c.get('caller').company.id
  const endpoint = await store.findWebhook(database(c.env.DB), companyId, id)
  const since = Date.parse(body.since)
  const until = body.until === undefined ? Date.now() : Date.parse(body.until)
  if (until <= since) throw new ApiError('validation_error', 'Invalid until', [{ field: 'until', message: 'must be after since' }])
  // Of the types asked for, those the endpoint takes.
  const takesAll = endpoint.eventTypes.includes('*')
  const types: string[] = body.event_types
    ? body.event_types.filter((type: EventType) => takesAll || endpoint.eventTypes.includes(type))
    : endpoint.eventTypes
  const bodies =
    types.length === 0
      ? []
      : await eventFeedOf(c.env, companyId).range({ since, until, types, deviceIds: endpoint.deviceIds, limit: MAX_REPLAY_EVENTS })
  const events = bodies.map((body) => JSON.parse(body) as EventEnvelope)
  const replayId = derivedId('rpl', `${id}|${randomToken()}`)
  for (let start = 0; start < events.length; start += REPLAY_CHUNK) {
    await endpointOf(c.env, id).enqueue(events.slice(start, start + REPLAY_CHUNK), `replay:${replayId}`)
  }
  return c.json(ok({ replay_id: replayId, events: events.length }), 202)
}
