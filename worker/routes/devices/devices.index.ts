import { createRouter } from '../../lib/create-router'
import * as handlers from './devices.handlers'
import * as routes from './devices.routes'

export const devicesRouter = createRouter()
  .openapi(routes.listDevices, handlers.list)
  .openapi(routes.createDevice, handlers.create)
  .openapi(routes.getDevice, handlers.get)
  .openapi(routes.putDevice, handlers.update)
  .openapi(routes.patchDevice, handlers.update)
  .openapi(routes.setDefaultDevice, handlers.setDefault)
  .openapi(routes.deleteDevice, handlers.remove)
  .openapi(routes.getDeviceStatus, handlers.status)
  .openapi(routes.getDeviceQr, handlers.qr)
  .openapi(routes.requestPairingCode, handlers.pairing)
  .openapi(routes.listDeviceGroups, handlers.groups)
