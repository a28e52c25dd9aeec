// What a caller (in practice: a test) may swap in the engine, and the production defaults.
import { WHATSAPP_RECONNECT_BACKOFF, type BackoffPolicy } from '../../backoff'
import { defaultSocketFactory, type SocketFactory } from './socket'
import { downloadWithReupload, type MediaDownloader } from './inbound'
import { NODE_PAIRING_READY_MS } from '../../../protocol/timing'

/** Runs `callback` after `ms`; the returned function cancels it. */
export type Schedule = (callback: () => void, ms: number) => () => void

export interface BaileysEngineOptions {
  /** Builds the WhatsApp socket; Baileys' `makeWASocket` by default. */
  socketFactory?: SocketFactory
  schedule?: Schedule
  backoff?: BackoffPolicy
  /** Jitter source, [0, 1). */
  random?: () => number
  /** How long `requestPairingCode` waits for WhatsApp to show the first QR of a socket. */
  pairingReadyTimeoutMs?: number
  /** Level of Baileys' own logs; it is very chatty below `warn`. */
  baileysLogLevel?: string
  /** Fetches an inbound message's media from WhatsApp (re-upload included). */
  downloadMedia?: MediaDownloader
}

export type ResolvedOptions = Required<BaileysEngineOptions>

const realSchedule: Schedule = (callback, ms) => {
  const timer = setTimeout(callback, ms)
  return () => clearTimeout(timer)
}

export function resolveOptions(options: BaileysEngineOptions = {}): ResolvedOptions {
  return {
    socketFactory: options.socketFactory ?? defaultSocketFactory,
    schedule: options.schedule ?? realSchedule,
    backoff: options.backoff ?? WHATSAPP_RECONNECT_BACKOFF,
    random: options.random ?? Math.random,
    pairingReadyTimeoutMs: options.pairingReadyTimeoutMs ?? NODE_PAIRING_READY_MS,
    baileysLogLevel: options.baileysLogLevel ?? 'warn',
    downloadMedia: options.downloadMedia ?? downloadWithReupload,
  }
}
