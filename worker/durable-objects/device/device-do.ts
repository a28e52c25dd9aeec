// DeviceDO: the single writer for one WhatsApp device. It holds the live status, the current
// QR, the phone number and the (node-encrypted) auth state, and accepts the socket of exactly
// one session node: the one FleetDO assigned at the current epoch. Anything else is fenced off,
// so two hosts never run the same WhatsApp session.
import { DurableObject } from 'cloudflare:workers'
import { CloseCode } from '../../../protocol/close-codes'
import {
  decodeFrame,
  encodeFrame,
  malformed,
  MAX_FRAME_CHARS,
  NodeToDevice,
  PROTOCOL_VERSION,
  type DeviceToNode,
  type LiveStatus,
} from '../../../protocol/frames'
import { companyOf, fleetOf } from '../stubs'
import { answerPingsWhileHibernating, closeQuietly, sendFrame, sendRaw, upgradeResponse } from '../sockets'
import { mirrorStatusToD1 } from './d1-mirror'
import { DeviceStore, type DeviceState } from './device-store'
import type { MessageView } from './message-view'
import { Ledger, type ListQuery, type NewMessage } from './ledger'
import { Outbox, type BatchView, type EnqueueOutcome, type SendOutcome } from './outbox'
import { PendingCommands, type CommandOutcome } from './pending-commands'
import { DEVICE_CONTROL_TIMEOUT_MS, DEVICE_PAIRING_TIMEOUT_MS } from '../../../protocol/timing'

interface SocketAttachment {
  nodeId: number
  epoch: number
}

export type { BatchView, EnqueueOutcome, SendOutcome } from './outbox'

export interface LiveView {
  status: LiveStatus
  phone_number: string | null
  qr_code: string | null
  qr_image: string | null
  qr_expires_at: number | null
  node_id: number | null
  active: boolean
}

export type CommandFailure = { ok: false; code: 'device_not_ready' | 'already_linked'; message: string }

const attachmentOf = (ws: WebSocket): SocketAttachment | null => {
  const value: unknown = ws.deserializeAttachment()
  if (typeof value !== 'object' || value === null) return null
  const { nodeId, epoch } = value as Record<string, unknown>
  return typeof nodeId === 'number' && typeof epoch === 'number' ? { nodeId, epoch } : null
}

const failure = (outcome: CommandOutcome): CommandFailure => ({
  ok: false,
  code: 'device_not_ready',
  message: outcome.ok ? 'unexpected answer' : outcome.error.message,
})

