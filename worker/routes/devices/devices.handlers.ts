import { database } from '../../db/client'
import type { AppRouteHandler } from '../../lib/app-env'
import { ok } from '../../lib/envelope'
import { ApiError, deviceNotFound } from '../../lib/errors'
import { iso } from '../../lib/time'
import { parseInternationalNumber } from '../../lib/phone'
import * as store from '../../db/devices'
import { insufficientScope } from '../../auth/scopes'
import { deviceOf } from '../../durable-objects/stubs'
import { admitDeviceCreation, destroyDevice, placeDevice, requestPairingCode } from './device-control'
import type * as routes from './devices.routes'
import { toDeviceJson } from './devices.schemas'

export const list: AppRouteHandler<typeof routes.listDevices> = async (c) => {
  const rows = await store.listDevices(database(c.env.DB), store.scopeOf(c.get('caller')))
  return c.json(ok(rows.map(toDeviceJson)), 200)
}

export const create: AppRouteHandler<typeof routes.createDevice> = async (c) => {
  const { name } = c.req.valid('json')
  const db = database(c.env.DB)
  const companyId = c.get('caller').company.id
  // A key limited to some devices could not use the new one: it may not create devices at all.
  if (c.get('caller').apiKey.deviceIds !== null) {
    throw insufficientScope(['device:*'], 'This API key is limited to some devices and cannot create one')
  }
  const limitReached = ({ devices, maxDevices }: { devices: number; maxDevices: number }) =>
    new ApiError('device_limit_reached', `This company may have at most ${maxDevices} devices; delete one first`, {
      max_devices: maxDevices,
      devices,
    })
  // A company at its limit is told so, whatever its pace; the INSERT decides the races.
  const allowance = await store.deviceAllowance(db, companyId)
  if (allowance.devices >= allowance.maxDevices) throw limitReached(allowance)
  await admitDeviceCreation(c.env, companyId)
  const device = await store.createDevice(db, companyId, name)
  if (!device) throw limitReached(await store.deviceAllowance(db, companyId))
  try {
    // Told first, so the device's very first event already knows whose feed it goes to.
    await deviceOf(c.env, device.id).belongsTo(companyId)
    await placeDevice(c.env, device.id)
  } catch (error) {
    // A device the fleet never heard of would wait forever: undo it and report the failure.
    await store.deleteDevice(db, companyId, device.id)
    throw error
  }
  return c.json(ok(toDeviceJson(device)), 201)
}

export const get: AppRouteHandler<typeof routes.getDevice> = async (c) => {
  const device = await store.findDevice(database(c.env.DB), store.scopeOf(c.get('caller')), c.req.valid('param').id)
  return c.json(ok(toDeviceJson(device)), 200)
}

export const update: AppRouteHandler<typeof routes.patchDevice> = async (c) => {
  const { name, is_active, send_interval_ms } = c.req.valid('json')
  const { id } = c.req.valid('param')
  const db = database(c.env.DB)
  const companyId = c.get('caller').company.id
  await store.findDevice(db, store.scopeOf(c.get('caller')), id)
  if (is_active !== undefined) await deviceOf(c.env, id).setActive(is_active)
  if (send_interval_ms !== undefined) await deviceOf(c.env, id).configure({ sendIntervalMs: send_interval_ms })
  const device = await store.updateDevice(db, companyId, id, {
    ...(name !== undefined && { name }),
    ...(is_active !== undefined && { isActive: is_active }),
    ...(send_interval_ms !== undefined && { sendIntervalMs: send_interval_ms }),
  })
  return c.json(ok(toDeviceJson(device)), 200)
}

export const setDefault: AppRouteHandler<typeof routes.setDefaultDevice> = async (c) => {
  const device = await store.setDefaultDevice(database(c.env.DB), c.get('caller').company.id, c.req.valid('param').id)
  return c.json(ok(toDeviceJson(device)), 200)
}

export const remove: AppRouteHandler<typeof routes.deleteDevice> = async (c) => {
  const { id } = c.req.valid('param')
  const db = database(c.env.DB)
  const companyId = c.get('caller').company.id
  // The row goes first: from then on every read is a 404 and nothing can place the device again.
  // Should the rest fail, FleetDO finds the leftover against D1 and finishes the job.
  await store.deleteDevice(db, companyId, id)
  await destroyDevice(c.env, id)
  return c.json(ok({ id, deleted: true as const }), 200)
}

/**
 * The live view; a device no node holds yet is (re)offered to the fleet on the way, at most once
 * every PLACEMENT_RETRY_MS however often it is polled, so a device whose placement was lost (the
 * worker died between creating and placing it) heals on first look.
 */
async function liveView(env: Env, deviceId: number) {
  const live = await deviceOf(env, deviceId).live()
  // Deleted while this request was on its way: gone, like any other missing device.
  if (live.deleted) throw deviceNotFound()
  if (live.placement_due) await placeDevice(env, deviceId)
  return live
}

export const status: AppRouteHandler<typeof routes.getDeviceStatus> = async (c) => {
  const device = await store.findDevice(database(c.env.DB), store.scopeOf(c.get('caller')), c.req.valid('param').id)
  const live = await liveView(c.env, device.id)
  return c.json(ok({ device_id: device.id, status: live.status, phone_number: live.phone_number, ...live.health }), 200)
}

export const qr: AppRouteHandler<typeof routes.getDeviceQr> = async (c) => {
  const device = await store.findDevice(database(c.env.DB), store.scopeOf(c.get('caller')), c.req.valid('param').id)
  const live = await liveView(c.env, device.id)
  // A QR is only worth showing while it waits for a scan and has not expired.
  const showing = live.status === 'qr_ready' && live.qr_code !== null && (live.qr_expires_at ?? 0) > Date.now()
  return c.json(
    ok({
      device_id: device.id,
      qr_code: showing ? live.qr_code : null,
      qr_image: showing ? live.qr_image : null,
      device_status: live.status,
      expires_at: showing ? iso(live.qr_expires_at) : null,
    }),
    200,
  )
}

export const pairing: AppRouteHandler<typeof routes.requestPairingCode> = async (c) => {
  const device = await store.findDevice(database(c.env.DB), store.scopeOf(c.get('caller')), c.req.valid('param').id)
  const phone = parseInternationalNumber(c.req.valid('json').phone_number)
  if (!phone) {
    throw new ApiError('invalid_phone_number', 'Not a valid phone number in international format', { reason: 'invalid_format' })
  }
  const code = await requestPairingCode(c.env, device.id, phone.digits)
  return c.json(ok({ device_id: device.id, phone_number: phone.e164, pairing_code: code }), 200)
}

export const groups: AppRouteHandler<typeof routes.listDeviceGroups> = async (c) => {
  const { id } = c.req.valid('param')
  await store.findDevice(database(c.env.DB), store.scopeOf(c.get('caller')), id)
  const listed = await deviceOf(c.env, id).groups()
  if (!listed.ok) throw new ApiError('device_not_ready', `The device cannot ask WhatsApp now: ${listed.message}`)
  return c.json(ok(listed.groups.map((g) => ({ ...g, created_at: iso(g.created_at) }))), 200)
}
