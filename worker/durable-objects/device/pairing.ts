// Asking WhatsApp for a pairing code (linking by phone number instead of a QR). Each request
// makes WhatsApp prompt the phone it names, so a device asks at most once per
// PAIRING_CODE_INTERVAL_MS, counted from the moment a request could reach WhatsApp.
import { DEVICE_PAIRING_TIMEOUT_MS, PAIRING_CODE_INTERVAL_MS } from '../../../protocol/timing'
import type { DeviceStore } from './device-store'
import type { NodeLink } from './node-link'

export type CommandFailure =
  | { ok: false; code: 'device_not_ready' | 'already_linked'; message: string }
  | { ok: false; code: 'rate_limited'; message: string; retryAfterMs: number }

export async function requestPairingCode(
  phoneDigits: string,
  { store, link }: { store: DeviceStore; link: NodeLink },
): Promise<{ ok: true; pairingCode: string } | CommandFailure> {
  const state = store.state()
  if (state.deleted) return { ok: false, code: 'device_not_ready', message: 'This device was deleted' }
  if (state.status === 'authenticated') return { ok: false, code: 'already_linked', message: 'This device is already linked' }
  if (!state.active) return { ok: false, code: 'device_not_ready', message: 'This device is paused' }
  const now = Date.now()
  const waitMs = (state.pairing_requested_at ?? -Infinity) + PAIRING_CODE_INTERVAL_MS - now
  if (waitMs > 0) {
    return {
      ok: false,
      code: 'rate_limited',
      message: 'A pairing code was asked for this device less than a minute ago',
      retryAfterMs: waitMs,
    }
  }
  // Counted once the request can reach WhatsApp, answered or not: the phone may be prompted.
  if (link.current()) store.update({ pairing_requested_at: now })
  const outcome = await link.command((id) => ({ type: 'pairing_code', id, phone_number: phoneDigits }), DEVICE_PAIRING_TIMEOUT_MS)
  const data: unknown = outcome.ok ? outcome.data : undefined
  const code = typeof data === 'object' && data !== null ? (data as { pairing_code?: unknown }).pairing_code : undefined
  if (typeof code === 'string') return { ok: true, pairingCode: code }
  return { ok: false, code: 'device_not_ready', message: outcome.ok ? 'unexpected answer' : outcome.error.message }
}