export class DeviceDO extends DurableObject<Env> {
  private readonly store: DeviceStore
  private readonly ledger: Ledger
  private readonly outbox: Outbox
  private readonly pending = new PendingCommands()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.store = new DeviceStore(ctx.storage)
    this.ledger = new Ledger(ctx.storage)
    this.outbox = new Outbox({
      ledger: this.ledger,
      storage: ctx.storage,
      deviceId: () => this.deviceId(),
      sendIntervalMs: () => this.store.state().send_interval_ms,
      notReadyReason: () => this.notReadyReason(),
      command: (build, timeoutMs) => this.command(build, timeoutMs),
      refund: (companyId, period, count) => this.refund(companyId, period, count),
    })
    answerPingsWhileHibernating(ctx)
  }

  /** The node's session socket, already authenticated by the worker (X-Node-Id, X-Node-Epoch, X-Device-Id). */
  override async fetch(request: Request): Promise<Response> {
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
    for (const older of this.ctx.getWebSockets()) closeQuietly(older, CloseCode.superseded, 'superseded by a newer connection')
    const attachment: SocketAttachment = { nodeId, epoch }
    return upgradeResponse(this.ctx, ['node'], attachment)
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const attachment = attachmentOf(ws)
    if (!attachment || !this.isCurrent(attachment)) return this.fence(ws, 'this device is assigned elsewhere')
    const decoded = decodeFrame(NodeToDevice, message)
    if (!decoded.ok) {
      sendRaw(ws, malformed(decoded.error, message))
      return
    }
    const frame = decoded.frame
    switch (frame.type) {
      case 'hello': {
        const state = this.store.state()
        if (frame.protocol !== PROTOCOL_VERSION) {
          sendFrame(ws, { type: 'error', code: 'unsupported_protocol', message: `this device speaks protocol ${PROTOCOL_VERSION}` })
          return closeQuietly(ws, CloseCode.unsupportedProtocol, 'unsupported protocol')
        }
        if (frame.device_id !== state.device_id || frame.epoch !== state.epoch) return this.fence(ws, 'hello does not match the assignment')
        sendFrame(ws, {
          type: 'welcome',
          protocol: PROTOCOL_VERSION,
          device_id: frame.device_id,
          epoch: frame.epoch,
          active: state.active,
        } satisfies DeviceToNode)
        return
      }
      case 'status': {
        const linked = frame.status === 'authenticated'
        await this.setLive({
          status: frame.status,
          status_reason: frame.reason ?? null,
          ...(frame.phone_number !== undefined && { phone_number: frame.phone_number }),
          ...((linked || frame.status === 'error') && { qr_code: null, qr_image: null, qr_expires_at: null }),
        })
        return
      }
      case 'qr':
        await this.setLive({
          status: 'qr_ready',
          status_reason: null,
          qr_code: frame.qr_code,
          qr_image: frame.qr_image,
          qr_expires_at: frame.expires_at,
        })
        return
      case 'auth.get': {
        const answer = encodeFrame({ type: 'result', id: frame.id, ok: true, data: { values: this.store.authGet(frame.names) } })
        // A frame the node cannot decode would leave its read waiting forever: refuse it by id.
        sendRaw(
          ws,
          answer.length <= MAX_FRAME_CHARS
            ? answer
            : encodeFrame({
                type: 'result',
                id: frame.id,
                ok: false,
                error: { code: 'frame_too_large', message: 'ask for fewer names at once' },
              }),
        )
        return
      }
      case 'auth.set':
        this.store.authSet(frame.entries)
        sendFrame(ws, { type: 'result', id: frame.id, ok: true })
        return
      case 'auth.clear':
        this.store.authClear()
        sendFrame(ws, { type: 'result', id: frame.id, ok: true })
        return
      case 'receipt':
        this.ledger.applyReceipt(frame.wa_message_id, frame.status, frame.at, frame.error)
        sendFrame(ws, { type: 'result', id: frame.id, ok: true })
        return
      case 'result':
        this.pending.settle(frame)
        return
      case 'error':
        if (frame.id) this.pending.refuse(frame.id, frame.code, frame.message)
        console.warn(JSON.stringify({ msg: 'node reported an error', deviceId: this.store.state().device_id, frame }))
        return
    }
  }

  override async webSocketClose(ws: WebSocket): Promise<void> {
    closeQuietly(ws, CloseCode.normal, 'closing')
    await this.onSocketGone(ws)
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.onSocketGone(ws)
  }

  // ── RPC ───────────────────────────────────────────────────────────────────────────────────

  /** FleetDO gives the device to a node (or to none) under a new epoch; older epochs are ignored. */
  async assign(next: { deviceId: number; nodeId: number | null; epoch: number }): Promise<void> {
    const state = this.store.state()
    if (next.epoch < state.epoch) return
    this.store.update({ device_id: next.deviceId, node_id: next.nodeId, epoch: next.epoch })
    for (const ws of this.ctx.getWebSockets()) {
      const attachment = attachmentOf(ws)
      if (!attachment || !this.isCurrent(attachment)) this.fence(ws, 'this device moved to another node')
    }
  }

  async live(): Promise<LiveView> {
    const s = this.store.state()
    return {
      status: s.status,
      phone_number: s.phone_number,
      qr_code: s.qr_code,
      qr_image: s.qr_image,
      qr_expires_at: s.qr_expires_at,
      node_id: s.node_id,
      active: s.active,
    }
  }

  async requestPairingCode(phoneDigits: string): Promise<{ ok: true; pairingCode: string } | CommandFailure> {
    const state = this.store.state()
    if (state.status === 'authenticated') return { ok: false, code: 'already_linked', message: 'This device is already linked' }
    if (!state.active) return { ok: false, code: 'device_not_ready', message: 'This device is paused' }
    const outcome = await this.command((id) => ({ type: 'pairing_code', id, phone_number: phoneDigits }), DEVICE_PAIRING_TIMEOUT_MS)
    const code =
      outcome.ok && typeof outcome.data === 'object' && outcome.data ? (outcome.data as { pairing_code?: unknown }).pairing_code : undefined
    return typeof code === 'string' ? { ok: true, pairingCode: code } : failure(outcome)
  }

  /** Pauses (stops the session without unlinking it) or resumes the device. */
  async setActive(active: boolean): Promise<LiveView> {
    const before = this.store.state()
    this.store.update({ active })
    if (before.active !== active) {
      if (!active) {
        const status = before.status === 'pending' || before.status === 'error' ? before.status : 'disconnected'
        await this.setLive({ status, status_reason: 'paused', qr_code: null, qr_image: null, qr_expires_at: null })
      }
      await this.command((id) => ({ type: active ? 'resume' : 'pause', id }), DEVICE_CONTROL_TIMEOUT_MS)
    }
    return this.live()
  }

  /** Logs the device out of WhatsApp (when a node holds it) and drops every trace of it here. */
  async destroy(): Promise<{ loggedOut: boolean }> {
    const outcome = await this.command((id) => ({ type: 'logout', id }), DEVICE_CONTROL_TIMEOUT_MS)
    for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, CloseCode.deviceGone, 'device deleted')
    await this.ctx.storage.deleteAlarm()
    // Queued messages will never be sent: their quota goes back.
    await this.outbox.expireQueued(Number.MAX_SAFE_INTEGER, 'device_deleted')
    await this.ctx.storage.deleteAll()
    this.store.createSchema()
    this.ledger.createSchema()
    return { loggedOut: outcome.ok }
  }

  // ── messaging RPC ─────────────────────────────────────────────────────────────────────────

  /** Records one message and sends it now; answers once WhatsApp took it (or it failed). */
  async sendNow(input: NewMessage): Promise<SendOutcome> {
    return this.outbox.sendNow(input)
  }

  /** Stores a whole bulk request in the outbox (one transaction) for paced delivery. */
  async enqueue(rows: NewMessage[]): Promise<EnqueueOutcome> {
    return this.outbox.enqueue(rows)
  }

  async message(messageId: string): Promise<MessageView | null> {
    return this.outbox.message(messageId)
  }

  async messages(query: ListQuery): Promise<MessageView[]> {
    return this.outbox.messages(query)
  }

  async batch(batchId: string): Promise<BatchView | null> {
    return this.outbox.batch(batchId)
  }

  /** Per-device pacing of the outbox; null restores the default. */
  async configure(settings: { sendIntervalMs: number | null }): Promise<void> {
    this.store.update({ send_interval_ms: settings.sendIntervalMs })
  }

  /** The one alarm: drains the outbox, paced, and closes out sends that never answered. */
  override async alarm(): Promise<void> {
    await this.outbox.drain()
  }

  /** For tests and operators: how many auth entries are stored (never their content). */
  async authEntryCount(): Promise<number> {
    return this.store.authCount()
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private deviceId(): number {
    return this.store.state().device_id ?? 0
  }

  /** Why a message cannot go out now, or null when the device can send. */
  private notReadyReason(): string | null {
    const state = this.store.state()
    if (!state.active) return 'the device is paused'
    if (state.status !== 'authenticated') return `the device is ${state.status}, not authenticated`
    if (!this.currentSocket()) return 'the session node of this device is unreachable'
    return null
  }

  private async refund(companyId: number, period: string, count: number): Promise<void> {
    try {
      await companyOf(this.env, companyId).refund({ count, period, limit: null })
    } catch (error) {
      console.error(JSON.stringify({ msg: 'quota refund failed', companyId, period, count, error: String(error) }))
    }
  }

  private isCurrent(attachment: SocketAttachment): boolean {
    const state = this.store.state()
    return state.node_id === attachment.nodeId && state.epoch === attachment.epoch
  }

  /**
   * Whether `nodeId` at `epoch` owns this device. When the node presents a newer epoch than the
   * one recorded here (FleetDO's push may not have arrived), FleetDO is asked: it is the authority.
   */
  private async isAssignee(deviceId: number, nodeId: number, epoch: number): Promise<boolean> {
    const state = this.store.state()
    if (state.node_id === nodeId && state.epoch === epoch && state.device_id === deviceId) return true
    if (epoch <= state.epoch) return false
    const truth = await fleetOf(this.env).assignmentOf(deviceId)
    if (!truth || truth.nodeId !== nodeId || truth.epoch !== epoch) return false
    await this.assign({ deviceId, nodeId, epoch })
    // A newer assignment may have arrived while FleetDO was being asked.
    return this.isCurrent({ nodeId, epoch })
  }

  private fence(ws: WebSocket, reason: string): void {
    sendFrame(ws, { type: 'release', reason } satisfies DeviceToNode)
    closeQuietly(ws, CloseCode.notAssigned, reason)
  }

  private async onSocketGone(ws: WebSocket): Promise<void> {
    const attachment = attachmentOf(ws)
    const stillConnected = this.ctx.getWebSockets().some((other) => other !== ws && other.readyState === WebSocket.OPEN)
    if (!attachment || !this.isCurrent(attachment) || stillConnected) return
    this.pending.failAll('the session node disconnected')
    const { status } = this.store.state()
    // Without its node the session is unreachable; a QR shown by that node is void.
    if (status === 'authenticated' || status === 'qr_ready') {
      await this.setLive({
        status: 'disconnected',
        status_reason: 'session node unreachable',
        qr_code: null,
        qr_image: null,
        qr_expires_at: null,
      })
    }
  }

  private currentSocket(): WebSocket | undefined {
    return this.ctx.getWebSockets().find((socket) => {
      const attachment = attachmentOf(socket)
      return attachment && this.isCurrent(attachment) && socket.readyState === WebSocket.OPEN
    })
  }

  private command(build: (id: string) => DeviceToNode, timeoutMs: number): Promise<CommandOutcome> {
    const ws = this.currentSocket()
    return this.pending.run((id) => (ws ? sendFrame(ws, build(id)) : false), timeoutMs)
  }

  private async setLive(changes: Partial<DeviceState>): Promise<void> {
    const before = this.store.state()
    const after = this.store.update(changes)
    if (after.device_id !== null && (before.status !== after.status || before.phone_number !== after.phone_number)) {
      await mirrorStatusToD1(this.env.DB, after.device_id, after.status, after.phone_number)
    }
    // A device that is linked again resumes its outbox at once.
    if (before.status !== 'authenticated' && after.status === 'authenticated') await this.outbox.scheduleDrain(Date.now())
    // Logged out from the phone: its queued messages can never go out from this account.
    if (after.status === 'error' && after.status_reason === 'logged_out')
      await this.outbox.expireQueued(Number.MAX_SAFE_INTEGER, 'device_logged_out')
  }
}
