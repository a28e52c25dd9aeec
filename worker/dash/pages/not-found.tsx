// The dashboard's own 404 and error pages (HTML, with the request id to quote; never a stack).
import { HTTPException } from 'hono/http-exception'
import { ApiError } from '../../lib/errors'
import type { DashContext } from '../dash-env'
import { Layout } from '../layout'

export function notFoundPage(c: DashContext) {
  const nav = c.req.path.startsWith('/dash/admin') ? 'operator' : c.get('api') ? 'company' : 'none'
  return c.html(
    <Layout title="Not found" nav={nav} who={c.get('who')}>
      <h1>Not found</h1>
      <p>There is nothing here, or it belongs to another company.</p>
      <p>
        <a href="/dash/devices">Back to your devices</a>
      </p>
    </Layout>,
    404,
  )
}

export function errorPage(c: DashContext, error: Error) {
  if (error instanceof ApiError && error.status === 404) return notFoundPage(c)
  // csrf() refuses a cross-site form post with a 403 of its own.
  if (error instanceof HTTPException) return c.text(error.message || 'Forbidden', error.status)
  const requestId = c.get('requestId')
  if (!(error instanceof ApiError)) console.error(JSON.stringify({ msg: 'dashboard error', requestId, error: String(error) }))
  const status = error instanceof ApiError ? error.status : 500
  return c.html(
    <Layout title="Something went wrong" nav="none">
      <h1>Something went wrong</h1>
      <p>{error instanceof ApiError ? `${error.code}: ${error.message}` : 'An unexpected error; it was logged.'}</p>
      <p class="muted">Request id: {requestId}</p>
    </Layout>,
    status,
  )
}
