// The two WebSocket entry points of session nodes. The upgrade is authenticated by
// auth/node-auth.ts (mounted in app.ts); this hands the raw request to the Durable Object, which
// accepts the socket itself (so it can hibernate). Internal routes for session nodes,
// deliberately not part of the public OpenAPI document.
import { Hono } from 'hono'
import type { AppEnv } from '../../lib/app-env'
import { deviceOf, fleetOf } from '../../durable-objects/stubs'
import { ApiError } from '../../lib/errors'

function forwarded(request: Request, headers: Record<string, string>): Request {
  const copy = new Headers(request.headers)
  // Never trust identity headers from outside: only the values set here reach the DO.
  for (const name of ['X-Node-Id', 'X-Node-Epoch', 'X-Device-Id']) copy.delete(name)
  for (const [name, value] of Object.entries(headers)) copy.set(name, value)
  return new Request(request.url, { method: 'GET', headers: copy })
}

const requireUpgrade = (request: Request) => {
  if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') throw new ApiError('validation_error', 'Expected a WebSocket upgrade')
}

export const nodeSocketsRouter = new Hono<AppEnv>()
  .get('/connect', async (c) => {
    requireUpgrade(c.req.raw)
    const node = c.get('node')
    return fleetOf(c.env).fetch(forwarded(c.req.raw, { 'X-Node-Id': String(node.id) }))
  })
  .get('/devices/:deviceId/connect', async (c) => {
    requireUpgrade(c.req.raw)
    const node = c.get('node')
    const deviceId = Number(c.req.param('deviceId'))
    const epoch = Number(c.req.query('epoch'))
    if (!Number.isInteger(deviceId) || deviceId <= 0 || !Number.isInteger(epoch) || epoch < 0) {
      throw new ApiError('validation_error', 'device id and epoch must be integers')
    }
    return deviceOf(c.env, deviceId).fetch(
      forwarded(c.req.raw, { 'X-Node-Id': String(node.id), 'X-Node-Epoch': String(epoch), 'X-Device-Id': String(deviceId) }),
    )
  })
