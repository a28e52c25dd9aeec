// A test stand-in for a session node: opens the real node sockets through the worker entrypoint
// and records every frame the Durable Objects send.
import { applyD1Migrations, reset } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { vi } from 'vitest'
import { z } from 'zod'
import {
  decodeFrame,
  DeviceToNode,
  FleetToNode,
  PROTOCOL_VERSION,
  type NodeToDevice,
  type NodeToFleet,
  type ResultFrame,
  type SendCommand,
} from '../../protocol/frames'
import { admin, tenant } from './helpers'

/**
 * What a Durable Object sends on one kind of socket (FleetToNode on the control socket,
 * DeviceToNode on a device socket), decoded with the real protocol schemas; `pong` is the
 * heartbeat's answer, and anything that does not decode is kept as `undecodable`.
 */
export type Received<In> = In | { type: 'pong' } | { type: 'undecodable'; raw: string }
type Kinds<In> = Received<In> extends { type: infer T } ? T : never
export type FrameOf<In, T> = Extract<Received<In>, { type: T }>

export interface FrameLog<In extends { type: string } = DeviceToNode | FleetToNode> {
  ws: WebSocket
  frames: Received<In>[]
  closed: Promise<{ code: number; reason: string }>
  /** Sends a frame as a node would (objects as JSON), or raw text to test what the DO does with it. */
  send(frame: NodeToDevice | NodeToFleet | string | Record<string, unknown>): void
  /** The first frame of `type` (already received or to come) for which `where` holds. */
  next<T extends Kinds<In>>(type: T, where?: (frame: FrameOf<In, T>) => boolean, timeoutMs?: number): Promise<FrameOf<In, T>>
  /** The `result` answering the command this node sent with `id` (`data` on success, `error` on failure). */
  resultOf(id: string): Promise<ResultReceived>
}

