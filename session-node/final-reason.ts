// When a device socket's end means the session is over for good (the device moved, was deleted,
// or the worker speaks another protocol) rather than a blip worth reconnecting through.
import { CloseCode } from '../protocol/close-codes'
import type { SocketEnd } from './transport/frame-socket'

/** Answers and close codes that mean "this device is not yours any more": never reconnect. */
export function finalReason(end: SocketEnd): string | null {
  // Any other refusal (a 5xx, a worker mid-deploy) is worth another try; a deleted device is
  // also released by the fleet.
  if (end.kind === 'rejected') return end.status === 409 ? 'fenced: another node or epoch owns this device' : null
  if (end.code === CloseCode.notAssigned) return 'fenced: the device moved to another node'
  if (end.code === CloseCode.deviceGone) return 'the device was deleted'
  if (end.code === CloseCode.unsupportedProtocol) return 'the worker speaks another protocol version'
  return null
}
