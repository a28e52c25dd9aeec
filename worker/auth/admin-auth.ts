import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../lib/app-env'
import { sha256Hex, timingSafeEqualStrings } from '../lib/crypto'
import { ApiError } from '../lib/errors'
import { internalCallerOf } from './internal-callers'

/** Shorter than this, a token can be guessed; the admin API refuses to run on one. */
export const MIN_ADMIN_TOKEN_LENGTH = 32

/** `Authorization: Bearer <ADMIN_TOKEN>`; both sides are hashed so the comparison is constant-time. */
export const adminAuth = createMiddleware<AppEnv>(async (c, next) => {
  // The operator's dashboard session, checked by the dashboard before it asked.
  if (internalCallerOf(c.req.raw) === 'admin') return next()
  const expected = c.env.ADMIN_TOKEN
  if (!expected || expected.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new ApiError(
      'admin_disabled',
      `The admin API is disabled: set the ADMIN_TOKEN secret to a random string of at least ${MIN_ADMIN_TOKEN_LENGTH} characters`,
    )
  }
  const presented = /^Bearer\s+(.+)$/i.exec(c.req.header('Authorization') ?? '')?.[1]?.trim()
  if (!presented) throw new ApiError('unauthorized', 'Missing or invalid admin token')
  const [a, b] = await Promise.all([sha256Hex(presented), sha256Hex(expected)])
  if (!timingSafeEqualStrings(a, b)) throw new ApiError('unauthorized', 'Missing or invalid admin token')
  await next()
})
