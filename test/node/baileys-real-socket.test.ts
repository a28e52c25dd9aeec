// The Baileys engine against the real library: `makeWASocket` itself, pointed (waWebSocketUrl)
// at local servers that refuse the upgrade, close it mid-handshake or never answer. The engine
// reports the documented statuses, plans its reconnect by backoff, never logs out, and stops
// cleanly; a pairing code asked for a socket WhatsApp never answered fails as not_ready.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { makeWASocket } from '@whiskeysockets/baileys'
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { WebSocketServer } from 'ws'
import { createBaileysEngine } from '../../session-node/engines/baileys/index'
import type { EngineStatus } from '../../session-node/engines/engine'
import { linkedStore } from './support/baileys-engine-harness'
import { ManualClock } from './support/fake-baileys'
import { MemoryAuthStore } from './support/memory-auth-store'

const servers: Array<Server | WebSocketServer> = []
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve))
})

type Behaviour = 'refuse' | 'close' | 'silent'

/** A local server playing a WhatsApp endpoint that misbehaves in one way. */
async function endpoint(behaviour: Behaviour): Promise<string> {
  const http = createServer((_req, res) => res.writeHead(403).end())
  servers.push(http)
  if (behaviour !== 'refuse') {
    const wss = new WebSocketServer({ server: http })
    servers.push(wss)
    wss.on('connection', (ws) => {
      if (behaviour === 'close') ws.close(1011, 'going away')
      // 'silent': accepted, and not one byte back.
    })
  }
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws/chat`
}

function realEngine(url: string, store = new MemoryAuthStore()) {
  const statuses: EngineStatus[] = []
  const clock = new ManualClock()
  let sockets = 0
  const engine = createBaileysEngine(
    {
      deviceId: 9,
      store,
      logger: pino({ level: 'silent' }),
      events: { qr: () => undefined, status: (update) => statuses.push(update), receipt: () => undefined, inbound: () => undefined },
    },
    {
      socketFactory: (config) => {
        sockets += 1
        return makeWASocket({ ...config, waWebSocketUrl: url, connectTimeoutMs: 1_500 })
      },
      schedule: clock.schedule,
      backoff: { baseMs: 1_000, maxMs: 8_000 },
      random: () => 0.5,
      pairingReadyTimeoutMs: 1_000,
      baileysLogLevel: 'silent',
    },
  )
  return { engine, statuses, clock, store, sockets: () => sockets }
}

describe('the Baileys engine on the real library', () => {
  it.each([
    ['refuses the upgrade', 'refuse'],
    ['closes mid-handshake', 'close'],
    ['never answers', 'silent'],
  ] as const)(
    'reports disconnected when the endpoint %s, plans a reconnect by backoff, keeps its credentials, and stops cleanly',
    async (_what, behaviour) => {
      // A linked device: its credentials must survive every failure.
      const { engine, statuses, clock, store, sockets } = realEngine(await endpoint(behaviour), await linkedStore())
      const credentials = new Map(store.data)
      await engine.start()
      await vi.waitFor(() => expect(statuses.some((s) => s.status === 'disconnected')).toBe(true), { timeout: 10_000 })
      expect(statuses.find((s) => s.status === 'disconnected')).toMatchObject({ reason: 'cannot_reach_whatsapp' })
      expect(statuses.some((s) => s.status === 'error')).toBe(false)
      // One socket so far: the next waits for its backoff (the manual clock has it).
      expect(sockets()).toBe(1)
      expect(clock.pending).toHaveLength(1)
      expect(clock.pending[0]).toBeGreaterThanOrEqual(500)
      expect(clock.pending[0]).toBeLessThanOrEqual(8_000)
      // Never logged out: the link's credentials are all still there.
      for (const [name, value] of credentials) expect(store.data.get(name)).toBe(value)
      await engine.stop()
      expect(clock.pending).toHaveLength(0)
    },
    20_000,
  )

  it('fails a pairing code as not_ready when WhatsApp never answers, without a second socket', async () => {
    const { engine, sockets, clock } = realEngine(await endpoint('silent'))
    await engine.start()
    const pairing = engine.requestPairingCode('22370123456')
    // The engine waits for WhatsApp's first QR with a deadline (pairingReadyTimeoutMs): let it pass.
    await vi.waitFor(() => expect(clock.pending).toHaveLength(1))
    clock.fire()
    await expect(pairing).rejects.toMatchObject({ code: 'not_ready' })
    expect(sockets()).toBe(1)
    await engine.stop()
  }, 20_000)
})
