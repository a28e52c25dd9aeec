// FleetDO: the one registry of session nodes. It holds each node's control socket (hibernatable),
// knows capacity and load, assigns devices to the least-loaded node, and moves a lost node's
// devices to other nodes after a grace period. DeviceDO does the fencing; this decides.
import { DurableObject } from 'cloudflare:workers'
import { CloseCode } from '../../../protocol/close-codes'
import { decodeFrame, malformed, NodeToFleet, PROTOCOL_VERSION, type FleetToNode } from '../../../protocol/frames'
import { settingsOf } from '../../lib/settings'
import { wakeBy } from '../alarms'
import { deviceOf } from '../stubs'
import { guardEntryPoint } from '../entry-points'
import { answerPingsWhileHibernating, closeQuietly, readAttachment, sendFrame, sendRaw } from '../sockets'
import { FleetStore } from './fleet-store'
import { nodeViews, type NodeView } from './node-view'
import { acceptNodeSocket, NodeAttachment } from './node-socket'
import { pickNode } from './placement'
import { removeDeletedDevices } from './reconcile'
import { recordLastSeen } from './node-view'
import { FLEET_HEARTBEAT_TIMEOUT_MS, FLEET_RECONCILE_INTERVAL_MS, FLEET_SWEEP_INTERVAL_MS } from '../../../protocol/timing'

export type { NodeView } from './node-view'

export interface Assignment {
  nodeId: number | null
  epoch: number
}

const attachmentOf = (ws: WebSocket) => readAttachment(ws, NodeAttachment)

