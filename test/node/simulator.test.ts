// The simulator as the documented sandbox: what a developer sees when linking a device with it.
import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { AuthStore, EngineStatus, InboundEvent, Receipt } from '../../session-node/engines/engine'
import { SimulatorEngine, simulatedPairingCode, simulatedPhone, type SimulatorOptions } from '../../session-node/engines/simulator'

class MemoryStore implements AuthStore {
  readonly entries = new Map<string, string>()
  async get(names: string[]) {
    return Object.fromEntries(names.map((name) => [name, this.entries.get(name) ?? null]))
  }
  async set(entries: Record<string, string | null>) {
    for (const [name, value] of Object.entries(entries)) {
      if (value === null) this.entries.delete(name)
      else this.entries.set(name, value)
    }
  }
  async clear() {
    this.entries.clear()
  }
}

type Event = { qr: string; ttlMs: number } | EngineStatus

const engines: SimulatorEngine[] = []
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop()
})

function simulator(deviceId: number, options: Partial<SimulatorOptions>, store = new MemoryStore()) {
  const events: Event[] = []
  const receipts: Receipt[] = []
  const inbound: InboundEvent[] = []
  const waiters = new Set<() => void>()
  const engine = new SimulatorEngine(
    {
      deviceId,
      store,
      logger: pino({ level: 'silent' }),
      events: {
        qr: (qr, ttlMs) => {
          events.push({ qr, ttlMs })
          for (const waiter of waiters) waiter()
        },
        status: (update) => {
          events.push(update)
          for (const waiter of waiters) waiter()
        },
        receipt: (receipt) => receipts.push(receipt),
        inbound: (event) => {
          inbound.push(event)
          for (const waiter of waiters) waiter()
        },
      },
      fetchMedia: async (url) => ({ kind: 'image', data: Buffer.from(`bytes of ${url}`), mimetype: 'image/jpeg' }),
    },
    options,
  )
  engines.push(engine)
  const until = (test: (event: Event) => boolean) =>
    new Promise<Event>((resolve, reject) => {
      const check = () => {
        const found = events.find(test)
        if (!found) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found)
      }
      const timer = setTimeout(() => reject(new Error(`no such event; got ${JSON.stringify(events)}`)), 5_000)
      waiters.add(check)
      check()
    })
  return { engine, events, receipts, inbound, store, until }
}

const isAuthenticated = (event: Event) => 'status' in event && event.status === 'authenticated'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the simulator engine', () => {
  it('links a new device: pending, QR codes refreshed like WhatsApp, then authenticated with its fake number', async () => {
    const { engine, events, store, until } = simulator(7, { scanDelayMs: 200, firstQrTtlMs: 60, nextQrTtlMs: 40 })
    await engine.start()
    await until(isAuthenticated)

    expect(events[0]).toEqual({ status: 'pending' })
    const qrs = events.filter((e): e is { qr: string; ttlMs: number } => 'qr' in e)
    expect(qrs.length).toBeGreaterThanOrEqual(2)
    qrs.forEach((qr, index) => expect(qr.qr).toMatch(new RegExp(`^SIM-QR:7:${index + 1}:[0-9a-f]+$`)))
    expect(qrs.map((qr) => qr.ttlMs)).toEqual([60, ...qrs.slice(1).map(() => 40)])
    expect(events.at(-1)).toEqual({ status: 'authenticated', phoneNumber: '+15550000007' })
    expect(simulatedPhone(1234)).toBe('+15550001234')

    const creds = JSON.parse(store.entries.get('creds') ?? 'null') as unknown
    expect(creds).toMatchObject({ registered: true, phone: '+15550000007', linked_at: expect.any(String) })

    // Linked: no more QR codes.
    const count = events.length
    await sleep(150)
    expect(events).toHaveLength(count)
  })

  it('uses WhatsApp-like QR lifetimes by default: 60 s for the first code', async () => {
    const { engine, until } = simulator(3, {})
    await engine.start()
    expect(await until((e) => 'qr' in e)).toMatchObject({ ttlMs: 60_000 })
  })

  it('resumes from stored credentials: authenticated with the stored number and no QR at all', async () => {
    const store = new MemoryStore()
    await store.set({ creds: JSON.stringify({ registered: true, phone: '+15550000099', linked_at: '2026-01-01T00:00:00.000Z' }) })
    const { engine, events, until } = simulator(99, { scanDelayMs: 50 }, store)
    await engine.start()
    await until(isAuthenticated)
    await sleep(120)
    expect(events).toEqual([{ status: 'authenticated', phoneNumber: '+15550000099' }])
  })

  it('gives a deterministic 8-character pairing code and links to that number', async () => {
    const { engine, events, until } = simulator(5, { scanDelayMs: 150 })
    await engine.start()
    const code = await engine.requestPairingCode('22370123456')
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/)
    expect(code).toBe(simulatedPairingCode(5, '22370123456'))
    expect(simulatedPairingCode(5, '22370123457')).not.toBe(code)
    expect(simulatedPairingCode(6, '22370123456')).not.toBe(code)
    await until(isAuthenticated)
    expect(events.filter(isAuthenticated)).toEqual([{ status: 'authenticated', phoneNumber: '+22370123456' }])
    await expect(engine.requestPairingCode('22370123456')).rejects.toMatchObject({ code: 'already_linked' })
    await expect(engine.requestPairingCode('+223')).rejects.toMatchObject({ code: 'invalid_phone_number' })
  })

  it('logout clears the auth state, reports logged_out and stops', async () => {
    const { engine, events, store, until } = simulator(8, { scanDelayMs: 30 })
    await engine.start()
    await until(isAuthenticated)
    expect(store.entries.size).toBe(1)
    await engine.logout()
    expect(store.entries.size).toBe(0)
    expect(events.at(-1)).toEqual({ status: 'error', reason: 'logged_out' })
    await expect(engine.requestPairingCode('22370123456')).rejects.toMatchObject({ code: 'not_running' })
  })

  it('stop is idempotent and nothing happens after it (the link is not stored, no more events)', async () => {
    const { engine, events, store } = simulator(4, { scanDelayMs: 80, firstQrTtlMs: 30, nextQrTtlMs: 30 })
    await engine.start()
    await engine.stop()
    await engine.stop()
    const count = events.length
    await sleep(200)
    expect(events).toHaveLength(count)
    expect(store.entries.size).toBe(0)
  })
})

