// What to do when WhatsApp closes the socket, decided from the close's status code alone.
// Kept as data so the policy can be read (and tested) in one place, apart from the socket juggling.
import { DisconnectReason } from '@whiskeysockets/baileys'
import type { EngineStatus } from '../engine'
import type { NodeStatusReason } from '../../../protocol/status-reasons'

export interface DisconnectPlan {
  /** Short name for logs. */
  cause: string
  /** The device was unlinked: its credentials are worthless and must go. */
  clearAuth: boolean
  /** What the device's owner should see, if anything changes for them. */
  report?: EngineStatus
  /** `now`: WhatsApp asked for it; `backoff`: transient; `never`: only a new link or start helps. */
  reconnect: 'now' | 'backoff' | 'never'
}

/** Baileys closes with a Boom (status in `output.statusCode`), a plain Error, or nothing. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('output' in error)) return undefined
  const output = (error as { output?: { statusCode?: unknown } }).output
  return typeof output?.statusCode === 'number' ? output.statusCode : undefined
}

const fatal = (cause: string, reason: NodeStatusReason): DisconnectPlan => ({
  cause,
  clearAuth: false,
  report: { status: 'error', reason, detail: cause },
  reconnect: 'never',
})

/** Transient: WhatsApp could not be reached or dropped the link for now (the engine retries). */
const transient = (cause: string): DisconnectPlan => ({
  cause,
  clearAuth: false,
  report: { status: 'disconnected', reason: 'cannot_reach_whatsapp', detail: cause },
  reconnect: 'backoff',
})

export function planDisconnect(statusCode: number | undefined): DisconnectPlan {
  switch (statusCode) {
    case DisconnectReason.loggedOut:
      return { ...fatal('logged_out', 'logged_out'), clearAuth: true }
    case DisconnectReason.restartRequired:
      // Sent right after pairing: the same creds log in on a fresh socket, nothing to show.
      return { cause: 'restart_required', clearAuth: false, reconnect: 'now' }
    case DisconnectReason.connectionReplaced:
      // Another socket runs these creds (a second node?). Fighting it would make both flap.
      return fatal('replaced', 'replaced_elsewhere')
    case DisconnectReason.forbidden:
      return fatal('forbidden', 'refused_by_whatsapp')
    case DisconnectReason.multideviceMismatch:
      return fatal('multidevice_mismatch', 'refused_by_whatsapp')
    case DisconnectReason.connectionClosed:
      return transient('connection_closed')
    case DisconnectReason.timedOut:
      // Also how an unscanned QR series ends; the next socket shows fresh codes.
      return transient('timed_out')
    case DisconnectReason.badSession:
      return transient('bad_session')
    case DisconnectReason.unavailableService:
      return transient('service_unavailable')
    case undefined:
      return transient('unexpected')
    default:
      // An unknown code is more likely a new transient failure than a reason to give up forever.
      return transient(`status_${statusCode}`)
  }
}

/** A QR series that timed out unscanned is `qr_expired`, not a network problem: WhatsApp was there. */
export function qrSeriesEnded(plan: DisconnectPlan, qrShown: number): DisconnectPlan {
  if (plan.cause !== 'timed_out' || qrShown === 0 || plan.report?.status !== 'disconnected') return plan
  return { ...plan, report: { ...plan.report, reason: 'qr_expired' } }
}
