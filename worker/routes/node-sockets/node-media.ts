// Inbound media, uploaded by the session node that runs the device (frames are capped at 4 MB,
// so media travels beside them): `PUT /api/nodes/devices/{id}/media/{wa_message_id}` with the
// node token, a Content-Type and a Content-Length (R2 takes a stream only with a known length).
// Only the device's current node may upload. Stored in R2 under the inbound message's id, and
// served to the owning company by GET /whatsapp/messages/{id}/media. Internal, not in OpenAPI.
import { Hono } from 'hono'
import { deviceOf } from '../../durable-objects/stubs'
import type { AppEnv } from '../../lib/app-env'
import { ApiError, deviceNotFound } from '../../lib/errors'
import { inboundMessageId } from '../../messaging/ids'
import { MAX_INBOUND_MEDIA_BYTES, mediaKeyOf } from '../../messaging/inbound-media'

export const nodeMediaRouter = new Hono<AppEnv>().put('/devices/:deviceId/media/:waMessageId', async (c) => {
  const deviceId = Number(c.req.param('deviceId'))
  const waMessageId = c.req.param('waMessageId')
  if (!Number.isInteger(deviceId) || deviceId <= 0 || waMessageId.length === 0 || waMessageId.length > 128) {
    throw new ApiError('validation_error', 'device id and message id are required')
  }
  const live = await deviceOf(c.env, deviceId).live()
  if (live.deleted || live.node_id !== c.get('node').id) throw deviceNotFound()
  const length = Number(c.req.header('Content-Length'))
  if (!Number.isInteger(length) || length <= 0) throw new ApiError('validation_error', 'Content-Length is required')
  if (length > MAX_INBOUND_MEDIA_BYTES) throw new ApiError('validation_error', `Media larger than ${MAX_INBOUND_MEDIA_BYTES} bytes`)
  const body = c.req.raw.body
  if (!body) throw new ApiError('validation_error', 'A body is required')
  const contentType = c.req.header('Content-Type') ?? 'application/octet-stream'
  await c.env.MEDIA.put(mediaKeyOf(inboundMessageId(deviceId, waMessageId)), body, { httpMetadata: { contentType } })
  return c.json({ success: true, data: { stored: true, bytes: length } }, 201)
})
