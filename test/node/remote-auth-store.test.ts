// The engine's auth state lives in DeviceDO. A write resolves only once the worker acknowledged
// it; a write made while the socket is down, or lost with a socket, is sent again in order on
// the next connection; nothing is ever dropped silently, and nothing readable leaves the node.
import { randomBytes } from 'node:crypto'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { decodeFrame, DeviceToNode, encodeFrame, MAX_FRAME_CHARS, NodeToDevice, type NodeToDevice as Frame } from '../../protocol/frames'
import { AuthStateError, RemoteAuthStore } from '../../session-node/auth/remote-auth-store'
import { createSealer } from '../../session-node/auth/sealing'
import { FrameTooLargeError } from '../../session-node/transport/errors'
import { DEFAULT_TIMING, FrameSocket } from '../../session-node/transport/frame-socket'

const logger = pino({ level: 'silent' })
const sealer = createSealer(randomBytes(32))

/** A DeviceDO stand-in that answers auth frames, or stays silent when told to. */
async function fakeDevice() {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  await new Promise((resolve) => wss.once('listening', resolve))
  const state = { answer: true, auth: new Map<string, string>(), received: [] as Frame[][], sockets: [] as WebSocket[] }
  wss.on('connection', (ws) => {
    const received: Frame[] = []
    state.received.push(received)
    state.sockets.push(ws)
    ws.on('message', (data) => {
      const decoded = decodeFrame(NodeToDevice, data.toString())
      if (!decoded.ok) return
      const frame = decoded.frame
      received.push(frame)
      if (!state.answer) return
      if (frame.type === 'auth.set') {
        for (const [name, value] of Object.entries(frame.entries)) {
          if (value === null) state.auth.delete(name)
          else state.auth.set(name, value)
        }
        ws.send(encodeFrame({ type: 'result', id: frame.id, ok: true }))
      } else if (frame.type === 'auth.get') {
        ws.send(
          encodeFrame({
            type: 'result',
            id: frame.id,
            ok: true,
            data: { values: Object.fromEntries(frame.names.map((n) => [n, state.auth.get(n) ?? null])) },
          }),
        )
      } else if (frame.type === 'auth.clear') {
        state.auth.clear()
        ws.send(encodeFrame({ type: 'result', id: frame.id, ok: true }))
      }
    })
  })
  const { port } = wss.address() as { port: number }
  return { wss, state, url: `ws://127.0.0.1:${port}` }
}

const until = (test: () => boolean) => expect.poll(test, { interval: 5 }).toBe(true)

async function connect(url: string, requestTimeoutMs = 5_000) {
  const socket = new FrameSocket<DeviceToNode, NodeToDevice>(new WebSocket(url), {
    schema: DeviceToNode,
    logger,
    timing: { ...DEFAULT_TIMING, requestTimeoutMs },
    onEvent: () => undefined,
  })
  await until(() => socket.isOpen)
  return socket
}

const servers: WebSocketServer[] = []
afterEach(async () => {
  for (const wss of servers.splice(0)) {
    for (const client of wss.clients) client.terminate()
    await new Promise((resolve) => wss.close(resolve))
  }
})

const settledState = async (promise: Promise<unknown>) => {
  let state = 'pending'
  promise.then(
    () => (state = 'resolved'),
    () => (state = 'rejected'),
  )
  await new Promise((resolve) => setTimeout(resolve, 50))
  return state
}

