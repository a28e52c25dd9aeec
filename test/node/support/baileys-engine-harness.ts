// Builds a Baileys engine wired to a fake WhatsApp, an in-memory store and a manual clock, and
// records what it reports to the session layer.
import { pino } from 'pino'
import type { EngineStatus, OutgoingMessage, InboundEvent, Receipt } from '../../../session-node/engines/engine'
import { createBaileysEngine, type BaileysEngineOptions } from '../../../session-node/engines/baileys/index'
import { fakeBaileys, ManualClock } from './fake-baileys'
import { MemoryAuthStore } from './memory-auth-store'

export const BACKOFF = { baseMs: 1_000, maxMs: 8_000 }

export function harness(store = new MemoryAuthStore(), options: BaileysEngineOptions = {}) {
  const wa = fakeBaileys()
  const clock = new ManualClock()
  const qrs: { code: string; ttlMs: number }[] = []
  const statuses: EngineStatus[] = []
  const receipts: Receipt[] = []
  const inbound: InboundEvent[] = []
  const engine = createBaileysEngine(
    {
      deviceId: 7,
      store,
      logger: pino({ level: 'silent' }),
      events: {
        qr: (code, ttlMs) => qrs.push({ code, ttlMs }),
        status: (update) => statuses.push(update),
        receipt: (receipt) => receipts.push(receipt),
        inbound: (event) => inbound.push(event),
      },
    },
    // Baileys' own logs off: its media code warns about the fake bytes tests send (no thumbnail).
    {
      socketFactory: wa.socketFactory,
      schedule: clock.schedule,
      backoff: BACKOFF,
      random: () => 0.5,
      baileysLogLevel: 'silent',
      ...options,
    },
  )
  return { engine, store, wa, clock, qrs, statuses, receipts, inbound }
}

/** Lets queued promise work (store writes) run. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Links a device by QR on a first engine and stops it, leaving its auth state in `store`. */
export async function linkedStore(phoneDigits = '15551234567'): Promise<MemoryAuthStore> {
  const { engine, wa, store } = harness()
  await engine.start()
  wa.last().showQr('qr-1')
  wa.last().pair(phoneDigits)
  wa.last().open()
  await engine.stop()
  return store
}

export const TO = '22370123456@s.whatsapp.net'

/** A linked engine whose socket is open, with one registered WhatsApp number (TO). */
export async function online() {
  const h = harness(await linkedStore())
  await h.engine.start()
  h.wa.last().open()
  h.wa.last().register('22370123456')
  return h
}

/** A text message to TO. */
export const outgoing = (overrides: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  messageId: 'msg_1',
  chatId: TO,
  text: 'Hello',
  ...overrides,
})
