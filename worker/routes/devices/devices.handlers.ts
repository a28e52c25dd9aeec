import { database } from '../../db/client'
import type { AppRouteHandler } from '../../lib/app-env'
import { ok } from '../../lib/envelope'
import * as store from './device-store'
import type * as routes from './devices.routes'
import { toDeviceJson } from './devices.schemas'

export const list: AppRouteHandler<typeof routes.listDevices> = async (c) => {
  const rows = await store.listDevices(database(c.env.DB), c.get('caller').company.id)
  return c.json(ok(rows.map(toDeviceJson)), 200)
}

export const create: AppRouteHandler<typeof routes.createDevice> = async (c) => {
  const { name } = c.req.valid('json')
  const device = await store.createDevice(database(c.env.DB), c.get('caller').company.id, name)
  return c.json(ok(toDeviceJson(device)), 201)
}

export const get: AppRouteHandler<typeof routes.getDevice> = async (c) => {
  const device = await store.findDevice(database(c.env.DB), c.get('caller').company.id, c.req.valid('param').id)
  return c.json(ok(toDeviceJson(device)), 200)
}

export const update: AppRouteHandler<typeof routes.patchDevice> = async (c) => {
  const { name, is_active } = c.req.valid('json')
  const device = await store.updateDevice(database(c.env.DB), c.get('caller').company.id, c.req.valid('param').id, {
    ...(name !== undefined && { name }),
    ...(is_active !== undefined && { isActive: is_active }),
  })
  return c.json(ok(toDeviceJson(device)), 200)
}

export const setDefault: AppRouteHandler<typeof routes.setDefaultDevice> = async (c) => {
  const device = await store.setDefaultDevice(database(c.env.DB), c.get('caller').company.id, c.req.valid('param').id)
  return c.json(ok(toDeviceJson(device)), 200)
}

export const remove: AppRouteHandler<typeof routes.deleteDevice> = async (c) => {
  const device = await store.deleteDevice(database(c.env.DB), c.get('caller').company.id, c.req.valid('param').id)
  return c.json(ok({ id: device.id, deleted: true as const }), 200)
}

export const status: AppRouteHandler<typeof routes.getDeviceStatus> = async (c) => {
  const device = await store.findDevice(database(c.env.DB), c.get('caller').company.id, c.req.valid('param').id)
  return c.json(ok({ device_id: device.id, status: device.status, phone_number: device.phoneNumber }), 200)
}