describe('the simulator engine: sending (the documented sandbox)', () => {
  const linked = async (deviceId: number, options: Partial<SimulatorOptions>) => {
    const sim = simulator(deviceId, { scanDelayMs: 10, ...options })
    await sim.engine.start()
    await sim.until(isAuthenticated)
    return sim
  }
  const waitFor = (test: () => boolean) => expect.poll(test, { timeout: 5_000, interval: 5 }).toBe(true)

  it('sends, then reports delivered after deliveryMs and read after readMs, with the id send returned', async () => {
    const { engine, receipts } = await linked(21, { deliveryMs: 40, readMs: 120 })
    const sentAt = Date.now()
    const { waMessageId } = await engine.send({ messageId: 'msg_1', chatId: '22370123456@s.whatsapp.net', text: 'hello' })
    expect(waMessageId).toBe('SIM.msg_1')
    await waitFor(() => receipts.length === 2)
    expect(receipts.map((r) => [r.waMessageId, r.status])).toEqual([
      ['SIM.msg_1', 'delivered'],
      ['SIM.msg_1', 'read'],
    ])
    expect(receipts[0]!.at - sentAt).toBeGreaterThanOrEqual(35)
    expect(receipts[1]!.at - sentAt).toBeGreaterThanOrEqual(115)
  })

  it('treats groups and media the same way', async () => {
    const { engine, receipts } = await linked(22, { deliveryMs: 10, readMs: 20 })
    const media = { kind: 'image' as const, data: Buffer.from([0xff, 0xd8, 0xff]), mimetype: 'image/jpeg' }
    await expect(engine.send({ messageId: 'g1', chatId: '120363012345670000@g.us', text: 'caption', media })).resolves.toEqual({
      waMessageId: 'SIM.g1',
    })
    await waitFor(() => receipts.length === 2)
    expect(receipts.map((r) => r.status)).toEqual(['delivered', 'read'])
  })

  it('refuses numbers ending in 0000 (not on WhatsApp) and any send before the device is linked', async () => {
    const { engine } = await linked(23, {})
    await expect(engine.send({ messageId: 'm', chatId: '15550000000@s.whatsapp.net', text: 'hi' })).rejects.toMatchObject({
      name: 'SendError',
      code: 'not_on_whatsapp',
    })

    const fresh = simulator(24, { scanDelayMs: 5_000 })
    await expect(fresh.engine.send({ messageId: 'm', chatId: '22370123456@s.whatsapp.net', text: 'hi' })).rejects.toMatchObject({
      code: 'not_ready',
    })
    await fresh.engine.start() // showing QR codes, not linked yet
    await expect(fresh.engine.send({ messageId: 'm', chatId: '22370123456@s.whatsapp.net', text: 'hi' })).rejects.toMatchObject({
      code: 'not_ready',
    })
  })

  it('emits no receipts for the messages of a stopped engine, and refuses to send after stop', async () => {
    const { engine, receipts } = await linked(25, { deliveryMs: 30, readMs: 60 })
    await engine.send({ messageId: 'm1', chatId: '22370123456@s.whatsapp.net', text: 'hi' })
    await engine.stop()
    await sleep(120)
    expect(receipts).toEqual([])
    await expect(engine.send({ messageId: 'm2', chatId: '22370123456@s.whatsapp.net', text: 'hi' })).rejects.toMatchObject({
      code: 'not_ready',
    })
  })
})

