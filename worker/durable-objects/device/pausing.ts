// Pausing a device: its session stops on the node without unlinking (the phone stays linked),
// its status says `paused`, and resuming starts the session again from its stored credentials.
import { DEVICE_CONTROL_TIMEOUT_MS } from '../../../protocol/timing'
import type { DeviceState, DeviceStore } from './device-store'
import type { NodeLink } from './node-link'
import { NO_QR } from './node-frames'

export interface PausingDeps {
  store: DeviceStore
  link: NodeLink
  setLive(changes: Partial<DeviceState>): Promise<void>
}

export async function setActive(active: boolean, { store, link, setLive }: PausingDeps): Promise<void> {
  const before = store.state()
  store.update({ active })
  if (before.active === active) return
  if (!active) {
    const status = before.status === 'pending' || before.status === 'error' ? before.status : 'disconnected'
    await setLive({ status, status_reason: 'paused', status_detail: null, ...NO_QR })
  } else if (before.status_reason === 'paused') await setLive({ status_reason: null, status_detail: null })
  await link.command((id) => ({ type: active ? 'resume' : 'pause', id }), DEVICE_CONTROL_TIMEOUT_MS)
}
