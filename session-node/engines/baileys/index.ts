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
// Sending and media (a later issue) get their own files (send.ts, media.ts) that take the live
// socket from engine.ts; socket.ts's BaileysSocket is where their socket methods are added.
import type { EngineContext, EngineFactory } from '../engine'
import { BaileysEngine } from './engine'
import { resolveOptions, type BaileysEngineOptions } from './options'

export { BaileysEngineError, type BaileysEngineErrorCode } from './errors'
export type { BaileysEngineOptions } from './options'

export const createBaileysEngine = ((context: EngineContext, options?: BaileysEngineOptions) =>
  new BaileysEngine(context, resolveOptions(options))) satisfies EngineFactory
