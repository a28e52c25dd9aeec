import { proto } from '@whiskeysockets/baileys'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { decodeValue } from '../../session-node/engines/baileys/auth-state'
import { createBaileysEngine } from '../../session-node/engines/baileys/index'
import { harness, linkedStore, settle } from './support/baileys-engine-harness'
import { fakeBaileys } from './support/fake-baileys'
import { MemoryAuthStore } from './support/memory-auth-store'

describe('baileys engine: linking', () => {
  it('shows QR codes: the first lives 60 s, the next 20 s, and a new socket starts over at 60 s', async () => {
    const { engine, wa, clock, qrs } = harness()
    await engine.start()
    wa.last().showQr('qr-1')
    wa.last().showQr('qr-2')
    wa.last().showQr('qr-3')
    wa.last().close(408) // nobody scanned: WhatsApp ran out of codes
    clock.fire()
    wa.last().showQr('qr-4')
    expect(qrs).toEqual([
      { code: 'qr-1', ttlMs: 60_000 },
      { code: 'qr-2', ttlMs: 20_000 },
      { code: 'qr-3', ttlMs: 20_000 },
      { code: 'qr-4', ttlMs: 60_000 },
    ])
  })

  it('links by QR: saves the paired creds, restarts at once on 515 and reports the phone from creds', async () => {
    const { engine, wa, store, statuses } = harness()
    await engine.start()
    wa.last().showQr('qr-1')
    wa.last().pair('15551234567')
    expect(wa.sockets).toHaveLength(2) // 515: no backoff, no status flicker
    expect(statuses).toEqual([])
    wa.last().open()
    expect(statuses).toEqual([{ status: 'authenticated', phoneNumber: '+15551234567' }])
    // Baileys' sock.user is a snapshot from before pairing; the engine did not rely on it.
    expect(wa.last().user).toEqual({ id: '15551234567:7@s.whatsapp.net', name: 'Shop', lid: '123456789:7@lid' })
    expect(wa.sockets[0]?.user).toBeUndefined()

    await settle()
    const saved = decodeValue(store.data.get('creds') ?? 'null') as { me?: { id: string }; platform?: string }
    expect(saved.me?.id).toBe('15551234567:7@s.whatsapp.net')
    expect(saved.platform).toBe('android')
  })

  it('another node resumes a linked device from the store without a new QR (failover)', async () => {
    const store = await linkedStore('22370123456')
    const { engine, wa, qrs, statuses } = harness(store)
    await engine.start()
    const creds = wa.last().config.auth.creds
    expect(creds.me?.id).toBe('22370123456:7@s.whatsapp.net')
    expect(creds.account).toBeDefined()
    wa.last().open()
    expect(qrs).toEqual([])
    expect(statuses).toEqual([{ status: 'authenticated', phoneNumber: '+22370123456' }])
  })

  it('keeps the latest creds when Baileys updates them while linked', async () => {
    const { engine, wa, store } = harness(await linkedStore())
    await engine.start()
    wa.last().open()
    wa.last().updateCreds({ me: { id: '15551234567:7@s.whatsapp.net', name: 'Shop renamed' } })
    wa.last().updateCreds({ nextPreKeyId: 31, firstUnuploadedPreKeyId: 31 })
    await engine.stop()
    const saved = decodeValue(store.data.get('creds') ?? 'null') as { me?: { name?: string }; nextPreKeyId?: number }
    expect(saved.me?.name).toBe('Shop renamed')
    expect(saved.nextPreKeyId).toBe(31)
  })

  it('gives the socket signal keys backed by the store: `type:id` names, null deletes', async () => {
    const { engine, wa, store } = harness()
    await engine.start()
    const keys = wa.last().config.auth.keys
    await keys.set({
      session: { '15551234567.0': new Uint8Array([1, 2, 3]) },
      'lid-mapping': { '15551234567': '123456789', '123456789_reverse': '15551234567' },
      'device-list': { '15551234567': ['0', '7'] },
      tctoken: { '123456789@lid': { token: Buffer.from('tok'), timestamp: '1700000000' } },
      'app-state-sync-key': { AAAB: proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.from([9, 9]) }) },
    })
    expect([...store.data.keys()].sort()).toEqual([
      'app-state-sync-key:AAAB',
      'device-list:15551234567',
      'lid-mapping:123456789_reverse',
      'lid-mapping:15551234567',
      'session:15551234567.0',
      'tctoken:123456789@lid',
    ])
    await keys.set({ session: { '15551234567.0': null }, 'lid-mapping': { '15551234567': null } })
    expect(store.data.has('session:15551234567.0')).toBe(false)
    expect(store.data.has('lid-mapping:15551234567')).toBe(false)
    // Baileys' key cache remembers a deletion as null; both mean "no such key" to Baileys.
    expect((await keys.get('session', ['15551234567.0']))['15551234567.0']).toBeFalsy()
    expect(await keys.get('lid-mapping', ['123456789_reverse'])).toEqual({ '123456789_reverse': '15551234567' })
  })

  it('passes Baileys the socket settings this product needs', async () => {
    const { engine, wa } = harness()
    await engine.start()
    const config = wa.last().config
    expect(config.markOnlineOnConnect).toBe(false)
    expect(config.syncFullHistory).toBe(false)
    const syncs = (syncType: proto.HistorySync.HistorySyncType) => config.shouldSyncHistoryMessage?.({ syncType })
    expect(syncs(proto.HistorySync.HistorySyncType.FULL)).toBe(false)
    expect(syncs(proto.HistorySync.HistorySyncType.INITIAL_BOOTSTRAP)).toBe(true)
    expect(syncs(proto.HistorySync.HistorySyncType.RECENT)).toBe(true)
    expect(config.browser?.[0]).toBe('Ubuntu')
    expect(await config.getMessage?.({ id: 'x' })).toBeUndefined()
  })
})