describe('RemoteAuthStore', () => {
  it('holds writes while disconnected and resends unacknowledged ones in order after a reconnect', async () => {
    const device = await fakeDevice()
    servers.push(device.wss)
    const store = new RemoteAuthStore(42, sealer, logger, 5_000)

    // No socket yet: nothing resolves, nothing is lost.
    const first = store.set({ creds: '{"phone":"+15550000042"}' })
    const second = store.set({ 'pre-key:1': 'one', 'pre-key:2': 'two' })
    const third = store.set({ 'pre-key:1': null })
    const read = store.get(['creds', 'pre-key:1', 'pre-key:2'])
    expect(await settledState(first)).toBe('pending')
    expect(store.pendingCount).toBe(4)

    // A socket that swallows everything, then dies: still nothing resolved, nothing rejected.
    device.state.answer = false
    const silent = await connect(device.url)
    store.attach(silent)
    await until(() => device.state.received[0]?.length === 4)
    device.state.sockets[0]!.close(1011, 'going away')
    await silent.ended
    store.detach()
    expect(await settledState(first)).toBe('pending')

    // The next socket gets the same four operations, in the same order, and they all land.
    device.state.answer = true
    store.attach(await connect(device.url))
    await Promise.all([first, second, third])
    expect(await read).toEqual({ creds: '{"phone":"+15550000042"}', 'pre-key:1': null, 'pre-key:2': 'two' })
    const kinds = (frames: Frame[]) => frames.map((f) => f.type)
    expect(kinds(device.state.received[1]!)).toEqual(kinds(device.state.received[0]!))
    expect(kinds(device.state.received[1]!)).toEqual(['auth.set', 'auth.set', 'auth.set', 'auth.get'])
    expect(store.pendingCount).toBe(0)
    expect(await store.drain(100)).toBe(true)

    // What the worker holds is sealed, under hashed names.
    expect([...device.state.auth.keys()].sort()).toEqual([sealer.name('creds'), sealer.name('pre-key:2')].sort())
    for (const value of device.state.auth.values()) expect(value).not.toMatch(/15550000042|two/)
  })

  it('cuts a link that stops acknowledging and resends on the next one', async () => {
    const device = await fakeDevice()
    servers.push(device.wss)
    const store = new RemoteAuthStore(1, sealer, logger, 100)
    device.state.answer = false
    const stalled = await connect(device.url, 100)
    store.attach(stalled)
    const write = store.set({ creds: 'x' })
    expect(await stalled.ended).toMatchObject({ kind: 'closed' })
    store.detach()
    device.state.answer = true
    store.attach(await connect(device.url, 100))
    await write
    expect(device.state.auth.size).toBe(1)
  })

  it('refuses to treat a tampered value as missing, and fails waiting writes when closed', async () => {
    const device = await fakeDevice()
    servers.push(device.wss)
    const store = new RemoteAuthStore(3, sealer, logger, 5_000)
    store.attach(await connect(device.url))
    await store.set({ creds: 'secret' })
    const name = sealer.name('creds')
    device.state.auth.set(name, device.state.auth.get(name)!.slice(0, -4) + 'AAAA')
    await expect(store.get(['creds'])).rejects.toBeInstanceOf(AuthStateError)

    // A value copied from another device does not open here either.
    const other = new RemoteAuthStore(4, sealer, logger, 5_000)
    other.attach(await connect(device.url))
    await other.set({ creds: 'device four' })
    await expect(store.get(['creds'])).rejects.toBeInstanceOf(AuthStateError)

    store.detach()
    const waiting = store.set({ late: 'write' })
    store.close('released')
    await expect(waiting).rejects.toBeInstanceOf(AuthStateError)
    await expect(store.set({ later: 'write' })).rejects.toThrow(/closed: released/)
  })

  it('splits a write too large for one frame into several, in order, and every entry lands', async () => {
    const device = await fakeDevice()
    servers.push(device.wss)
    const store = new RemoteAuthStore(5, sealer, logger, 5_000)
    store.attach(await connect(device.url))
    // Six values of ~930k sealed characters: more than one frame may carry.
    const entries = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`app-state-sync-key:${i}`, String(i).repeat(700_000)]))
    await store.set(entries)
    const sets = device.state.received[0]!.filter((f) => f.type === 'auth.set')
    expect(sets.length).toBeGreaterThan(1)
    for (const frame of sets) expect(encodeFrame(frame).length).toBeLessThanOrEqual(MAX_FRAME_CHARS)
    expect(sets.flatMap((f) => Object.keys(f.entries))).toEqual(Object.keys(entries).map((name) => sealer.name(name)))
    // Read back two at a time: six such values would not fit in one answer either.
    for (const pair of [
      [0, 1],
      [2, 3],
      [4, 5],
    ]) {
      const names = pair.map((i) => `app-state-sync-key:${i}`)
      expect(await store.get(names)).toEqual(Object.fromEntries(names.map((name) => [name, entries[name]])))
    }
  })
})

describe('RemoteAuthStore reads', () => {
  it('asks for many names in several small reads, so no answer outgrows a frame', async () => {
    const device = await fakeDevice()
    servers.push(device.wss)
    const store = new RemoteAuthStore(6, sealer, logger, 5_000)
    store.attach(await connect(device.url))
    await store.set({ 'session:7': 'seven', 'session:249': 'last' })
    const names = Array.from({ length: 250 }, (_, i) => `session:${i}`)
    const values = await store.get(names)
    expect(values['session:7']).toBe('seven')
    expect(values['session:249']).toBe('last')
    expect(Object.values(values).filter((v) => v === null)).toHaveLength(248)
    expect(device.state.received[0]!.filter((f) => f.type === 'auth.get').map((f) => f.names.length)).toEqual([100, 100, 50])
  })
})

describe('FrameSocket', () => {
  it('never sends a frame larger than the worker accepts: the command fails at once', async () => {
    const device = await fakeDevice()
    servers.push(device.wss)
    const socket = await connect(device.url)
    const huge = socket.request((id) => ({ type: 'auth.set', id, entries: { big: 'x'.repeat(MAX_FRAME_CHARS) } }))
    await expect(huge).rejects.toBeInstanceOf(FrameTooLargeError)
    expect(socket.send({ type: 'auth.set', id: 'x', entries: { big: 'x'.repeat(MAX_FRAME_CHARS) } })).toBe(false)
    await socket.request((id) => ({ type: 'auth.clear', id }))
    expect(device.state.received[0]!.map((f) => f.type)).toEqual(['auth.clear'])
  })
})
