import type { Context, ErrorHandler, NotFoundHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from './app-env'
import { errorBody } from './envelope'
import { ApiError } from './errors'

/** Maps what the framework itself throws onto the design's codes. */
function fromHttpException(err: HTTPException): ApiError {
  if (err.status === 400 || err.status === 415) {
    return new ApiError('invalid_json', 'Request body must be valid JSON sent as Content-Type: application/json')
  }
  if (err.status === 404) return new ApiError('not_found', 'Route not found')
  return new ApiError('validation_error', err.message)
}

export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const apiError = err instanceof ApiError ? err : err instanceof HTTPException ? fromHttpException(err) : undefined
  if (!apiError) {
    // The only place an unexpected failure is seen: logged with the request id, never sent.
    console.error(JSON.stringify({ level: 'error', msg: 'unhandled', requestId: c.get('requestId'), error: String(err), stack: err.stack }))
    return c.json(errorBody('internal_error', 'Internal server error', { request_id: c.get('requestId') }), 500)
  }
  for (const [name, value] of Object.entries(apiError.headers ?? {})) c.header(name, value)
  return c.json(errorBody(apiError.code, apiError.message, apiError.details), apiError.status)
}

export const notFound: NotFoundHandler<AppEnv> = (c: Context<AppEnv>) =>
  c.json(errorBody('not_found', `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404)