describe('baileys engine: pairing code', () => {
  it('asks the open socket at once when a QR is already showing', async () => {
    const { engine, wa } = harness()
    await engine.start()
    wa.last().showQr('qr-1')
    await expect(engine.requestPairingCode('15551234567')).resolves.toBe('K7QX2M9P')
    expect(wa.last().pairingRequests).toEqual(['15551234567'])
  })

  it('waits for the first QR (the socket is up) before asking', async () => {
    const { engine, wa } = harness()
    await engine.start()
    const code = engine.requestPairingCode('15551234567')
    await settle()
    expect(wa.last().pairingRequests).toEqual([])
    wa.last().showQr('qr-1')
    await expect(code).resolves.toBe('K7QX2M9P')
    expect(wa.last().pairingRequests).toEqual(['15551234567'])
  })

  it('gives up with not_ready when WhatsApp never shows a QR', async () => {
    const { engine, clock } = harness()
    await engine.start()
    const code = engine.requestPairingCode('15551234567')
    await settle()
    clock.fire()
    await expect(code).rejects.toMatchObject({ code: 'not_ready' })
  })

  it('refuses a linked device, a malformed number and a stopped engine', async () => {
    const linked = harness(await linkedStore())
    await linked.engine.start()
    await expect(linked.engine.requestPairingCode('15551234567')).rejects.toMatchObject({ code: 'already_linked' })

    const fresh = harness()
    await expect(fresh.engine.requestPairingCode('15551234567')).rejects.toMatchObject({ code: 'not_running' })
    await fresh.engine.start()
    await expect(fresh.engine.requestPairingCode('+1 555 123')).rejects.toMatchObject({ code: 'invalid_phone_number' })
  })

  it('a code that was never entered does not make the next socket log in as that number', async () => {
    const { engine, wa, clock, statuses } = harness()
    await engine.start()
    wa.last().showQr('qr-1')
    await engine.requestPairingCode('15551234567')
    wa.last().close(408)
    clock.fire()
    // Registering anew (no `me`) shows QR codes again instead of failing as logged out.
    expect(wa.last().config.auth.creds.me).toBeUndefined()
    // WhatsApp was there (it showed a QR): the series ended unscanned, no network problem.
    expect(statuses).toEqual([{ status: 'disconnected', reason: 'qr_expired', detail: 'timed_out' }])
    const again = engine.requestPairingCode('15551234567')
    wa.last().showQr('qr-2')
    await expect(again).resolves.toBe('K7QX2M9P')
  })
})

describe('baileys engine: a failing listener', () => {
  it('does not break the WhatsApp socket or the engine', async () => {
    const wa = fakeBaileys()
    const engine = createBaileysEngine(
      {
        deviceId: 7,
        store: new MemoryAuthStore(),
        logger: pino({ level: 'silent' }),
        events: {
          inbound: () => {
            throw new Error('listener bug')
          },
          qr: () => {
            throw new Error('listener bug')
          },
          status: () => {
            throw new Error('listener bug')
          },
          receipt: () => {
            throw new Error('listener bug')
          },
        },
      },
      { socketFactory: wa.socketFactory },
    )
    await engine.start()
    const code = engine.requestPairingCode('15551234567')
    expect(() => wa.last().showQr('qr-1')).not.toThrow()
    await expect(code).resolves.toBe('K7QX2M9P')
    expect(() => wa.last().close(515)).not.toThrow()
    expect(() => wa.last().open()).not.toThrow()
    await engine.stop()
  })
})
