// The worker's side of placing and controlling a device: the fleet decides which node runs it,
// its DeviceDO holds its live state and relays commands to that node.
import { companyOf, deviceOf, fleetOf } from '../../durable-objects/stubs'
import { ApiError, rateLimited } from '../../lib/errors'
import { settingsOf } from '../../lib/settings'

/** Paces device creation per company (each device takes a session on a node): 429 beyond. */
export async function admitDeviceCreation(env: Env, companyId: number): Promise<void> {
  const perMinute = settingsOf(env).deviceCreationsPerMinute
  const decision = await companyOf(env, companyId).admitDeviceCreation({ ratePerSec: perMinute / 60, burst: perMinute })
  if (!decision.ok) throw rateLimited('Too many devices created for this company; slow down', decision.retryAfterMs)
}

/** Places a device on a session node; a device no node can take yet waits in the fleet. */
export async function placeDevice(env: Env, deviceId: number): Promise<void> {
  await fleetOf(env).assignDevice(deviceId)
}

/** Logs the device out of WhatsApp, drops its auth state and frees its node. */
export async function destroyDevice(env: Env, deviceId: number): Promise<void> {
  await deviceOf(env, deviceId).destroy()
  await fleetOf(env).releaseDevice(deviceId)
}

export async function requestPairingCode(env: Env, deviceId: number, phoneDigits: string): Promise<string> {
  const result = await deviceOf(env, deviceId).requestPairingCode(phoneDigits)
  if (result.ok) return result.pairingCode
  if (result.code === 'rate_limited') throw rateLimited(result.message, result.retryAfterMs)
  if (result.code === 'already_linked') {
    throw new ApiError('validation_error', result.message, [{ field: 'id', message: 'the device is already linked' }])
  }
  throw new ApiError('device_not_ready', `The device cannot link now: ${result.message}`)
}
