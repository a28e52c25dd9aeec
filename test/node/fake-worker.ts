// Just enough of the worker's FleetDO and DeviceDO (docs/session-protocol.md) to run a real
// session node against: token check, fencing by epoch, hello/welcome, an in-memory auth map,
// and a record of every frame the node sends. Tests drive the rest by hand.
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { decodeFrame, NodeToDevice, NodeToFleet, PROTOCOL_VERSION, type DeviceToNode } from '../../protocol/frames'
import { FakeConnection, type ControlConnection, type DeviceConnection, type FakeDevice } from './support/fake-connection'

export type { Closed, ControlConnection, DeviceConnection, FakeDevice, Received } from './support/fake-connection'

export class FakeWorker {
  readonly controls: ControlConnection[] = []
  readonly devices = new Map<number, FakeDevice>()
  /** Every upgrade request, accepted or not. */
  readonly upgrades: { path: string; status: number }[] = []
  /** What the fleet assigns to a node when it says hello, by node name. */
  readonly plans = new Map<string, { deviceId: number; epoch: number }[]>()
  /**
   * A network partition, by kind of socket. While on, nothing the node sends there arrives (no
   * `pong`, no answers: open sockets fall silent) and new connections are dropped before the
   * upgrade, as when the network eats them. `cut` also drops the open ones.
   */
  readonly partition = { control: false, devices: false }
  /** A slow worker: each device upgrade is answered this long after it arrived. */
  deviceUpgradeDelayMs = 0
  /** Device upgrades arrived and not yet answered: now, and the most there ever were. */
  readonly openingDevices = { now: 0, most: 0 }
  private readonly waiters = new Set<() => void>()
  private readonly http = createServer()
  private readonly wss = new WebSocketServer({ noServer: true })
  url = ''

  constructor(readonly token: string) {
    this.http.on('upgrade', (request, socket, head) => this.upgrade(request, socket, head))
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate()
    this.http.closeAllConnections()
    await new Promise<void>((resolve) => this.http.close(() => resolve()))
  }

  /** Drops the open sockets of one kind at once, with no close frame (a dead link, not a close). */
  cut(kind: 'control' | 'devices'): void {
    const connections = kind === 'control' ? this.controls : [...this.devices.values()].flatMap((device) => device.connections)
    for (const connection of connections) connection.ws.terminate()
  }

  device(deviceId: number, epoch = 1): FakeDevice {
    let device = this.devices.get(deviceId)
    if (!device) {
      device = { epoch, active: true, auth: new Map(), connections: [], answers: new Map(), receiptBatches: false }
      this.devices.set(deviceId, device)
    }
    return device
  }

