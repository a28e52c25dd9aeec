import { createRouter } from '../../lib/create-router'
import * as deliveries from './deliveries.handlers'
import * as handlers from './webhooks.handlers'
import * as routes from './webhooks.routes'

export const webhooksRouter = createRouter()
  .openapi(routes.listWebhooks, handlers.list)
  .openapi(routes.createWebhook, handlers.create)
  .openapi(routes.getWebhook, handlers.get)
  .openapi(routes.updateWebhook, handlers.update)
  .openapi(routes.deleteWebhook, handlers.remove)
  .openapi(routes.rotateSecret, handlers.rotateSecret)
  .openapi(routes.testWebhook, deliveries.test)
  .openapi(routes.listDeliveries, deliveries.list)
  .openapi(routes.getDelivery, deliveries.get)
  .openapi(routes.retryDelivery, deliveries.retry)
  .openapi(routes.replayWebhook, deliveries.replay)
