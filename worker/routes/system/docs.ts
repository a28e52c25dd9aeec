// The API reference: Redoc (vendored, served from here, so it works offline) rendering
// /api/openapi.json: the WhatsApp API's tags first, the admin API in its own group, a request
// example in curl, Python, JavaScript and PHP on every operation, descriptions as Markdown.
import { Hono } from 'hono'
import type { AppEnv } from '../../lib/app-env'
import redoc from './vendor/redoc-2.5.4.standalone.min.js'
import init from './docs.client.js'

// Redoc styles itself with inline <style> (styled-components) and searches in a blob: worker.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ')

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>Edge WhatsApp API reference</title>
</head>
<body>
<div id="redoc" data-spec-url="/api/openapi.json">Loading the API reference…</div>
<script src="/api/docs/redoc-2.5.4.standalone.js"></script>
<script src="/api/docs/docs.js"></script>
</body>
</html>
`

const script = (body: string) => ({
  body,
  headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=86400' },
})

export const docsRouter = new Hono<AppEnv>()
  .get('/docs', (c) => c.html(PAGE, 200, { 'Content-Security-Policy': CSP, 'Cache-Control': 'no-cache' }))
  .get('/docs/redoc-2.5.4.standalone.js', (c) => {
    const { body, headers } = script(redoc)
    return c.body(body, 200, headers)
  })
  .get('/docs/docs.js', (c) => {
    const { body, headers } = script(init)
    return c.body(body, 200, headers)
  })