  /** Resolves with the first value `pick` returns that is not undefined or false. */
  waitFor<T>(pick: () => T | undefined | false, what: string, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = pick()
        if (value === undefined || value === false) return
        this.waiters.delete(check)
        clearTimeout(timer)
        clearInterval(poll)
        resolve(value)
      }
      const timer = setTimeout(() => {
        this.waiters.delete(check)
        clearInterval(poll)
        reject(new Error(`timed out waiting for ${what}`))
      }, timeoutMs)
      // Frames wake waiters at once; state on the node's side (its session list) is polled.
      const poll = setInterval(check, 20)
      this.waiters.add(check)
      check()
    })
  }

  /** The first frame of `type` a device's sockets received from the node matching `where`. */
  deviceFrame<T extends NodeToDevice['type']>(
    deviceId: number,
    type: T,
    where: (frame: Extract<NodeToDevice, { type: T }>) => boolean = () => true,
    timeoutMs?: number,
  ) {
    return this.waitFor(
      () => {
        for (const connection of this.devices.get(deviceId)?.connections ?? []) {
          for (const frame of connection.frames) {
            if (frame.type === type && where(frame as Extract<NodeToDevice, { type: T }>))
              return frame as Extract<NodeToDevice, { type: T }>
          }
        }
        return undefined
      },
      `${type} from device ${deviceId}`,
      timeoutMs,
    )
  }

  controlFrame<T extends NodeToFleet['type']>(type: T, connection?: ControlConnection) {
    return this.waitFor(() => {
      for (const control of connection ? [connection] : this.controls) {
        const frame = control.frames.find((f) => f.type === type)
        if (frame) return frame as Extract<NodeToFleet, { type: T }>
      }
      return undefined
    }, `${type} on the control socket`)
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter()
  }

  private refuse(socket: Duplex, path: string, status: number, text: string): void {
    this.upgrades.push({ path, status })
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
    this.notify()
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://fake')
    if (this.partition[url.pathname === '/api/nodes/connect' ? 'control' : 'devices']) {
      this.upgrades.push({ path: url.pathname, status: 0 })
      socket.destroy()
      this.notify()
      return
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) return this.refuse(socket, url.pathname, 401, 'Unauthorized')
    if (url.pathname === '/api/nodes/connect') {
      this.upgrades.push({ path: url.pathname, status: 101 })
      return this.wss.handleUpgrade(request, socket, head, (ws) => this.acceptControl(ws))
    }
    if (this.deviceUpgradeDelayMs === 0) return this.upgradeDevice(request, socket, head, url)
    this.openingDevices.now++
    this.openingDevices.most = Math.max(this.openingDevices.most, this.openingDevices.now)
    setTimeout(() => {
      this.openingDevices.now--
      this.upgradeDevice(request, socket, head, url)
    }, this.deviceUpgradeDelayMs)
  }

  private upgradeDevice(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const match = /^\/api\/nodes\/devices\/(\d+)\/connect$/.exec(url.pathname)
    const device = match ? this.devices.get(Number(match[1])) : undefined
    if (!match || !device) return this.refuse(socket, url.pathname, 404, 'Not Found')
    if (Number(url.searchParams.get('epoch')) !== device.epoch) return this.refuse(socket, url.pathname, 409, 'Conflict')
    this.upgrades.push({ path: url.pathname, status: 101 })
    this.wss.handleUpgrade(request, socket, head, (ws) => this.acceptDevice(ws, Number(match[1]), device))
  }

  private acceptControl(ws: WebSocket): void {
    const connection: ControlConnection = new FakeConnection(ws, this.controls.length + 1)
    this.controls.push(connection)
    ws.on('message', (data) => {
      if (this.partition.control) return
      const text = data.toString()
      if (text === 'ping') return ws.send('pong')
      const decoded = decodeFrame(NodeToFleet, text)
      if (!decoded.ok) connection.garbage.push(text)
      else {
        connection.frames.push(decoded.frame)
        if (decoded.frame.type === 'hello') {
          connection.send({ type: 'welcome', protocol: PROTOCOL_VERSION, node_id: 7 })
          for (const { deviceId, epoch } of this.plans.get(decoded.frame.node_name) ?? []) {
            this.device(deviceId, epoch).epoch = epoch
            connection.send({ type: 'assign', device_id: deviceId, epoch })
          }
        }
      }
      this.notify()
    })
    ws.on('close', () => this.notify())
    this.notify()
  }

  private acceptDevice(ws: WebSocket, deviceId: number, device: FakeDevice): void {
    const connection: DeviceConnection = new FakeConnection(ws, device.connections.length + 1)
    device.connections.push(connection)
    ws.on('message', (data) => {
      if (this.partition.devices) return
      const text = data.toString()
      if (text === 'ping') return ws.send('pong')
      const decoded = decodeFrame(NodeToDevice, text)
      if (!decoded.ok) connection.garbage.push(text)
      else {
        const frame = decoded.frame
        connection.frames.push(frame)
        const answer = 'id' in frame && frame.type !== 'result' ? (device.answers.get(frame.type) ?? 'ok') : 'ok'
        if (answer === 'refuse' && 'id' in frame) {
          connection.send({
            type: 'error',
            id: frame.id,
            code: 'malformed_frame',
            message: `invalid frame: ${frame.type} refused by the test`,
          })
          this.notify()
          return
        }
        if (answer === 'silent') {
          this.notify()
          return
        }
        switch (frame.type) {
          case 'hello':
            connection.send({
              type: 'welcome',
              protocol: PROTOCOL_VERSION,
              device_id: deviceId,
              epoch: device.epoch,
              active: device.active,
              ...(device.receiptBatches && { receipt_batches: true }),
            })
            break
          case 'auth.get':
            connection.send({
              type: 'result',
              id: frame.id,
              ok: true,
              data: { values: Object.fromEntries(frame.names.map((name) => [name, device.auth.get(name) ?? null])) },
            })
            break
          case 'auth.set':
            for (const [name, value] of Object.entries(frame.entries)) {
              if (value === null) device.auth.delete(name)
              else device.auth.set(name, value)
            }
            connection.send({ type: 'result', id: frame.id, ok: true })
            break
          case 'auth.clear':
            device.auth.clear()
            connection.send({ type: 'result', id: frame.id, ok: true })
            break
          case 'receipt':
          case 'receipts':
          case 'inbound':
            connection.send({ type: 'result', id: frame.id, ok: true })
            break
          default:
            break
        }
      }
      this.notify()
    })
    ws.on('close', () => this.notify())
    this.notify()
  }
}

/** Sends a command to the node over a device socket and waits for its result. */
export async function command(
  worker: FakeWorker,
  connection: DeviceConnection,
  frame: Extract<DeviceToNode, { id: string }>,
): Promise<Extract<NodeToDevice, { type: 'result' }>> {
  connection.send(frame)
  return worker.waitFor(
    () => connection.frames.find((f): f is Extract<NodeToDevice, { type: 'result' }> => f.type === 'result' && f.id === frame.id),
    `result of ${frame.type}`,
  )
}
