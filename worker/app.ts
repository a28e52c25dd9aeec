import { requestId } from 'hono/request-id'
import { adminAuth } from './auth/admin-auth'
import { apiKeyAuth } from './auth/api-key-auth'
import { nodeAuth } from './auth/node-auth'
import { createRouter } from './lib/create-router'
import { limitBodies, limitJsonDepth } from './lib/body-limits'
import { notFound, onError } from './lib/on-error'
import { apiKeysRouter } from './routes/admin/api-keys/api-keys.index'
import { companiesRouter } from './routes/admin/companies/companies.index'
import { nodesRouter } from './routes/admin/nodes/nodes.index'
import { devicesRouter } from './routes/devices/devices.index'
import { messagesRouter } from './routes/messages/messages.index'
import { eventsRouter } from './routes/events/events.index'
import { webhooksRouter } from './routes/webhooks/webhooks.index'
import { sandboxRouter } from './routes/sandbox/sandbox.index'
import { contactsRouter } from './routes/contacts/contacts.index'
import { ownApiKeysRouter } from './routes/api-keys/api-keys.index'
import { usageRouter } from './routes/usage/usage.index'
import { loginLinksRouter } from './routes/admin/login-links/login-links.index'
import { dashRouter } from './dash/dash.index'
import { bindApi } from './dash/api-client'
import { nodeSocketsRouter } from './routes/node-sockets/node-sockets'
import { nodeMediaRouter } from './routes/node-sockets/node-media'
import { docsRouter } from './routes/system/docs'
import { systemRouter } from './routes/system/system.index'
import { describeDocument, openApiDocument } from './routes/system/openapi-document'

export function createApp() {
  const app = createRouter()
  app.use('*', requestId({ headerName: 'X-Request-Id' }))
  app.onError(onError)
  app.notFound(notFound)

  app.use('/api/*', limitBodies)
  app.use('/api/admin/*', adminAuth)
  app.use('/api/whatsapp/*', apiKeyAuth('whatsapp'))
  app.use('/api/nodes/*', nodeAuth)
  // Only once the caller is known: nobody unauthenticated makes the worker read a body.
  app.use('/api/*', limitJsonDepth)

  app.route('/api', systemRouter)
  app.route('/api/admin', companiesRouter)
  app.route('/api/admin', apiKeysRouter)
  app.route('/api/admin', nodesRouter)
  app.route('/api/admin', loginLinksRouter)
  app.route('/api/whatsapp', devicesRouter)
  app.route('/api/whatsapp', messagesRouter)
  app.route('/api/whatsapp', webhooksRouter)
  app.route('/api/whatsapp', eventsRouter)
  app.route('/api/whatsapp', sandboxRouter)
  app.route('/api/whatsapp', contactsRouter)
  app.route('/api/whatsapp', ownApiKeysRouter)
  app.route('/api/whatsapp', usageRouter)
  app.route('/api/nodes', nodeSocketsRouter)
  app.route('/api/nodes', nodeMediaRouter)

  app.openAPIRegistry.registerComponent('securitySchemes', 'ApiKey', { type: 'apiKey', in: 'header', name: 'X-API-Key' })
  app.openAPIRegistry.registerComponent('securitySchemes', 'AdminToken', { type: 'http', scheme: 'bearer' })
  describeDocument(app)
  app.get('/api/openapi.json', (c) => c.json(openApiDocument(app)))
  app.route('/api', docsRouter)
  // The dashboard acts through this same app, in-process, as its signed-in caller.
  bindApi((request, env, ctx) => app.fetch(request, env, ctx))
  app.route('/dash', dashRouter())
  return app
}
