import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../lib/app-env'
import { ApiError } from '../lib/errors'
import { authenticateNode } from './node-token'

/**
 * The session nodes' way in (their WebSocket upgrades and media uploads): `Authorization: Bearer
 * <NODE_TOKEN>`. The node it names goes in `c.var.node`.
 */
export const nodeAuth = createMiddleware<AppEnv>(async (c, next) => {
  const node = await authenticateNode(c.env.DB, c.req.header('Authorization'))
  if (!node) throw new ApiError('unauthorized', 'Missing or invalid node token')
  c.set('node', node)
  await next()
})
