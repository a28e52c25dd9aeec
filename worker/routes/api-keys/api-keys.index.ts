import { createRouter } from '../../lib/create-router'
import * as handlers from './api-keys.handlers'
import * as routes from './api-keys.routes'

export const ownApiKeysRouter = createRouter()
  .openapi(routes.listOwnApiKeys, handlers.list)
  .openapi(routes.createOwnApiKey, handlers.create)
  .openapi(routes.revokeOwnApiKey, handlers.revoke)
