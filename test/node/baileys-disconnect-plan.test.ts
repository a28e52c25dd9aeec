// The disconnect policy of the Baileys engine, as a table: each close status WhatsApp can give,
// what the device's owner sees, whether the link is dropped, and how the engine reconnects.
import { DisconnectReason } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import { planDisconnect, qrSeriesEnded, statusCodeOf } from '../../session-node/engines/baileys/disconnect'
import { boom } from './support/fake-baileys'

describe('planDisconnect', () => {
  it.each([
    [DisconnectReason.loggedOut, 'logged_out', 'error', 'logged_out', true, 'never'],
    [DisconnectReason.connectionReplaced, 'replaced', 'error', 'replaced_elsewhere', false, 'never'],
    [DisconnectReason.forbidden, 'forbidden', 'error', 'refused_by_whatsapp', false, 'never'],
    [DisconnectReason.multideviceMismatch, 'multidevice_mismatch', 'error', 'refused_by_whatsapp', false, 'never'],
    [DisconnectReason.connectionClosed, 'connection_closed', 'disconnected', 'cannot_reach_whatsapp', false, 'backoff'],
    [DisconnectReason.timedOut, 'timed_out', 'disconnected', 'cannot_reach_whatsapp', false, 'backoff'],
    [DisconnectReason.badSession, 'bad_session', 'disconnected', 'cannot_reach_whatsapp', false, 'backoff'],
    [DisconnectReason.unavailableService, 'service_unavailable', 'disconnected', 'cannot_reach_whatsapp', false, 'backoff'],
    [undefined, 'unexpected', 'disconnected', 'cannot_reach_whatsapp', false, 'backoff'],
    [499, 'status_499', 'disconnected', 'cannot_reach_whatsapp', false, 'backoff'],
  ] as const)('status %s: %s, the owner sees %s (%s), clearAuth %s, reconnect %s', (code, cause, status, reason, clearAuth, reconnect) => {
    expect(planDisconnect(code)).toEqual({ cause, clearAuth, report: { status, reason, detail: cause }, reconnect })
  })

  it('a QR series that timed out unscanned is qr_expired; a timeout before any QR is a network problem', () => {
    const timedOut = planDisconnect(DisconnectReason.timedOut)
    expect(qrSeriesEnded(timedOut, 5).report).toEqual({ status: 'disconnected', reason: 'qr_expired', detail: 'timed_out' })
    expect(qrSeriesEnded(timedOut, 0).report).toMatchObject({ reason: 'cannot_reach_whatsapp' })
    expect(qrSeriesEnded(planDisconnect(DisconnectReason.connectionClosed), 5).report).toMatchObject({ reason: 'cannot_reach_whatsapp' })
  })

  it('reconnects at once, silently, when WhatsApp asks for a restart (right after pairing)', () => {
    expect(planDisconnect(DisconnectReason.restartRequired)).toEqual({ cause: 'restart_required', clearAuth: false, reconnect: 'now' })
  })

  it('reads the status from a Boom (as Baileys closes), and nothing from anything else', () => {
    expect(statusCodeOf(boom('closed', DisconnectReason.loggedOut))).toBe(DisconnectReason.loggedOut)
    expect(statusCodeOf(new Error('plain'))).toBeUndefined()
    expect(statusCodeOf(undefined)).toBeUndefined()
    expect(statusCodeOf({ output: { statusCode: 'nope' } })).toBeUndefined()
  })
})
