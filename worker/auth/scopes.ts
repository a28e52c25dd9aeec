// What an API key may do: its scopes (a route names the one it needs, in its OpenAPI security and
// in its middleware) and the devices it may touch. Anything outside is `insufficient_scope` 403,
// with what was missing in `details.required`: scope names, or `device:<id>`.
import { createMiddleware } from 'hono/factory'
import type { ApiKeyScope } from '../db/schema'
import type { AppEnv } from '../lib/app-env'
import { ApiError } from '../lib/errors'

export { API_KEY_SCOPES, grantedScopes, type ApiKeyScope } from '../db/schema'

export const insufficientScope = (required: string[], message: string) => new ApiError('insufficient_scope', message, { required })

const requireScope = (scope: ApiKeyScope) =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.get('caller').apiKey.scopes.includes(scope)) throw insufficientScope([scope], `This API key lacks the ${scope} scope`)
    await next()
  })

/** Spread into a public route: its OpenAPI security names the scope, and its middleware requires it. */
export const scoped = (scope: ApiKeyScope) => ({ security: [{ ApiKey: [scope] }], middleware: [requireScope(scope)] })

/** A public route any valid key may call (its OpenAPI security names no scope). */
export const anyScope = { security: [{ ApiKey: [] }] }
