import { database } from '../../db/client'
import type { AppRouteHandler } from '../../lib/app-env'
import { ok } from '../../lib/envelope'
import { ApiError } from '../../lib/errors'
import { companyOf, deviceOf, eventFeedOf } from '../../durable-objects/stubs'
import { deviceIdOf } from '../../messaging/ids'
import { findDevice, listDevices, ownedDeviceId, scopeOf, type DeviceScope } from '../../db/devices'
import type * as routes from './messages.routes'
import type { MessageView } from './messages.schemas'
import { decodeCursor, encodeCursor } from '../../lib/cursor'
import { mediaKeyOf } from '../../messaging/inbound-media'

const messageNotFound = () => new ApiError('not_found', 'Message not found')

/** The device an id points at, if it is one of the caller's devices. */
const ownedDevice = (env: Env, scope: DeviceScope, deviceId: number | null) => ownedDeviceId(database(env.DB), scope, deviceId)

/** A message of one of the caller's devices, with that device; null for anything else. */
async function ownedMessage(env: Env, scope: DeviceScope, messageId: string): Promise<{ deviceId: number; message: MessageView } | null> {
  const deviceId = await ownedDevice(env, scope, deviceIdOf('msg', messageId))
  const message = deviceId === null ? null : await deviceOf(env, deviceId).message(messageId)
  return deviceId !== null && message ? { deviceId, message } : null
}

export const getMessage: AppRouteHandler<typeof routes.getMessage> = async (c) => {
  const owned = await ownedMessage(c.env, scopeOf(c.get('caller')), c.req.valid('param').message_id)
  if (!owned) throw messageNotFound()
  return c.json(ok(owned.message), 200)
}

/** Streams an inbound message's stored media to the company that owns the message. */
export const getMessageMedia: AppRouteHandler<typeof routes.getMessageMedia> = async (c) => {
  const { message_id } = c.req.valid('param')
  const media = (await ownedMessage(c.env, scopeOf(c.get('caller')), message_id))?.message.media
  const object = media?.url ? await c.env.MEDIA.get(mediaKeyOf(message_id)) : null
  if (!media || !object) throw new ApiError('not_found', 'This message has no stored media')
  const headers = new Headers({ 'Content-Type': media.mimetype, 'Content-Length': String(object.size) })
  if (media.file_name) headers.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(media.file_name)}`)
  return new Response(object.body, { headers }) as never
}

/** Marks an inbound message read on WhatsApp; an outbound one is a validation_error. */
export const markRead: AppRouteHandler<typeof routes.markMessageRead> = async (c) => {
  const { message_id } = c.req.valid('param')
  const deviceId = await ownedDevice(c.env, scopeOf(c.get('caller')), deviceIdOf('msg', message_id))
  const outcome = deviceId === null ? null : await deviceOf(c.env, deviceId).markRead(message_id)
  if (!outcome || (!outcome.ok && outcome.code === 'not_found')) throw messageNotFound()
  if (!outcome.ok && outcome.code === 'not_inbound') {
    throw new ApiError('validation_error', 'Only a received message can be marked read', [
      { field: 'message_id', message: outcome.message },
    ])
  }
  if (!outcome.ok) throw new ApiError('device_not_ready', `The device cannot reach WhatsApp now: ${outcome.message}`)
  return c.json(ok(outcome.message), 200)
}

export const getBatch: AppRouteHandler<typeof routes.getBatch> = async (c) => {
  const { batch_id } = c.req.valid('param')
  const deviceId = await ownedDevice(c.env, scopeOf(c.get('caller')), deviceIdOf('bat', batch_id))
  const batch = deviceId === null ? null : await deviceOf(c.env, deviceId).batch(batch_id)
  if (!batch) throw new ApiError('not_found', 'Batch not found')
  return c.json(ok(batch), 200)
}

/**
 * Whose messages a listing reads: the one device named or owning the batch (null when the batch
 * is not the caller's, or not that device's), or the whole company when neither is given.
 */
async function listedDevice(
  env: Env,
  scope: DeviceScope,
  query: { batch_id?: string; device_id?: number },
): Promise<number | null | 'company'> {
  if (query.batch_id !== undefined) {
    const owner = await ownedDevice(env, scope, deviceIdOf('bat', query.batch_id))
    return owner === null || (query.device_id !== undefined && query.device_id !== owner) ? null : owner
  }
  if (query.device_id !== undefined) return (await findDevice(database(env.DB), scope, query.device_id)).id
  return 'company'
}

/**
 * Newest first. One device's (named, or owning the batch) come from its ledger; the whole
 * company's from its listing in EventFeedDO (message-index.ts), one call however many devices
 * it has, limited to the devices that exist and the caller's key may see.
 */
export const listMessages: AppRouteHandler<typeof routes.listMessages> = async (c) => {
  const query = c.req.valid('query')
  const scope = scopeOf(c.get('caller'))
  const db = database(c.env.DB)
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined
  const filters = {
    ...(query.direction && { direction: query.direction }),
    ...(query.chat_id && { chatId: query.chat_id }),
    ...(cursor && { before: { createdAt: cursor.t, messageId: cursor.id } }),
    limit: query.limit + 1,
  }
  const deviceId = await listedDevice(c.env, scope, query)
  let merged: MessageView[]
  if (deviceId === 'company') {
    const deviceIds = (await listDevices(db, scope)).map((d) => d.id)
    merged = await eventFeedOf(c.env, scope.companyId).messages({ ...filters, deviceIds, ...(query.status && { status: query.status }) })
  } else {
    const ledgerQuery = { ...filters, ...(query.status && { status: [query.status] }), ...(query.batch_id && { batchId: query.batch_id }) }
    merged = deviceId === null ? [] : await deviceOf(c.env, deviceId).messages(ledgerQuery)
  }
  const page = merged.slice(0, query.limit)
  const last = page.at(-1)
  return c.json(
    ok({
      messages: page,
      next_cursor: merged.length > query.limit && last ? encodeCursor({ t: Date.parse(last.created_at), id: last.message_id }) : null,
    }),
    200,
  )
}

/** Newest first across the company's devices (or one device), merged by (created_at, batch_id). */
export const listBatches: AppRouteHandler<typeof routes.listBatches> = async (c) => {
  const query = c.req.valid('query')
  const scope = scopeOf(c.get('caller'))
  const db = database(c.env.DB)
  const deviceIds =
    query.device_id !== undefined ? [(await findDevice(db, scope, query.device_id)).id] : (await listDevices(db, scope)).map((d) => d.id)
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined
  const pages = await Promise.all(
    deviceIds.map((id) =>
      deviceOf(c.env, id).batches({ ...(cursor && { before: { createdAt: cursor.t, batchId: cursor.id } }), limit: query.limit + 1 }),
    ),
  )
  const merged = pages.flat().sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || (a.batch_id < b.batch_id ? 1 : -1))
  const page = merged.slice(0, query.limit)
  const last = page.at(-1)
  return c.json(
    ok({
      batches: page,
      next_cursor: merged.length > query.limit && last ? encodeCursor({ t: Date.parse(last.created_at), id: last.batch_id }) : null,
    }),
    200,
  )
}

export const getQuota: AppRouteHandler<typeof routes.getQuota> = async (c) => {
  const caller = c.get('caller')
  return c.json(ok(await companyOf(c.env, caller.company.id).quota({ limit: caller.company.monthlyQuota })), 200)
}
