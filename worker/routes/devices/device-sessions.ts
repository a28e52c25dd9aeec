// The worker's side of a device's session: its DeviceDO (live state) and the fleet (placement).
import { fleetOf, sessionOf } from '../../durable-objects/stubs'
import { ApiError } from '../../lib/errors'

/** Places a new device on a session node; a device no node can take yet waits in the fleet. */
export async function startSession(env: Env, deviceId: number): Promise<void> {
  await fleetOf(env).assignDevice(deviceId)
}

/** Logs the device out of WhatsApp, drops its auth state and frees its node. */
export async function endSession(env: Env, deviceId: number): Promise<void> {
  await sessionOf(env, deviceId).destroy()
  await fleetOf(env).releaseDevice(deviceId)
}

export async function pairingCode(env: Env, deviceId: number, phoneDigits: string): Promise<string> {
  const result = await sessionOf(env, deviceId).requestPairingCode(phoneDigits)
  if (result.ok) return result.pairingCode
  if (result.code === 'already_linked') {
    throw new ApiError('validation_error', result.message, [{ field: 'id', message: 'the device is already linked' }])
  }
  throw new ApiError('device_not_ready', `The device cannot link now: ${result.message}`)
}