export class FleetDO extends DurableObject<Env> {
  private readonly store: FleetStore
  /** When the assignments were last checked against D1 (in memory: a restart checks again). */
  private reconciledAt = 0

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.store = new FleetStore(ctx.storage)
    answerPingsWhileHibernating(ctx)
    // After a restart (a deploy closes every socket) the sweep must run even if no node ever
    // reconnects, or nodes recorded online would keep their devices forever.
    void ctx.blockConcurrencyWhile(async () => {
      if (this.store.nodes().some((n) => n.online === 1)) await this.wakeBy(Date.now() + FLEET_SWEEP_INTERVAL_MS)
    })
  }

  private get graceMs(): number {
    return settingsOf(this.env).failoverGraceMs
  }

  /** Only WebSocket upgrades, already authenticated by the worker (which sets X-Node-Id). */
  override fetch(request: Request): Promise<Response> {
    return acceptNodeSocket(request, { ctx: this.ctx, db: this.env.DB, isRevoked: (nodeId) => this.store.isRevoked(nodeId) })
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await guardEntryPoint('webSocketMessage', { node: attachmentOf(ws) }, () => this.onFrame(ws, message))
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    await guardEntryPoint('webSocketClose', { node: attachmentOf(ws), code }, async () => {
      closeQuietly(ws, code, reason)
      await this.onSocketGone(ws)
    })
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    await guardEntryPoint('webSocketError', { node: attachmentOf(ws), error: String(error) }, () => this.onSocketGone(ws))
  }

  override async alarm(): Promise<void> {
    const now = Date.now()
    for (const ws of this.ctx.getWebSockets('node')) {
      const attachment = attachmentOf(ws)
      if (!attachment) continue
      const lastPing = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0
      if (now - Math.max(lastPing, attachment.connectedAt) > FLEET_HEARTBEAT_TIMEOUT_MS) {
        closeQuietly(ws, CloseCode.heartbeatTimeout, 'no heartbeat')
        if (!this.socketOf(attachment.nodeId, ws)) await this.onNodeLost(attachment.nodeId, { planned: false })
      } else if (lastPing) {
        this.store.touch(attachment.nodeId, lastPing)
      }
    }
    // Nodes recorded online with no socket left (this object restarted meanwhile) are lost.
    for (const node of this.store.nodes()) {
      if (node.online === 1 && this.ctx.getWebSockets(`node:${node.node_id}`).length === 0)
        await this.onNodeLost(node.node_id, { planned: false })
    }
    for (const node of this.store.strandedNodes()) {
      if (node.offline_since + this.graceMs <= now) await this.rehome(node.node_id)
    }
    await this.reconcileIfDue(now)
    await this.placeUnassigned()
    await this.scheduleAlarm()
  }

  // ── RPC ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Called by the device routes when a device is created, and when its status is read while no node
   * holds it. Gives it to the least-loaded online node; `nodeId` is null when none has room.
   */
  async assignDevice(deviceId: number): Promise<Assignment> {
    if (this.store.isDeleted(deviceId)) return { nodeId: null, epoch: 0 }
    const current = this.store.assignment(deviceId)
    if (current?.node_id != null && this.store.node(current.node_id)?.online) return { nodeId: current.node_id, epoch: current.epoch }
    return this.place(deviceId, pickNode(this.store.nodes(), this.store.loads()))
  }

  /** Called by the device routes once the device is deleted: forgets it and tells its node to stop it (no logout here). */
  async releaseDevice(deviceId: number): Promise<void> {
    this.store.markDeleted(deviceId, Date.now())
    const current = this.store.assignment(deviceId)
    this.store.remove(deviceId)
    if (current?.node_id != null) {
      this.sendTo(current.node_id, { type: 'release', device_id: deviceId, reason: 'device deleted' })
    }
  }

  /** Called by the admin routes when a node's token is revoked: disconnects it and moves its devices now, with no grace. */
  async revokeNode(nodeId: number): Promise<void> {
    this.store.markRevoked(nodeId, Date.now())
    for (const ws of this.ctx.getWebSockets(`node:${nodeId}`)) closeQuietly(ws, CloseCode.revoked, 'node token revoked')
    await this.onNodeLost(nodeId, { planned: true })
  }

  /**
   * Before maintenance: nothing new is placed on the node, and its devices move to other nodes
   * now (each node stops its session without logging out, under the new epoch the next one
   * resumes it from its stored credentials: no new scan). False for a node the fleet never saw.
   */
  async drainNode(nodeId: number): Promise<boolean> {
    if (!this.store.node(nodeId)) return false
    this.store.setDrained(nodeId, true)
    const moving = this.store.assignmentsOf(nodeId)
    // Each DeviceDO lets a send in flight finish, then fences the old node out; the node is then told to stop.
    await this.rehome(nodeId)
    for (const { device_id } of moving) this.sendTo(nodeId, { type: 'release', device_id, reason: 'node drained' })
    return true
  }

  /** The node takes devices again (waiting ones first). */
  async undrainNode(nodeId: number): Promise<boolean> {
    if (!this.store.node(nodeId)) return false
    this.store.setDrained(nodeId, false)
    await this.placeUnassigned()
    return true
  }

  /** Called by the admin routes when a revoked node is activated again, with a new token. */
  async reinstateNode(nodeId: number): Promise<void> {
    this.store.clearRevoked(nodeId)
  }

  /** Called by DeviceDO (NodeLink) when a node presents an epoch it has not heard of: this object is the authority. */
  async assignmentOf(deviceId: number): Promise<Assignment | null> {
    const row = this.store.assignment(deviceId)
    return row ? { nodeId: row.node_id, epoch: row.epoch } : null
  }

  /** Called by the admin routes: every node this registry has seen, with its live status and load. */
  async listNodes(): Promise<NodeView[]> {
    return nodeViews(this.ctx, this.store.nodes(), this.store.loads())
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private async onFrame(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const attachment = attachmentOf(ws)
    if (!attachment) return closeQuietly(ws, 1008, 'unknown socket')
    const decoded = decodeFrame(NodeToFleet, message)
    if (!decoded.ok) return sendRaw(ws, malformed(decoded.error, message))
    const frame = decoded.frame
    if (frame.type === 'hello') {
      if (frame.protocol !== PROTOCOL_VERSION) {
        sendFrame(ws, { type: 'error', code: 'unsupported_protocol', message: `this fleet speaks protocol ${PROTOCOL_VERSION}` })
        return closeQuietly(ws, CloseCode.unsupportedProtocol, 'unsupported protocol')
      }
      await this.onHello(ws, attachment, frame)
    } else if (frame.type === 'bye') {
      await this.onNodeLost(attachment.nodeId, { planned: true })
    } else {
      console.warn(JSON.stringify({ msg: 'node reported an error', nodeId: attachment.nodeId, frame }))
    }
  }

  /** A control socket closed or failed: its node is lost unless a newer connection replaced it. */
  private async onSocketGone(ws: WebSocket): Promise<void> {
    const attachment = attachmentOf(ws)
    if (attachment && !this.socketOf(attachment.nodeId, ws)) await this.onNodeLost(attachment.nodeId, { planned: false })
  }

  private async onHello(ws: WebSocket, attachment: NodeAttachment, hello: Extract<NodeToFleet, { type: 'hello' }>): Promise<void> {
    const { nodeId } = attachment
    const now = Date.now()
    // A node may declare what it likes; the operator's cap decides.
    const capacity = Math.min(hello.capacity, attachment.capacityCap ?? hello.capacity)
    this.store.nodeOnline(
      { nodeId, name: hello.node_name, engine: hello.engine, capacity, version: hello.version ?? null, protocol: hello.protocol },
      now,
    )
    // After a restart of this object or the node, nothing deleted meanwhile is handed out again.
    await this.reconcileIfDue(now)
    sendFrame(ws, { type: 'welcome', protocol: PROTOCOL_VERSION, node_id: nodeId } satisfies FleetToNode)
    const mine = this.store.assignmentsOf(nodeId)
    const mineIds = new Set(mine.map((a) => a.device_id))
    for (const a of mine) sendFrame(ws, { type: 'assign', device_id: a.device_id, epoch: a.epoch } satisfies FleetToNode)
    for (const deviceId of hello.sessions) {
      if (!mineIds.has(deviceId)) {
        sendFrame(ws, { type: 'release', device_id: deviceId, reason: 'assigned elsewhere' } satisfies FleetToNode)
      }
    }
    recordLastSeen(this.ctx, this.env.DB, nodeId, now)
    await this.placeUnassigned()
    await this.scheduleAlarm()
  }

  /** Devices D1 no longer has are deleted here too: logged out, wiped, and taken off their node. */
  private async reconcileIfDue(now: number): Promise<void> {
    if (now - this.reconciledAt < FLEET_RECONCILE_INTERVAL_MS) return
    this.reconciledAt = now
    await removeDeletedDevices(this.env, this.store.assignedDeviceIds(), (deviceId) => this.releaseDevice(deviceId))
  }

  private async onNodeLost(nodeId: number, { planned }: { planned: boolean }): Promise<void> {
    const now = Date.now()
    this.store.nodeOffline(nodeId, now)
    recordLastSeen(this.ctx, this.env.DB, nodeId, now)
    // A planned departure needs no grace: the node has already stopped its sessions.
    if (planned) await this.rehome(nodeId)
    await this.scheduleAlarm()
  }

  /** Moves every device of a lost node to other nodes, each under a new epoch. */
  private async rehome(nodeId: number): Promise<void> {
    const nodes = this.store.nodes()
    const loads = this.store.loads()
    loads.delete(nodeId)
    const exclude = new Set([nodeId])
    for (const { device_id } of this.store.assignmentsOf(nodeId)) {
      // Re-read: while an earlier placement awaited, this device may have been deleted or moved.
      if (this.store.assignment(device_id)?.node_id !== nodeId) continue
      const target = pickNode(nodes, loads, exclude)
      if (target !== null) loads.set(target, (loads.get(target) ?? 0) + 1)
      await this.place(device_id, target)
    }
  }

  private async placeUnassigned(): Promise<void> {
    const waiting = this.store.unassigned()
    if (waiting.length === 0) return
    const nodes = this.store.nodes()
    const loads = this.store.loads()
    for (const { device_id } of waiting) {
      const current = this.store.assignment(device_id)
      if (!current || current.node_id !== null) continue
      const target = pickNode(nodes, loads)
      if (target === null) return
      loads.set(target, (loads.get(target) ?? 0) + 1)
      await this.place(device_id, target)
    }
  }

  /** Records the assignment, fences the device to it, then tells the node. */
  private async place(deviceId: number, nodeId: number | null): Promise<Assignment> {
    const epoch = this.store.assign(deviceId, nodeId)
    try {
      await deviceOf(this.env, deviceId).assign({ deviceId, nodeId, epoch })
    } catch (error) {
      // Not fatal: when the node connects with the new epoch, DeviceDO asks this object.
      console.error(JSON.stringify({ msg: 'DeviceDO did not take the assignment', deviceId, nodeId, epoch, error: String(error) }))
    }
    if (nodeId !== null) this.sendTo(nodeId, { type: 'assign', device_id: deviceId, epoch })
    return { nodeId, epoch }
  }

  private sendTo(nodeId: number, frame: FleetToNode): void {
    for (const ws of this.ctx.getWebSockets(`node:${nodeId}`)) sendFrame(ws, frame)
  }

  /** An open socket of this node other than `except`, if any (a newer connection replaced it). */
  private socketOf(nodeId: number, except: WebSocket): WebSocket | undefined {
    return this.ctx.getWebSockets(`node:${nodeId}`).find((ws) => ws !== except && ws.readyState === WebSocket.OPEN)
  }

  private async scheduleAlarm(): Promise<void> {
    const now = Date.now()
    const deadlines = this.store.strandedNodes().map((n) => n.offline_since + this.graceMs)
    if (this.ctx.getWebSockets('node').length > 0) deadlines.push(now + FLEET_SWEEP_INTERVAL_MS)
    if (deadlines.length === 0) return
    await this.wakeBy(Math.max(now, Math.min(...deadlines)))
  }

  private wakeBy(at: number): Promise<void> {
    return wakeBy(this.ctx.storage, at)
  }
}
