import { createRouter } from '../../../lib/create-router'
import * as handlers from './api-keys.handlers'
import * as routes from './api-keys.routes'

export const apiKeysRouter = createRouter()
  .openapi(routes.createApiKey, handlers.create)
  .openapi(routes.listApiKeys, handlers.list)
  .openapi(routes.updateApiKey, handlers.update)
  .openapi(routes.revokeApiKey, handlers.revoke)
