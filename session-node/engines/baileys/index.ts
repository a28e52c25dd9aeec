// The `baileys` engine: real WhatsApp through @whiskeysockets/baileys 7. Loaded lazily by the
// session node (`await import('./baileys/index.js')`) so the simulator never pays for Baileys.
//
// Layout, one reason to change per file:
//   engine.ts      socket lifecycle: start, stop, logout, pairing code, reconnects
//   disconnect.ts  what each WhatsApp close code means for the session
//   backoff.ts     reconnect delays
//   auth-state.ts  Baileys creds and signal keys kept in the AuthStore (DeviceDO), never in files
//   creds.ts       "linked?", "which phone number?" asked of Baileys creds
//   socket.ts      the socket config we run Baileys with, and the part of the socket we use
//   send.ts        one message: onWhatsApp check, content from fetched media, media upload, relay
//   receipts.ts    messages.update / message-receipt.update → delivered, read, failed
// Media reaches the engine already fetched and checked (session-node/media/): Baileys is never
// handed a URL, which it would fetch unbounded or open as a local file.
import type { EngineContext, EngineFactory } from '../engine'
import { BaileysEngine } from './engine'
import { resolveOptions, type BaileysEngineOptions } from './options'

export { BaileysEngineError, type BaileysEngineErrorCode } from './errors'
export type { BaileysEngineOptions } from './options'

export const createBaileysEngine = ((context: EngineContext, options?: BaileysEngineOptions) =>
  new BaileysEngine(context, resolveOptions(options))) satisfies EngineFactory
