// The dashboard's static files, served by the worker itself (no [assets]: nothing under /dash can
// bypass the worker, and tests fetch them like any route). Versioned names, cached for a year.
import { Hono } from 'hono'
import type { AppEnv } from '../lib/app-env'
import css from './static/dash.css'
import client from './static/dash.client.js'
import htmx from './static/vendor/htmx-2.0.11.min.js'
import sse from './static/vendor/htmx-ext-sse-2.2.4.min.js'

/** Bumped with any change to our own files, so a browser never keeps an old copy. */
export const ASSET_VERSION = '2'

export const STATIC_FILES: Record<string, { body: string; type: string }> = {
  [`dash-${ASSET_VERSION}.css`]: { body: css, type: 'text/css; charset=utf-8' },
  [`dash-${ASSET_VERSION}.js`]: { body: client, type: 'text/javascript; charset=utf-8' },
  'htmx-2.0.11.min.js': { body: htmx, type: 'text/javascript; charset=utf-8' },
  'htmx-ext-sse-2.2.4.min.js': { body: sse, type: 'text/javascript; charset=utf-8' },
}

export const staticRouter = new Hono<AppEnv>().get('/:file', (c) => {
  const file = STATIC_FILES[c.req.param('file')]
  if (!file) return c.text('Not found', 404)
  return c.body(file.body, 200, { 'Content-Type': file.type, 'Cache-Control': 'public, max-age=31536000, immutable' })
})
