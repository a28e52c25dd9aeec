// Messaging through the real session node (in-process, simulator engine) against the fake
// worker: `send` commands and their results, receipts that DeviceDO must acknowledge (kept and
// resent after a reconnect), error frames that name a command of ours, and a superseded node.
import { afterEach, describe, expect, it } from 'vitest'
import type { NodeToDevice } from '../../protocol/frames'
import { SendError, type EngineFactory, type OutgoingMessage } from '../../session-node/engines/engine'
import { createSimulatorEngine, type SimulatorOptions } from '../../session-node/engines/simulator'
import { command, type DeviceConnection } from './fake-worker'
import type { SimulateInbound } from '../../protocol/inbound'
import { closeServers, JPEG, send, serve } from './support/http-fixtures'
import { startFakeWorker, startNode, stopEverything } from './support/node-harness'

const TOKEN = 'wnt_messaging_token_0123456789'

type Receipt = Extract<NodeToDevice, { type: 'receipt' }>

afterEach(async () => {
  await stopEverything()
  await closeServers()
})

async function setup(
  deviceId: number,
  options: { simulator?: Partial<SimulatorOptions>; env?: Record<string, string>; sendFailure?: () => Error; notSimulator?: boolean } = {},
) {
  const worker = await startFakeWorker(TOKEN)
  const sent: OutgoingMessage[] = []
  const simulator = createSimulatorEngine({ scanDelayMs: 50, resumeDelayMs: 10, deliveryMs: 40, readMs: 80, ...options.simulator })
  // The simulator, with a record of what the session layer asked it to send.
  const engineFactory: EngineFactory = (context) => {
    const engine = simulator(context)
    return {
      start: () => engine.start(),
      stop: () => engine.stop(),
      logout: () => engine.logout(),
      requestPairingCode: (digits) => engine.requestPairingCode(digits),
      checkNumbers: (digits) => engine.checkNumbers(digits),
      groups: () => engine.groups(),
      markRead: (message) => engine.markRead(message),
      ...(!options.notSimulator && { simulate: (action: SimulateInbound) => engine.simulate!(action) }),
      send: (message) => {
        sent.push(message)
        const failure = options.sendFailure?.()
        return failure ? Promise.reject(failure) : engine.send(message)
      },
    }
  }
  const { node, fatal } = startNode({
    worker,
    token: TOKEN,
    name: 'node-m',
    plan: [{ deviceId, epoch: 1 }],
    engineFactory,
    ...(options.env && { env: options.env }),
    timing: { drainMs: 500 },
  })
  await worker.deviceFrame(deviceId, 'status', (frame) => frame.status === 'authenticated')
  const connection = (n: number) => worker.waitFor(() => worker.devices.get(deviceId)!.connections[n - 1], `device connection ${n}`)
  const receipts = (of: DeviceConnection) => of.frames.filter((frame): frame is Receipt => frame.type === 'receipt')
  return { worker, node, fatal, sent, device: worker.devices.get(deviceId)!, connection, receipts }
}

const sendFrame = (id: string, fields: Partial<Extract<Parameters<typeof command>[2], { type: 'send' }>> = {}) =>
  ({ type: 'send', id, message_id: `msg-${id}`, chat_id: '22370123456@s.whatsapp.net', text: 'Hello', ...fields }) as const

async function mediaServer(): Promise<string> {
  return (await serve({ '/photo.jpg': send(JPEG, { 'content-type': 'image/jpeg' }) })).base
}