describe('the simulator engine: its contacts write back (the sandbox)', () => {
  const linkedSimulator = async (options: Partial<SimulatorOptions> = {}) => {
    const sim = simulator(31, { scanDelayMs: 5, resumeDelayMs: 0, deliveryMs: 10, readMs: 20, replyMs: 30, ...options })
    await sim.engine.start()
    await sim.until(isAuthenticated)
    return sim
  }
  const eventually = <T>(probe: () => T | undefined) =>
    vi.waitFor(() => {
      const value = probe()
      if (value === undefined) throw new Error('not yet')
      return value
    })

  it('makes a contact write, send a file, reply, react, edit and delete, each as an inbound event', async () => {
    const { engine, inbound } = await linkedSimulator()
    const base = { from: '22370111100', text: null, media_url: null, group_id: null, reply_to: null, emoji: null } as const
    const { waMessageId } = await engine.simulate({ ...base, kind: 'message', text: 'Hello' })
    expect(inbound[0]?.message).toMatchObject({
      wa_message_id: waMessageId,
      kind: 'message',
      type: 'text',
      text: 'Hello',
      chat_id: '22370111100@s.whatsapp.net',
      is_group: false,
      sender: { jid: '22370111100@s.whatsapp.net', phone: '+22370111100', lid: null },
    })
    await engine.simulate({
      ...base,
      kind: 'message',
      media_url: 'https://example.com/cat.jpg',
      text: 'A cat',
      group_id: '120363000000000001@g.us',
    })
    expect(inbound[1]?.message).toMatchObject({
      type: 'image',
      is_group: true,
      participant: '22370111100@s.whatsapp.net',
      media: { mimetype: 'image/jpeg' },
    })
    expect((await inbound[1]!.download!()).toString()).toBe('bytes of https://example.com/cat.jpg')
    await engine.simulate({ ...base, kind: 'reaction', reply_to: waMessageId })
    await engine.simulate({ ...base, kind: 'edit', reply_to: waMessageId, text: 'Hello!' })
    await engine.simulate({ ...base, kind: 'delete', reply_to: waMessageId })
    expect(inbound.slice(2).map((e) => [e.message.kind, e.message.target, e.message.emoji ?? null])).toEqual([
      ['reaction', waMessageId, '👍'],
      ['edit', waMessageId, null],
      ['delete', waMessageId, null],
    ])
    await expect(engine.simulate({ ...base, kind: 'reaction' })).rejects.toMatchObject({ code: 'invalid_action' })
    await expect(engine.simulate({ ...base, kind: 'message' })).rejects.toMatchObject({ code: 'invalid_action' })
  })

  it('puts every linked device in two groups, one it administers', async () => {
    const groups = await (await linkedSimulator()).engine.groups()
    const shape = groups.map((g) => `${g.subject}:${g.size}:${g.is_admin}:${/^120363\d{12}@g\.us$/.test(g.id)}`)
    expect(shape).toEqual(['Sandbox team:3:true:true', 'Sandbox customers:5:false:true'])
  })

  it('checks numbers by the sandbox rule: digits ending in 0000 have no WhatsApp', async () => {
    const { engine } = await linkedSimulator()
    expect(await engine.checkNumbers(['22370123456', '22370120000'])).toEqual([
      { digits: '22370123456', jid: '22370123456@s.whatsapp.net' },
    ])
  })

  it('has a contact ending in 1111 reply "Re: <text>" to what it got, and one ending in 2222 react 👍', async () => {
    const { engine, inbound } = await linkedSimulator()
    const toReplier = await engine.send({ messageId: 'm1', chatId: '22370121111@s.whatsapp.net', text: 'Your order shipped' })
    const reply = await eventually(() => inbound.find((e) => e.message.kind === 'message'))
    expect(reply.message).toMatchObject({
      text: 'Re: Your order shipped',
      reply_to: toReplier.waMessageId,
      sender: { phone: '+22370121111' },
    })
    const toReactor = await engine.send({ messageId: 'm2', chatId: '22370122222@s.whatsapp.net', text: 'Rate us' })
    const reaction = await eventually(() => inbound.find((e) => e.message.kind === 'reaction'))
    expect(reaction.message).toMatchObject({ type: 'reaction', emoji: '👍', target: toReactor.waMessageId })
    await engine.send({ messageId: 'm3', chatId: '22370123456@s.whatsapp.net', text: 'Nobody answers' })
    await new Promise((resolve) => setTimeout(resolve, 80))
    expect(inbound).toHaveLength(2)
  })
})
