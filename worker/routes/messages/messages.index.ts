import { createRouter } from '../../lib/create-router'
import * as routes from './messages.routes'
import * as read from './read.handlers'
import * as write from './send.handlers'

export const messagesRouter = createRouter()
  .openapi(routes.send, write.send)
  .openapi(routes.sendBulk, write.sendBulk)
  .openapi(routes.getMessage, read.getMessage)
  .openapi(routes.getMessageMedia, read.getMessageMedia)
  .openapi(routes.markMessageRead, read.markRead)
  .openapi(routes.cancelMessage, write.cancelMessage)
  .openapi(routes.listMessages, read.listMessages)
  .openapi(routes.getBatch, read.getBatch)
  .openapi(routes.listBatches, read.listBatches)
  .openapi(routes.getQuota, read.getQuota)
