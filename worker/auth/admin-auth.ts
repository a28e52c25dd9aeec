import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../lib/app-env'
import { sha256Hex, timingSafeEqualStrings } from '../lib/crypto'
import { ApiError } from '../lib/errors'

/** `Authorization: Bearer <ADMIN_TOKEN>`; both sides are hashed so the comparison is constant-time. */
export const adminAuth = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN
  const presented = /^Bearer\s+(.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1]?.trim()
  if (!expected || !presented) throw new ApiError('unauthorized', 'Missing or invalid admin token')
  const [a, b] = await Promise.all([sha256Hex(presented), sha256Hex(expected)])
  if (!timingSafeEqualStrings(a, b)) throw new ApiError('unauthorized', 'Missing or invalid admin token')
  await next()
})
