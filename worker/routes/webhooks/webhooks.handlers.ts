import { database, type Db } from '../../db/client'
import { firstForeignDevice } from '../../db/devices'
import type { WebhookEndpoint } from '../../db/schema'
import * as store from '../../db/webhooks'
import { endpointOf, eventFeedOf } from '../../durable-objects/stubs'
import type { AppRouteHandler } from '../../lib/app-env'
import { ok } from '../../lib/envelope'
import { ApiError } from '../../lib/errors'
import { settingsOf } from '../../lib/settings'
import { webhookUrlProblem } from '../../webhooks/url-policy'
import type * as routes from './webhooks.routes'
import { MAX_WEBHOOKS, toWebhookJson } from './webhooks.schemas'

const invalid = (field: string, message: string) => new ApiError('validation_error', `Invalid ${field}`, [{ field, message }])

/** The URL is one deliveries may go to, and every device named is the company's. */
async function checkFields(env: Env, db: Db, companyId: number, fields: { url?: string; device_ids?: number[] | null }): Promise<void> {
  if (fields.url !== undefined) {
    const problem = webhookUrlProblem(fields.url, settingsOf(env).webhookAllowPrivate)
    if (problem) throw invalid('url', problem)
  }
  if (fields.device_ids) {
    const stranger = await firstForeignDevice(db, companyId, fields.device_ids)
    if (stranger !== undefined) throw invalid('device_ids', `device ${stranger} is not one of this company's devices`)
  }
}

/** Tells the endpoint's object what it now is, and the company's feed to read its endpoints again. */
async function publish(env: Env, endpoint: WebhookEndpoint): Promise<{ secret: string | null }> {
  const configured = await endpointOf(env, endpoint.id).configure({
    endpointId: endpoint.id,
    companyId: endpoint.companyId,
    url: endpoint.url,
    active: endpoint.isActive,
  })
  await eventFeedOf(env, endpoint.companyId).subscriptionsChanged()
  return configured
}

export const list: AppRouteHandler<typeof routes.listWebhooks> = async (c) => {
  const rows = await store.listWebhooks(database(c.env.DB), c.get('caller').company.id)
  return c.json(ok(rows.map(toWebhookJson)), 200)
}

export const create: AppRouteHandler<typeof routes.createWebhook> = async (c) => {
  const body = c.req.valid('json')
  const db = database(c.env.DB)
  const companyId = c.get('caller').company.id
  await checkFields(c.env, db, companyId, body)
  const existing = await store.countWebhooks(db, companyId)
  if (existing >= MAX_WEBHOOKS) {
    throw new ApiError('webhook_limit_reached', `A company may have at most ${MAX_WEBHOOKS} webhook endpoints; delete one first`, {
      max_webhooks: MAX_WEBHOOKS,
      webhooks: existing,
    })
  }
  const endpoint = await store.createWebhook(db, companyId, {
    url: body.url,
    description: body.description ?? null,
    eventTypes: body.event_types,
    deviceIds: body.device_ids ?? null,
    isActive: body.is_active ?? true,
  })
  let secret: string | null
  try {
    secret = (await publish(c.env, endpoint)).secret
  } catch (error) {
    // An endpoint with no object to deliver for it would silently get nothing: undo it.
    await store.deleteWebhook(db, companyId, endpoint.id)
    throw error
  }
  if (secret === null) throw new Error('a new endpoint object already had a secret')
  return c.json(ok({ ...toWebhookJson(endpoint), secret }), 201)
}

export const get: AppRouteHandler<typeof routes.getWebhook> = async (c) => {
  const endpoint = await store.findWebhook(database(c.env.DB), c.get('caller').company.id, c.req.valid('param').id)
  return c.json(ok(toWebhookJson(endpoint)), 200)
}

export const update: AppRouteHandler<typeof routes.updateWebhook> = async (c) => {
  const body = c.req.valid('json')
  const { id } = c.req.valid('param')
  const db = database(c.env.DB)
  const companyId = c.get('caller').company.id
  await store.findWebhook(db, companyId, id)
  await checkFields(c.env, db, companyId, body)
  const endpoint = await store.updateWebhook(db, companyId, id, {
    ...(body.url !== undefined && { url: body.url }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.event_types !== undefined && { eventTypes: body.event_types }),
    ...(body.device_ids !== undefined && { deviceIds: body.device_ids }),
    ...(body.is_active !== undefined && { isActive: body.is_active }),
  })
  await publish(c.env, endpoint)
  return c.json(ok(toWebhookJson(endpoint)), 200)
}

export const remove: AppRouteHandler<typeof routes.deleteWebhook> = async (c) => {
  const { id } = c.req.valid('param')
  const companyId = c.get('caller').company.id
  await store.deleteWebhook(database(c.env.DB), companyId, id)
  await eventFeedOf(c.env, companyId).subscriptionsChanged(id)
  await endpointOf(c.env, id).destroy()
  return c.json(ok({ id, deleted: true as const }), 200)
}

export const rotateSecret: AppRouteHandler<typeof routes.rotateSecret> = async (c) => {
  const { id } = c.req.valid('param')
  await store.findWebhook(database(c.env.DB), c.get('caller').company.id, id)
  const rotated = await endpointOf(c.env, id).rotateSecret()
  return c.json(ok({ secret: rotated.secret, previous_secret_expires_at: new Date(rotated.previous_expires_at).toISOString() }), 200)
}
