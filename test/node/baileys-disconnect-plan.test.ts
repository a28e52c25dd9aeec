// The disconnect policy of the Baileys engine, as a table: each close status WhatsApp can give,
// what the device's owner sees, whether the link is dropped, and how the engine reconnects.
import { DisconnectReason } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import { planDisconnect, statusCodeOf } from '../../session-node/engines/baileys/disconnect'
import { boom } from './support/fake-baileys'

describe('planDisconnect', () => {
  it.each([
    [DisconnectReason.loggedOut, 'logged_out', 'error', true, 'never'],
    [DisconnectReason.connectionReplaced, 'replaced', 'error', false, 'never'],
    [DisconnectReason.forbidden, 'forbidden', 'error', false, 'never'],
    [DisconnectReason.multideviceMismatch, 'multidevice_mismatch', 'error', false, 'never'],
    [DisconnectReason.connectionClosed, 'connection_closed', 'disconnected', false, 'backoff'],
    [DisconnectReason.timedOut, 'timed_out', 'disconnected', false, 'backoff'],
    [DisconnectReason.badSession, 'bad_session', 'disconnected', false, 'backoff'],
    [DisconnectReason.unavailableService, 'service_unavailable', 'disconnected', false, 'backoff'],
    [undefined, 'unexpected', 'disconnected', false, 'backoff'],
    [499, 'status_499', 'disconnected', false, 'backoff'],
  ] as const)('status %s: %s, the owner sees %s, clearAuth %s, reconnect %s', (code, cause, status, clearAuth, reconnect) => {
    expect(planDisconnect(code)).toEqual({ cause, clearAuth, report: { status, reason: cause }, reconnect })
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