describe('session node: sending', () => {
  it('answers a send with the WhatsApp id, then reports delivered and read as acknowledged receipts', async () => {
    const { worker, connection, receipts } = await setup(60)
    const first = await connection(1)
    const before = Date.now()
    const result = await command(worker, first, sendFrame('s1'))
    expect(result).toEqual({ type: 'result', id: 's1', ok: true, data: { wa_message_id: 'SIM.msg-s1', sent_at: expect.any(Number) } })
    expect((result as { data: { sent_at: number } }).data.sent_at).toBeGreaterThanOrEqual(before)

    await worker.waitFor(() => receipts(first).length === 2, 'two receipts')
    const [delivered, read] = receipts(first)
    expect(delivered).toEqual({
      type: 'receipt',
      id: expect.any(String),
      wa_message_id: 'SIM.msg-s1',
      status: 'delivered',
      at: expect.any(Number),
    })
    expect(read).toMatchObject({ wa_message_id: 'SIM.msg-s1', status: 'read' })
    expect(read!.id).not.toBe(delivered!.id)
    expect(read!.at).toBeGreaterThanOrEqual(delivered!.at)

    // Both were acknowledged: a new connection gets none of them again.
    first.ws.close(1011, 'restart')
    const second = await connection(2)
    await worker.waitFor(() => second.frames.some((f) => f.type === 'status'), 'status replay')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(receipts(second)).toEqual([])
  })

  it('answers failed sends with the failure code', async () => {
    const { worker, connection } = await setup(61)
    const device = await connection(1)
    expect(await command(worker, device, sendFrame('f1', { chat_id: '15550000000@s.whatsapp.net' }))).toMatchObject({
      ok: false,
      error: { code: 'not_on_whatsapp' },
    })
    expect(await command(worker, device, sendFrame('f2', { text: undefined }))).toMatchObject({ ok: false, error: { code: 'send_failed' } })
    // No MEDIA_ALLOW_PRIVATE here: a URL on this machine is refused before anything is fetched.
    expect(await command(worker, device, sendFrame('f3', { media: { url: 'http://127.0.0.1:9/x.jpg' } }))).toMatchObject({
      ok: false,
      error: { code: 'media_unavailable', message: expect.stringContaining('loopback') },
    })
    expect(await command(worker, device, { type: 'pause', id: 'p1' })).toMatchObject({ ok: true })
    expect(await command(worker, device, sendFrame('f4'))).toMatchObject({ ok: false, error: { code: 'not_ready' } })
  })

  it('answers outcome_unknown unchanged when the engine may have sent the message', async () => {
    const { worker, connection, sent } = await setup(67, {
      sendFailure: () =>
        new SendError(
          'outcome_unknown',
          'the message was handed to WhatsApp and then the send failed (Timed Out, 408); it may have been sent',
        ),
    })
    const device = await connection(1)
    expect(await command(worker, device, sendFrame('u1'))).toEqual({
      type: 'result',
      id: 'u1',
      ok: false,
      error: {
        code: 'outcome_unknown',
        message: 'the message was handed to WhatsApp and then the send failed (Timed Out, 408); it may have been sent',
      },
    })
    expect(sent).toHaveLength(1)
  })

  it('fetches media itself (MEDIA_ALLOW_PRIVATE=1 for this local server) and hands the engine bytes', async () => {
    const base = await mediaServer()
    const { worker, connection, sent } = await setup(62, { env: { MEDIA_ALLOW_PRIVATE: '1' } })
    const device = await connection(1)
    const result = await command(
      worker,
      device,
      sendFrame('m1', { text: undefined, media: { url: `${base}/photo.jpg`, caption: 'Our menu' } }),
    )
    expect(result).toMatchObject({ ok: true, data: { wa_message_id: 'SIM.msg-m1' } })
    expect(sent).toEqual([
      {
        messageId: 'msg-m1',
        chatId: '22370123456@s.whatsapp.net',
        text: 'Our menu',
        media: { kind: 'image', data: JPEG, mimetype: 'image/jpeg' },
      },
    ])
    expect(await command(worker, device, sendFrame('m2', { media: { url: `${base}/missing.jpg` } }))).toMatchObject({
      ok: false,
      error: { code: 'media_unavailable', message: expect.stringContaining('HTTP 404') },
    })
  })
})

