// Questions the engine asks of Baileys' creds. Baileys has no single "is linked" flag: the
// pairing-code path sets `registered`, the QR path does not, and both store the signed `account`.
import { jidDecode, type AuthenticationCreds } from '@whiskeysockets/baileys'

type Creds = Pick<AuthenticationCreds, 'me' | 'account' | 'registered' | 'pairingCode'>

/**
 * Linked to a WhatsApp account. `me` alone does not prove it: `requestPairingCode` writes
 * `me = {id: <number>, name: '~'}` before the phone has accepted anything.
 */
export const isLinked = (creds: Creds): boolean => creds.registered || creds.account != null

/** `+15551234567` from `me.id` (`15551234567:3@s.whatsapp.net`); `sock.user` goes stale, creds do not. */
export function phoneNumberOf(creds: Creds): string | undefined {
  const user = jidDecode(creds.me?.id)?.user
  return user && /^\d+$/.test(user) ? `+${user}` : undefined
}

/**
 * Drops what an unanswered pairing-code request left behind. With `me` set, Baileys logs in as
 * that number instead of registering, and WhatsApp would close the socket as logged out.
 */
export function forgetUnfinishedPairing(creds: Creds): void {
  if (isLinked(creds) || creds.me === undefined) return
  delete creds.me
  creds.pairingCode = undefined
}
