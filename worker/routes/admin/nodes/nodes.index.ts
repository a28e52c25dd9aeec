import { createRouter } from '../../../lib/create-router'
import * as handlers from './nodes.handlers'
import * as routes from './nodes.routes'

export const nodesRouter = createRouter()
  .openapi(routes.registerNode, handlers.register)
  .openapi(routes.listNodes, handlers.list)
  .openapi(routes.updateNode, handlers.update)
  .openapi(routes.drainNode, handlers.setDrained(true))
  .openapi(routes.undrainNode, handlers.setDrained(false))