describe('session node: receipts and refused frames', () => {
  it('keeps unacknowledged receipts and resends them in order after a reconnect', async () => {
    const { worker, device, connection, receipts } = await setup(63, { simulator: { deliveryMs: 20, readMs: 40 } })
    device.answers.set('receipt', 'silent')
    const first = await connection(1)
    await command(worker, first, sendFrame('a'))
    await command(worker, first, sendFrame('b'))
    await worker.waitFor(() => receipts(first).length === 4, 'four receipts')
    const order = receipts(first).map((r) => `${r.wa_message_id}:${r.status}`)
    expect(order.filter((entry) => entry.startsWith('SIM.msg-a'))).toEqual(['SIM.msg-a:delivered', 'SIM.msg-a:read'])

    device.answers.set('receipt', 'ok')
    first.ws.close(1011, 'worker restart')
    const second = await connection(2)
    await worker.waitFor(() => receipts(second).length === 4, 'the receipts again')
    expect(receipts(second).map((r) => `${r.wa_message_id}:${r.status}`)).toEqual(order)

    // Acknowledged this time: the next connection gets nothing.
    second.ws.close(1011, 'again')
    const third = await connection(3)
    await worker.waitFor(() => third.frames.some((f) => f.type === 'status'), 'status replay')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(receipts(third)).toEqual([])
  })

  it('keeps what the phone received until DeviceDO stored it, and resends it in order after a reconnect', async () => {
    const { worker, device, connection } = await setup(65)
    const inbound = (of: DeviceConnection) => of.frames.flatMap((f) => (f.type === 'inbound' ? [f.message.wa_message_id] : []))
    device.answers.set('inbound', 'silent')
    const first = await connection(1)
    const contact = { from: '22370111100', media_url: null, group_id: null, reply_to: null, emoji: null, kind: 'message' } as const
    const ids: string[] = []
    for (const text of ['one', 'two', 'three']) {
      const answer = await command(worker, first, { type: 'simulate', id: `s-${text}`, action: { ...contact, text } })
      ids.push((answer as { data: { wa_message_id: string } }).data.wa_message_id)
    }
    await worker.waitFor(() => inbound(first).length === 3, 'three inbound frames')
    expect(inbound(first)).toEqual(ids)

    device.answers.set('inbound', 'ok')
    first.ws.close(1011, 'worker restart')
    const second = await connection(2)
    await worker.waitFor(() => inbound(second).length === 3, 'the inbound frames again')
    expect(inbound(second)).toEqual(ids)
    second.ws.close(1011, 'again')
    const third = await connection(3)
    await worker.waitFor(() => third.frames.some((f) => f.type === 'status'), 'status replay')
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(inbound(third)).toEqual([])
  })

  it('answers a sandbox action on a non-simulator engine with not_simulator, and a senseless one with invalid_action', async () => {
    const action = {
      from: '22370111100',
      text: 'x',
      media_url: null,
      group_id: null,
      reply_to: null,
      emoji: null,
      kind: 'reaction',
    } as const
    const real = await setup(66, { notSimulator: true })
    const onReal = await command(real.worker, await real.connection(1), { type: 'simulate', id: 's1', action })
    expect(onReal).toMatchObject({ ok: false, error: { code: 'not_simulator' } })
    const sim = await setup(67)
    // A reaction with nothing to react to.
    const senseless = await command(sim.worker, await sim.connection(1), { type: 'simulate', id: 's2', action })
    expect(senseless).toMatchObject({ ok: false, error: { code: 'invalid_action' } })
  })

  it('gathers receipts seen together into one receipts frame once DeviceDO offers them', async () => {
    const { worker, device, connection, receipts } = await setup(65, { simulator: { deliveryMs: 30, readMs: 60 } })
    device.receiptBatches = true
    ;(await connection(1)).ws.close(1011, 'the worker was upgraded')
    const second = await connection(2)
    await worker.waitFor(() => second.frames.some((f) => f.type === 'status'), 'status replay')
    await Promise.all(['b1', 'b2', 'b3'].map((id) => command(worker, second, sendFrame(id))))
    type Batch = Extract<NodeToDevice, { type: 'receipts' }>
    const batches = () => second.frames.filter((frame): frame is Batch => frame.type === 'receipts')
    const told = () => batches().flatMap((frame) => frame.receipts.map((r) => `${r.wa_message_id}:${r.status}`))
    await worker.waitFor(() => told().length === 6, 'six receipts')
    expect(told().sort()).toEqual(['b1', 'b2', 'b3'].flatMap((id) => [`SIM.msg-${id}:delivered`, `SIM.msg-${id}:read`]).sort())
    // Three sends answered within a few milliseconds: their receipts share frames.
    expect(batches().length).toBeLessThan(6)
    expect(receipts(second)).toEqual([])
  })

  it('drops a receipt the worker refuses with an error frame naming it, instead of resending it forever', async () => {
    const { worker, device, connection, receipts } = await setup(64)
    device.answers.set('receipt', 'refuse')
    const first = await connection(1)
    await command(worker, first, sendFrame('r1'))
    await worker.waitFor(() => receipts(first).length === 2, 'both receipts')
    // The error frames carry ids, but they are answers, not commands: the node answers nothing back.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const receiptIds = new Set(receipts(first).map((r) => r.id))
    expect(first.frames.filter((f) => f.type === 'result' && receiptIds.has(f.id))).toEqual([])
    device.answers.set('receipt', 'ok')
    first.ws.close(1011, 'restart')
    const second = await connection(2)
    await worker.waitFor(() => second.frames.some((f) => f.type === 'status'), 'status replay')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(receipts(second)).toEqual([])
  })

  it('fails an auth write at once when the worker answers it with an error frame naming its id', async () => {
    const worker = await startFakeWorker(TOKEN)
    worker.device(65, 1).answers.set('auth.set', 'refuse')
    startNode({
      worker,
      token: TOKEN,
      name: 'node-r',
      plan: [{ deviceId: 65, epoch: 1 }],
      engineFactory: createSimulatorEngine({ scanDelayMs: 30 }),
      // A 30 s request timeout: only the error frame can fail the write within the wait below.
      timing: { drainMs: 200 },
    })
    const started = Date.now()
    const status = await worker.deviceFrame(65, 'status', (frame) => frame.status === 'error', 5_000)
    expect(status).toMatchObject({ reason: 'session_error', detail: 'credentials could not be stored' })
    expect(Date.now() - started).toBeLessThan(5_000)
    const auth = worker.devices.get(65)!.connections[0]!.frames.filter((f) => f.type === 'auth.set')
    expect(auth).toHaveLength(1) // refused once, not resent
  })
})

describe('session node: superseded control socket', () => {
  it('treats close 4001 as final: says another process has the token, calls onFatal and does not reconnect', async () => {
    const { worker, fatal } = await setup(66)
    worker.controls[0]!.ws.close(4001, 'superseded')
    await worker.waitFor(() => fatal.length > 0, 'onFatal')
    expect(fatal[0]).toContain('another process connected with this node token')
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(worker.controls).toHaveLength(1)
    expect(worker.upgrades.filter((u) => u.path === '/api/nodes/connect')).toHaveLength(1)
  })
})
