import { database } from '../../db/client'
import { findDevice, scopeOf } from '../../db/devices'
import { eventFeedOf } from '../../durable-objects/stubs'
import type { EventType } from '../../events/event-types'
import { createRouter } from '../../lib/create-router'
import { ok } from '../../lib/envelope'
import { ApiError } from '../../lib/errors'
import * as routes from './events.routes'
import type { EventSchema } from './events.schemas'
import type { z } from '@hono/zod-openapi'

export const eventsRouter = createRouter().openapi(routes.listEvents, async (c) => {
  const query = c.req.valid('query')
  const caller = c.get('caller')
  const companyId = caller.company.id
  if (query.device_id !== undefined) await findDevice(database(c.env.DB), scopeOf(caller), query.device_id)
  const deviceIds = query.device_id !== undefined ? [query.device_id] : caller.apiKey.deviceIds
  const types = query.type?.split(',').map((t) => t.trim() as EventType)
  const events = await eventFeedOf(c.env, companyId).page({
    ...(query.after !== undefined && { after: query.after }),
    ...(types && { types }),
    ...(deviceIds !== null && { deviceIds: [...deviceIds] }),
    limit: query.limit + 1,
  })
  if (events === null) {
    throw new ApiError('validation_error', 'Unknown event id in after', [
      { field: 'after', message: 'no such event: it is older than 30 days or not one of this company' },
    ])
  }
  const page = events.slice(0, query.limit).map((body) => JSON.parse(body) as z.infer<typeof EventSchema>)
  return c.json(ok({ events: page, has_more: events.length > query.limit }), 200)
})
