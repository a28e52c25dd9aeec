// DeviceDO's link to the one session node that may run its device: accepting that node's
// upgrade (fenced by assignment epoch), knowing which socket is current, fencing off any other,
// and the commands sent over it that wait for an answer.
import { z } from 'zod'
import { CloseCode } from '../../../protocol/close-codes'
import type { DeviceToNode } from '../../../protocol/frames'
import { NODE_SILENT_AFTER_MS } from '../../../protocol/timing'
import type { Assignment } from '../fleet/fleet-do'
import { closeQuietly, readAttachment, sendFrame, upgradeResponse } from '../sockets'
import { PendingCommands, type CommandOutcome } from './pending-commands'

const LinkAttachment = z.object({ nodeId: z.number().int(), epoch: z.number().int(), connectedAt: z.number().optional() })
type LinkAttachment = z.infer<typeof LinkAttachment>

export interface NodeLinkDeps {
  ctx: DurableObjectState
  /** The device's assignment as this object last recorded it. */
  assignment(): { deviceId: number | null; nodeId: number | null; epoch: number }
  /** Asks FleetDO, the authority, when a node presents an epoch this object has not heard of. */
  askFleet(deviceId: number): Promise<Assignment | null>
  /** Records a newer assignment (and fences whatever it makes stale). */
  assign(next: { deviceId: number; nodeId: number; epoch: number }): Promise<void>
}

export class NodeLink {
  private readonly pending = new PendingCommands()
  /** When each socket last brought a frame; in memory, like the sockets' own liveness. */
  private readonly framesHeardAt = new WeakMap<WebSocket, number>()

  constructor(private readonly deps: NodeLinkDeps) {}

  /** The node's device socket, already authenticated by the worker (X-Node-Id, X-Node-Epoch, X-Device-Id). */
  async accept(request: Request): Promise<Response> {
    if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('expected a WebSocket upgrade', { status: 426 })
    }
    const nodeId = Number(request.headers.get('X-Node-Id'))
    const epoch = Number(request.headers.get('X-Node-Epoch'))
    const deviceId = Number(request.headers.get('X-Device-Id'))
    if (![nodeId, epoch, deviceId].every(Number.isInteger)) return new Response('bad session request', { status: 400 })
    if (!(await this.isAssignee(deviceId, nodeId, epoch))) {
      return new Response('this device is not assigned to this node at this epoch', { status: 409 })
    }
    for (const older of this.deps.ctx.getWebSockets()) closeQuietly(older, CloseCode.superseded, 'superseded by a newer connection')
    return upgradeResponse<LinkAttachment>(this.deps.ctx, ['node'], { nodeId, epoch, connectedAt: Date.now() })
  }

  /** Whether `ws` belongs to the node and epoch this device is assigned to now. */
  isCurrent(ws: WebSocket): boolean {
    const attachment = readAttachment(ws, LinkAttachment)
    const { nodeId, epoch } = this.deps.assignment()
    return attachment !== null && attachment.nodeId === nodeId && attachment.epoch === epoch
  }

  /** The open socket of the current assignee, if it is connected. */
  current(): WebSocket | undefined {
    return this.deps.ctx.getWebSockets().find((ws) => this.isCurrent(ws) && ws.readyState === WebSocket.OPEN)
  }

  /** The current socket, if the node behind it was heard from lately: a frozen node gets nothing. */
  live(now = Date.now()): WebSocket | undefined {
    const ws = this.current()
    return ws && this.heardLately(ws, now) ? ws : undefined
  }

  /** Whether the node on `ws` sent a ping or a frame within NODE_SILENT_AFTER_MS. */
  heardLately(ws: WebSocket, now = Date.now()): boolean {
    return this.lastHeardAt(ws) >= now - NODE_SILENT_AFTER_MS
  }

  /** A frame arrived on `ws` (pings are answered without waking this object; the runtime records those). */
  heard(ws: WebSocket, now = Date.now()): void {
    this.framesHeardAt.set(ws, now)
  }

  private lastHeardAt(ws: WebSocket): number {
    const ping = this.deps.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0
    return Math.max(ping, this.framesHeardAt.get(ws) ?? 0, readAttachment(ws, LinkAttachment)?.connectedAt ?? 0)
  }

  /** Tells a node it no longer owns this device, and closes its socket (it does not reconnect). */
  fence(ws: WebSocket, reason: string): void {
    sendFrame(ws, { type: 'release', reason } satisfies DeviceToNode)
    closeQuietly(ws, CloseCode.notAssigned, reason)
  }

  /** After an assignment changed: every socket that is not the assignee's is fenced off. */
  fenceStale(reason: string): void {
    for (const ws of this.deps.ctx.getWebSockets()) if (!this.isCurrent(ws)) this.fence(ws, reason)
  }

  closeAll(code: number, reason: string): void {
    for (const ws of this.deps.ctx.getWebSockets()) closeQuietly(ws, code, reason)
  }

  /** Sends a command with a fresh id to the current node and waits for its answer. Never rejects. */
  command(build: (id: string) => DeviceToNode, timeoutMs: number): Promise<CommandOutcome> {
    const ws = this.live()
    return this.pending.run((id) => (ws ? sendFrame(ws, build(id)) : false), timeoutMs)
  }

  /** True while the device is handed over: nothing new goes to the node it is leaving. */
  get handingOver(): boolean {
    return this.movingOut
  }

  private movingOut = false

  /** Before a move: the commands already sent (a send in flight) get their answers first, within `timeoutMs`. */
  async finishInFlight(timeoutMs: number): Promise<void> {
    // A node gone quiet (frozen, partitioned) answers nothing: waiting on it would only delay the move.
    const ws = this.live()
    if (!ws || !this.heardLately(ws)) return
    this.movingOut = true
    try {
      await this.pending.idle(timeoutMs)
    } finally {
      this.movingOut = false
    }
  }

  get commands(): Pick<PendingCommands, 'settle' | 'refuse'> {
    return this.pending
  }

  /**
   * A socket closed or failed. True when it was the current node's only link (the device is
   * unreachable now); then every command still waiting fails.
   */
  lost(ws: WebSocket): boolean {
    const others = this.deps.ctx.getWebSockets().some((other) => other !== ws && other.readyState === WebSocket.OPEN)
    if (!this.isCurrent(ws) || others) return false
    this.pending.failAll('the session node disconnected')
    return true
  }

  /** Who is on the other end of `ws`, for log lines. */
  peerOf(ws: WebSocket): LinkAttachment | null {
    return readAttachment(ws, LinkAttachment)
  }

  /**
   * Whether `nodeId` at `epoch` owns this device. When the node presents a newer epoch than the
   * one recorded here (FleetDO's push may not have arrived), FleetDO is asked: it is the authority.
   */
  private async isAssignee(deviceId: number, nodeId: number, epoch: number): Promise<boolean> {
    const known = this.deps.assignment()
    if (known.nodeId === nodeId && known.epoch === epoch && known.deviceId === deviceId) return true
    if (epoch <= known.epoch) return false
    const truth = await this.deps.askFleet(deviceId)
    if (!truth || truth.nodeId !== nodeId || truth.epoch !== epoch) return false
    await this.deps.assign({ deviceId, nodeId, epoch })
    // A newer assignment may have arrived while FleetDO was being asked.
    const now = this.deps.assignment()
    return now.nodeId === nodeId && now.epoch === epoch
  }
}
