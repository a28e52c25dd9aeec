// /dash: the dashboard, server-rendered with Hono JSX and enhanced by vendored htmx. Strict CSP
// (scripts and styles only from our own files), no caching of pages, CSRF refusal of any
// cross-site form post, and every page behind a server-side session scoped to one company
// (or, under /dash/admin, the operator).
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { secureHeaders } from 'hono/secure-headers'
import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../lib/app-env'
import { apiFor } from './api-client'
import type { DashEnv } from './dash-env'
import { currentSession, type SessionKind } from './sessions'
import { staticRouter } from './static'
import { loginPages } from './pages/login'
import { devicePages } from './pages/devices'
import { deviceDetailPages } from './pages/device'
import { messagePages } from './pages/messages'
import { reportPages } from './pages/reports'
import { webhookPages } from './pages/webhooks'
import { keyPages } from './pages/keys'
import { adminPages } from './pages/admin'
import { errorPage, notFoundPage } from './pages/not-found'

/** Signed in, or sent to the sign-in page (htmx requests get 401 with HX-Redirect). */
const requireSession = (kind: SessionKind) =>
  createMiddleware<DashEnv>(async (c, next) => {
    const session = await currentSession(c as never, kind)
    const login = kind === 'operator' ? '/dash/admin/login' : '/dash/login'
    if (!session) {
      if (c.req.header('HX-Request')) return c.body(null, 401, { 'HX-Redirect': login })
      return c.redirect(login, 303)
    }
    if (session.kind === 'company') {
      c.set('api', apiFor(c as never, session.caller))
      c.set('who', session.caller.company.name)
    } else {
      c.set('api', apiFor(c as never, 'admin'))
      c.set('who', 'Operator')
    }
    await next()
  })

export function dashRouter() {
  const dash = new Hono<DashEnv>()
  dash.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: 'same-origin',
    }),
  )
  dash.route('/static', staticRouter as unknown as Hono<DashEnv>)
  dash.use('*', csrf())
  dash.use('*', async (c, next) => {
    await next()
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store')
  })
  dash.get('/', (c) => c.redirect('/dash/devices', 303))
  dash.route('/', loginPages)
  // The sign-in pages were routed above: everything below needs a session.
  dash.use('/admin/*', requireSession('operator'))
  dash.route('/admin', adminPages)
  dash.use('*', requireSession('company'))
  for (const pages of [devicePages, deviceDetailPages, messagePages, reportPages, webhookPages, keyPages]) dash.route('/', pages)
  dash.all('*', (c) => notFoundPage(c))
  dash.onError((error, c) => errorPage(c, error))
  return dash as unknown as Hono<AppEnv>
}