function decode<S extends z.ZodType<{ type: string }>>(schema: S, data: unknown): Received<z.infer<S>> {
  if (data === 'pong') return { type: 'pong' }
  const decoded = decodeFrame(schema, data)
  return decoded.ok ? decoded.frame : { type: 'undecodable', raw: String(data) }
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

/** A `result` as a test reads it, without narrowing on `ok` first. */
export type ResultReceived = { type: 'result'; id: string; ok: boolean; data?: unknown; error?: { code: string; message: string } }

const isResult = (f: { type: string }): f is ResultFrame => f.type === 'result'

function track<S extends z.ZodType<{ type: string }>>(ws: WebSocket, schema: S): FrameLog<z.infer<S>> {
  type In = z.infer<S>
  open.add(ws)
  const frames: Received<In>[] = []
  const waiters: Array<{ matches: (f: Received<In>) => boolean; resolve: (f: Received<In>) => void }> = []
  ws.accept()
  ws.addEventListener('message', (event) => {
    const frame = decode(schema, event.data)
    frames.push(frame)
    for (const waiter of [...waiters]) {
      if (waiter.matches(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(frame)
      }
    }
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (event) => resolve({ code: event.code, reason: event.reason })),
  )
  const waitFor = (matches: (f: Received<In>) => boolean, what: string, timeoutMs: number): Promise<Received<In>> => {
    const seen = frames.find(matches)
    if (seen !== undefined) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(frames)}`)), timeoutMs)
      waiters.push({ matches, resolve: (f) => (clearTimeout(timer), resolve(f)) })
    })
  }
  return {
    ws,
    frames,
    closed,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: <T extends Kinds<In>>(type: T, where: (frame: FrameOf<In, T>) => boolean = () => true, timeoutMs = 5_000) => {
      const matches = (f: Received<In>) => f.type === type && where(f as FrameOf<In, T>)
      return waitFor(matches, `${type} frame`, timeoutMs) as Promise<FrameOf<In, T>>
    },
    resultOf: (id) => waitFor((f) => isResult(f) && f.id === id, `result ${id}`, 5_000) as Promise<ResultReceived>,
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
  const log = track(res.webSocket, FleetToNode)
  log.send({
    type: 'hello',
    protocol: PROTOCOL_VERSION,
    node_name: 'test',
    engine: 'simulator',
    capacity: hello.capacity ?? 10,
    sessions: hello.sessions ?? [],
  })
  await log.next('welcome')
  return log
}

/** A device session socket; `hello` is sent and the welcome awaited. */
export async function connectDevice(token: string, deviceId: number, epoch: number) {
  const res = await upgrade(`/api/nodes/devices/${deviceId}/connect?epoch=${epoch}`, token)
  if (res.status !== 101 || !res.webSocket) throw new Error(`device upgrade: ${res.status} ${await res.text()}`)
  const log = track(res.webSocket, DeviceToNode)
  log.send({ type: 'hello', protocol: PROTOCOL_VERSION, device_id: deviceId, epoch })
  await log.next('welcome')
  return log
}

/** A connected node holding one new device of a fresh tenant: where most session tests start. */
export async function nodeWithDevice() {
  const node = await registerNode()
  const control = await connectNode(node.token)
  const t = await tenant()
  const device = (await t.api('POST', '/devices', { name: 'phone' })).body.data
  const assign = await control.next('assign', (f) => f.device_id === device.id)
  return { node, control, t, device, epoch: assign.epoch }
}

/** A company with one linked device whose node answers sends with `decide`. */
export async function linkedDevice(companyFields: Record<string, unknown> = {}, decide?: Parameters<typeof actAsLinkedNode>[1]) {
  const node = await registerNode()
  const control = await connectNode(node.token)
  const t = await tenant(companyFields)
  const device = (await t.api('POST', '/devices', { name: 'sender' })).body.data
  const assign = await control.next('assign', (f) => f.device_id === device.id)
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
export async function answer<T extends 'pairing_code' | 'pause' | 'resume' | 'logout'>(
  log: FrameLog<DeviceToNode>,
  type: T,
  data?: unknown,
) {
  // Every command of these types carries an id (the protocol schemas say so); TS cannot see it through T.
  const command = await log.next(type)
  const { id } = command as unknown as { id: string }
  log.send({ type: 'result', id, ok: true, ...(data === undefined ? {} : { data }) })
  return command
}

/** The one group a test device's account is in. */
export const TEST_GROUP = { id: '120363012345678901@g.us', subject: 'Test group', size: 3, is_admin: true, created_at: 1_767_225_600_000 }

/** A node's answer to `send`: WhatsApp took it, under the id `WA-<message id>`. */
export const sentResult = (send: SendCommand) =>
  ({ type: 'result', id: send.id, ok: true, data: { wa_message_id: `WA-${send.message_id}`, sent_at: Date.now() } }) as const

export type SendVerdict = { ok: true } | { ok: false; code: string; message?: string } | 'ignore'

/**
 * Makes a device socket behave like a linked session node: every `send` is answered by
 * `decide` (default: WhatsApp took it). Returns the commands received, in order.
 */
export function actAsLinkedNode(log: FrameLog<DeviceToNode>, decide: (command: SendCommand) => SendVerdict = () => ({ ok: true })) {
  const sends: SendCommand[] = []
  log.ws.addEventListener('message', (event) => {
    const frame = decode(DeviceToNode, event.data)
    if (frame.type === 'pause' || frame.type === 'resume' || frame.type === 'logout' || frame.type === 'mark_read') {
      log.send({ type: 'result', id: frame.id, ok: true })
      return
    }
    if (frame.type === 'groups') {
      log.send({ type: 'result', id: frame.id, ok: true, data: { groups: [TEST_GROUP] } })
      return
    }
    if (frame.type === 'check_numbers') {
      // Like WhatsApp, unregistered numbers are left out of the answer (here: digits ending in 0000).
      const registered = frame.phone_numbers
        .filter((d) => !d.endsWith('0000'))
        .map((digits) => ({ digits, jid: `${digits}@s.whatsapp.net` }))
      log.send({ type: 'result', id: frame.id, ok: true, data: { registered } })
      return
    }
    if (frame.type !== 'send') return
    sends.push(frame)
    const verdict = decide(frame)
    if (verdict === 'ignore') return
    log.send(
      verdict.ok
        ? sentResult(frame)
        : { type: 'result', id: frame.id, ok: false, error: { code: verdict.code, message: verdict.message ?? verdict.code } },
    )
  })
  log.send({ type: 'status', status: 'authenticated', phone_number: '+15550009999' })
  return sends
}
