// What a WhatsApp engine is to the session node: something that links one device, keeps its
// socket up and reports what happens. `baileys` talks to real WhatsApp; `simulator` is the
// documented sandbox. Both keep their credentials only in the AuthStore (backed by DeviceDO).
import type { Logger } from 'pino'

export type EngineName = 'baileys' | 'simulator'

/**
 * Key-value auth state of one device. Names and values are plain strings to the engine; the
 * session layer encrypts values and hashes names before they leave the node. A `null` value in
 * `set` deletes the entry. Resolves only once the worker has stored the write.
 */
export interface AuthStore {
  get(names: string[]): Promise<Record<string, string | null>>
  set(entries: Record<string, string | null>): Promise<void>
  clear(): Promise<void>
}

export type EngineStatus =
  | { status: 'pending' }
  | { status: 'authenticated'; phoneNumber: string }
  /** Lost the connection for a transient reason; the engine reconnects on its own. */
  | { status: 'disconnected'; reason: string }
  /** Unlinked (logged out from the phone) or replaced: no reconnect without a new link. */
  | { status: 'error'; reason: string }

export interface EngineEvents {
  /** A new QR code to scan (the raw string WhatsApp encodes) and how long it lives. */
  qr(code: string, ttlMs: number): void
  status(update: EngineStatus): void
}

export interface EngineContext {
  deviceId: number
  store: AuthStore
  events: EngineEvents
  logger: Logger
}

export interface Engine {
  /** Connects (with stored credentials when there are some, else by showing QR codes). */
  start(): Promise<void>
  /** Closes the session without unlinking it, so another node can resume it. Idempotent. */
  stop(): Promise<void>
  /** Unlinks the device from WhatsApp, clears its auth state and stops. */
  logout(): Promise<void>
  /** A phone-number linking code (8 characters) for a device not linked yet. Digits only, with country code. */
  requestPairingCode(phoneDigits: string): Promise<string>
}

export type EngineFactory = (context: EngineContext) => Engine
