// A test stand-in for a session node: opens the real node sockets through the worker entrypoint
// and records every frame the Durable Objects send.
import { applyD1Migrations, reset } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { vi } from 'vitest'
import { PROTOCOL_VERSION } from '../../protocol/frames'
import { admin, tenant } from './helpers'

export interface FrameLog {
  ws: WebSocket
  frames: any[]
  closed: Promise<{ code: number; reason: string }>
  send(frame: unknown): void
  /** The first frame (already received or to come) matching `predicate`. */
  next(predicate: (frame: any) => boolean, timeoutMs?: number): Promise<any>
}

const open = new Set<WebSocket>()

/** Closes every socket the test opened and waits (briefly) for them to be gone. */
export async function closeAllSockets(): Promise<void> {
  const closing = [...open].map(
    (ws) =>
      new Promise<void>((resolve) => {
        ws.addEventListener('close', () => resolve())
        setTimeout(resolve, 2_000)
        try {
          ws.close(1000, 'test over')
        } catch {
          resolve()
        }
      }),
  )
  open.clear()
  await Promise.all(closing)
}

/**
 * A clean slate between tests: one fleet registry is shared by the whole worker, so sockets are
 * closed first (their close handlers must run before storage goes), then storage is reset.
 */
export async function resetWorld(): Promise<void> {
  await closeAllSockets()
  await reset()
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
}

function track(ws: WebSocket): FrameLog {
  open.add(ws)
  const frames: any[] = []
  const waiters: Array<{ predicate: (f: any) => boolean; resolve: (f: any) => void }> = []
  ws.accept()
  ws.addEventListener('message', (event) => {
    const frame = typeof event.data === 'string' ? (event.data === 'pong' ? 'pong' : JSON.parse(event.data)) : event.data
    frames.push(frame)
    for (const waiter of [...waiters]) {
      if (waiter.predicate(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(frame)
      }
    }
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason })),
  )
  return {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: (predicate, timeoutMs = 5_000) => {
      const seen = frames.find(predicate)
      if (seen !== undefined) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`)),
          timeoutMs,
        )
        waiters.push({ predicate, resolve: (f) => (clearTimeout(timer), resolve(f)) })
      })
    },
  }
}

export async function registerNode(name = 'test-node') {
  const res = await admin('POST', '/nodes', { name })
  return res.body.data as { id: number; token: string }
}

export async function upgrade(path: string, token: string): Promise<Response> {
  return exports.default.fetch(
    new Request(`http://api.test${path}`, { headers: { Upgrade: 'websocket', Authorization: `Bearer ${token}` } }),
  )
}

/** A node's control socket after hello/welcome. */
export async function connectNode(token: string, hello: { capacity?: number; sessions?: number[] } = {}) {
  const res = await upgrade('/api/nodes/connect', token)
  if (res.status !== 101 || !res.webSocket) throw new Error(`node upgrade: ${res.status} ${await res.text()}`)
  const log = track(res.webSocket)
  log.send({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    node_name: 'test',
    engine: 'simulator',
    capacity: hello.capacity ?? 10,
    sessions: hello.sessions ?? [],
  })
  await log.next((f) => f.type === 'welcome')
  return log
}

/** A device session socket; `hello` is sent and the welcome awaited. */
export async function connectDevice(token: string, deviceId: number, epoch: number) {
  const res = await upgrade(`/api/nodes/devices/${deviceId}/connect?epoch=${epoch}`, token)
  if (res.status !== 101 || !res.webSocket) throw new Error(`device upgrade: ${res.status} ${await res.text()}`)
  const log = track(res.webSocket)
  log.send({ type: 'hello', protocol: PROTOCOL_VERSION, device_id: deviceId, epoch })
  await log.next((f) => f.type === 'welcome')
  return log
}

/** A connected node holding one new device of a fresh tenant: where most session tests start. */
export async function nodeWithDevice() {
  const node = await registerNode()
  const control = await connectNode(node.token)
  const t = await tenant()
  const device = (await t.api('POST', '/devices', { name: 'phone' })).body.data
  const assign = await control.next((f) => f.type === 'assign' && f.device_id === device.id)
  return { node, control, t, device, epoch: assign.epoch as number }
}

/** A company with one linked device whose node answers sends with `decide`. */
export async function linkedDevice(companyFields: Record<string, unknown> = {}, decide?: Parameters<typeof actAsLinkedNode>[1]) {
  const node = await registerNode()
  const control = await connectNode(node.token)
  const t = await tenant(companyFields)
  const device = (await t.api('POST', '/devices', { name: 'sender' })).body.data
  const assign = await control.next((f) => f.type === 'assign' && f.device_id === device.id)
  const session = await connectDevice(node.token, device.id, assign.epoch)
  const sends = actAsLinkedNode(session, decide)
  // Ready once the DO has seen the status.
  await vi.waitFor(async () => {
    const status = (await t.api('GET', `/devices/${device.id}/status`)).body.data.status
    if (status !== 'authenticated') throw new Error(`the device is ${status}`)
  })
  return { ...t, device, session, sends, node }
}

/** Answers the next command of `type` on a device socket with a success result. */
export async function answer(log: FrameLog, type: string, data?: unknown) {
  const command = await log.next((f) => f.type === type)
  log.send({ type: 'result', id: command.id, ok: true, ...(data === undefined ? {} : { data }) })
  return command
}

/**
 * Makes a device socket behave like a linked session node: every `send` is answered by
 * `decide` (default: WhatsApp took it). Returns the commands received, in order.
 */
export function actAsLinkedNode(
  log: FrameLog,
  decide: (command: any) => { ok: true } | { ok: false; code: string; message?: string } | 'ignore' = () => ({ ok: true }),
) {
  const sends: any[] = []
  log.ws.addEventListener('message', (event) => {
    if (typeof event.data !== 'string' || event.data === 'pong') return
    const frame = JSON.parse(event.data)
    if (frame.type === 'pause' || frame.type === 'resume' || frame.type === 'logout') {
      log.send({ type: 'result', id: frame.id, ok: true })
      return
    }
    if (frame.type !== 'send') return
    sends.push(frame)
    const verdict = decide(frame)
    if (verdict === 'ignore') return
    log.send(
      verdict.ok
        ? { type: 'result', id: frame.id, ok: true, data: { wa_message_id: `WA-${frame.message_id}`, sent_at: Date.now() } }
        : { type: 'result', id: frame.id, ok: false, error: { code: verdict.code, message: verdict.message ?? verdict.code } },
    )
  })
  log.send({ type: 'status', status: 'authenticated', phone_number: '+15550009999' })
  return sends
}
