// When a device can send: the one rule the outbox, single sends and bulk requests all ask.
import type { DeviceState } from './device-store'
import type { NodeLink } from './node-link'
import type { Blocked } from './outbox'

/** Why nothing can go out now, or null when the device can send. */
export function blockedBy(state: DeviceState, link: Pick<NodeLink, 'current' | 'heardLately' | 'handingOver'>): Blocked | null {
  const notReady = (message: string): Blocked => ({ code: 'device_not_ready', message })
  if (state.deleted) return notReady('the device was deleted')
  if (!state.company_active) return { code: 'company_inactive', message: 'This company is inactive' }
  if (!state.active) return notReady('the device is paused')
  if (state.status !== 'authenticated') return notReady(`the device is ${state.status}, not authenticated`)
  if (link.handingOver) return notReady('the device is moving to another session node')
  const socket = link.current()
  if (!socket) return notReady('the session node of this device is unreachable')
  if (!link.heardLately(socket)) return notReady('the session node of this device has not been heard from lately')
  return null
}
