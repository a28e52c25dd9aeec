// Failures a caller of the engine can act on, with a code the session layer can pass on as is.

export type BaileysEngineErrorCode =
  /** Not digits only with a country code (6 to 15 digits). */
  | 'invalid_phone_number'
  /** The engine is stopped (never started, paused, logged out, replaced…). */
  | 'not_running'
  /** A pairing code was asked for a device that is already linked. */
  | 'already_linked'
  /** WhatsApp did not become reachable in time to ask for a pairing code. */
  | 'not_ready'

export class BaileysEngineError extends Error {
  constructor(
    readonly code: BaileysEngineErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'BaileysEngineError'
  }
}
