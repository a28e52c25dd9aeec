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
  type MessageFailureCode,
} from '../../../protocol/frames'
import { answerPingsWhileHibernating, closeQuietly, sendFrame, upgradeResponse } from '../sockets'
import { mirrorStatusToD1 } from './d1-mirror'
import { DeviceStore, type DeviceState } from './device-store'
import { interpretSend, sendCommand, sendTimeoutMs, STALE_SENDING_MS, toMessageView, type DispatchResult, type MessageView } from './dispatch'
import { Ledger, type ListQuery, type MessageRow, type NewMessage } from './ledger'
import { PendingCommands, type CommandOutcome } from './pending-commands'

interface SocketAttachment {
  nodeId: number
  epoch: number
}

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

export type SendOutcome =
  | { ok: true; message: MessageView }
  | { ok: false; code: 'device_not_ready'; message: string }
  | { ok: false; code: Exclude<MessageFailureCode, 'outcome_unknown'> | 'interrupted' | 'send_timeout'; message: string; messageId: string }

export type EnqueueOutcome = { ok: true } | { ok: false; code: 'device_not_ready'; message: string }

export interface BatchView {
  batch_id: string
  device_id: number
  total: number
  counts: Record<'queued' | 'sent' | 'delivered' | 'read' | 'failed', number>
  created_at: string
}

/** Longer than the node's own wait for a socket able to pair (30 s). */
const PAIRING_TIMEOUT_MS = 40_000
const CONTROL_TIMEOUT_MS = 10_000
/** Default pause between two outbox messages of one device, ±25 % jitter: a human-ish pace
 * that keeps an account clear of WhatsApp's spam heuristics. Configurable per device. */
export const DEFAULT_SEND_INTERVAL_MS = 1_500
/** How often a waiting outbox looks again while its device is not ready (a relink also wakes it). */
const NOT_READY_RETRY_MS = 30_000
/** A bulk message still queued after this long (device never linked again) fails and is refunded. */
export const QUEUED_MAX_AGE_MS = 24 * 60 * 60 * 1000

/** Raw text to a socket that may be closing: never throws into a handler. */
function sendRaw(ws: WebSocket, text: string): void {
  try {
    ws.send(text)
  } catch {
    // closing or gone
  }
}

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
  private readonly pending = new PendingCommands()

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.store = new DeviceStore(ctx.storage)
    this.ledger = new Ledger(ctx.storage.sql)
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
        sendFrame(ws, { type: 'welcome', protocol: PROTOCOL_VERSION, device_id: frame.device_id, epoch: frame.epoch, active: state.active === 1 } satisfies DeviceToNode)
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
        await this.setLive({ status: 'qr_ready', status_reason: null, qr_code: frame.qr_code, qr_image: frame.qr_image, qr_expires_at: frame.expires_at })
        return
      case 'auth.get': {
        const answer = encodeFrame({ type: 'result', id: frame.id, ok: true, data: { values: this.store.authGet(frame.names) } })
        // A frame the node cannot decode would leave its read waiting forever: refuse it by id.
        sendRaw(
          ws,
          answer.length <= MAX_FRAME_CHARS
            ? answer
            : encodeFrame({ type: 'result', id: frame.id, ok: false, error: { code: 'frame_too_large', message: 'ask for fewer names at once' } }),
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
      active: s.active === 1,
    }
  }

  async requestPairingCode(phoneDigits: string): Promise<{ ok: true; pairingCode: string } | CommandFailure> {
    const state = this.store.state()
    if (state.status === 'authenticated') return { ok: false, code: 'already_linked', message: 'This device is already linked' }
    if (state.active !== 1) return { ok: false, code: 'device_not_ready', message: 'This device is paused' }
    const outcome = await this.command((id) => ({ type: 'pairing_code', id, phone_number: phoneDigits }), PAIRING_TIMEOUT_MS)
    const code = outcome.ok && typeof outcome.data === 'object' && outcome.data ? (outcome.data as { pairing_code?: unknown }).pairing_code : undefined
    return typeof code === 'string' ? { ok: true, pairingCode: code } : failure(outcome)
  }

  /** Pauses (stops the session without unlinking it) or resumes the device. */
  async setActive(active: boolean): Promise<LiveView> {
    const before = this.store.state()
    this.store.update({ active: active ? 1 : 0 })
    if (before.active !== (active ? 1 : 0)) {
      if (!active) {
        const status = before.status === 'pending' || before.status === 'error' ? before.status : 'disconnected'
        await this.setLive({ status, status_reason: 'paused', qr_code: null, qr_image: null, qr_expires_at: null })
      }
      await this.command((id) => ({ type: active ? 'resume' : 'pause', id }), CONTROL_TIMEOUT_MS)
    }
    return this.live()
  }

  /** Logs the device out of WhatsApp (when a node holds it) and drops every trace of it here. */
  async destroy(): Promise<{ loggedOut: boolean }> {
    const outcome = await this.command((id) => ({ type: 'logout', id }), CONTROL_TIMEOUT_MS)
    for (const ws of this.ctx.getWebSockets()) closeQuietly(ws, CloseCode.deviceGone, 'device deleted')
    await this.ctx.storage.deleteAlarm()
    // Queued messages will never be sent: their quota goes back.
    await this.expireQueued(Number.MAX_SAFE_INTEGER, 'device_deleted')
    await this.ctx.storage.deleteAll()
    this.store.createSchema()
    this.ledger.createSchema()
    return { loggedOut: outcome.ok }
  }

  // ── messaging RPC ─────────────────────────────────────────────────────────────────────────

  /** Records one message and sends it now; answers once WhatsApp took it (or it failed). */
  /** The caller's quota reservation is this object's from here on: anything not sent is refunded here. */
  async sendNow(input: NewMessage): Promise<SendOutcome> {
    const notReady = this.notReadyReason()
    if (notReady) {
      await this.refund(input.company_id, input.quota_period, 1)
      return { ok: false, code: 'device_not_ready', message: notReady }
    }
    const now = Date.now()
    this.ledger.insert([input], 'sending', now, this.ctx.storage)
    // Should this object be reset before the answer comes, the alarm closes the message out.
    await this.wakeBy(now + STALE_SENDING_MS + 1_000)
    const row = this.ledger.get(input.message_id)
    const result = row ? await this.dispatch(row) : ({ kind: 'not_dispatched', message: 'the device was deleted' } as const)
    if (result.kind === 'not_dispatched') {
      // The frame could not be written to the socket: nothing went out, nothing is owed.
      this.ledger.markFailed(input.message_id, 'not_ready', Date.now())
      await this.refund(input.company_id, input.quota_period, 1)
      return { ok: false, code: 'device_not_ready', message: result.message }
    }
    const after = this.ledger.get(input.message_id)
    if (result.kind === 'sent' && after) return { ok: true, message: toMessageView(after, this.deviceId()) }
    if (result.kind === 'sent') return { ok: false, code: 'interrupted', message: 'the device was deleted while sending', messageId: input.message_id }
    return { ok: false, code: result.code, message: result.message, messageId: input.message_id }
  }

  /** Stores a whole bulk request in the outbox (one transaction) for paced delivery. */
  async enqueue(rows: NewMessage[]): Promise<EnqueueOutcome> {
    const notReady = this.notReadyReason()
    const first = rows[0]
    if (notReady || !first) {
      if (first) await this.refund(first.company_id, first.quota_period, rows.length)
      return { ok: false, code: 'device_not_ready', message: notReady ?? 'nothing to send' }
    }
    this.ledger.insert(rows, 'queued', Date.now(), this.ctx.storage)
    await this.scheduleDrain(Date.now())
    return { ok: true }
  }

  async message(messageId: string): Promise<MessageView | null> {
    const row = this.ledger.get(messageId)
    return row ? toMessageView(row, this.deviceId()) : null
  }

  async messages(query: ListQuery): Promise<MessageView[]> {
    const status = query.status?.includes('queued') ? [...query.status, 'sending' as const] : query.status
    return this.ledger.list({ ...query, ...(status && { status }) }).map((row) => toMessageView(row, this.deviceId()))
  }

  async batch(batchId: string): Promise<BatchView | null> {
    const { total, counts, createdAt } = this.ledger.batchCounts(batchId)
    if (total === 0 || createdAt === null) return null
    return {
      batch_id: batchId,
      device_id: this.deviceId(),
      total,
      counts: {
        queued: (counts.queued ?? 0) + (counts.sending ?? 0),
        sent: counts.sent ?? 0,
        delivered: counts.delivered ?? 0,
        read: counts.read ?? 0,
        failed: counts.failed ?? 0,
      },
      created_at: new Date(createdAt).toISOString(),
    }
  }

  /** Per-device pacing of the outbox; null restores the default. */
  async configure(settings: { sendIntervalMs: number | null }): Promise<void> {
    this.store.update({ send_interval_ms: settings.sendIntervalMs })
  }

  /** Drains the outbox one message at a time, paced, and closes out sends that never answered. */
  override async alarm(): Promise<void> {
    const now = Date.now()
    for (const row of this.ledger.staleSending(now - STALE_SENDING_MS)) this.ledger.markFailed(row.message_id, 'interrupted', now)
    await this.expireQueued(now - QUEUED_MAX_AGE_MS, 'expired')
    const next = this.ledger.nextQueued()
    if (next && this.notReadyReason() === null && this.ledger.markSending(next.message_id, now)) {
      const result = await this.dispatch({ ...next, status: 'sending' })
      if (result.kind === 'not_dispatched') this.ledger.requeue(next.message_id)
    }
    await this.scheduleDrain()
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
    if (state.active !== 1) return 'the device is paused'
    if (state.status !== 'authenticated') return `the device is ${state.status}, not authenticated`
    if (!this.currentSocket()) return 'the session node of this device is unreachable'
    return null
  }

  private async dispatch(row: MessageRow): Promise<DispatchResult> {
    const result = interpretSend(await this.command((id) => sendCommand(row, id), sendTimeoutMs(row)))
    const now = Date.now()
    if (result.kind === 'sent') this.ledger.markSent(row.message_id, result.waMessageId, result.sentAt)
    else if (result.kind === 'refused') {
      this.ledger.markFailed(row.message_id, result.code, now)
      await this.refund(row.company_id, row.quota_period, 1)
    } else if (result.kind === 'unknown') this.ledger.markFailed(row.message_id, result.code, now)
    return result
  }

  private async refund(companyId: number, period: string, count: number): Promise<void> {
    try {
      await this.env.COMPANY.getByName(String(companyId)).refund({ count, period, limit: null })
    } catch (error) {
      console.error(JSON.stringify({ msg: 'quota refund failed', companyId, period, count, error: String(error) }))
    }
  }

  /** Fails (and refunds) queued messages older than `before`: they will not be sent. */
  private async expireQueued(before: number, reason: string): Promise<void> {
    const now = Date.now()
    for (const group of this.ledger.failQueued(before, reason, now)) await this.refund(group.company_id, group.quota_period, group.n)
  }

  /** Makes sure the alarm fires no later than `at`. */
  private async wakeBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > at) await this.ctx.storage.setAlarm(at)
  }

  private async scheduleDrain(at?: number): Promise<void> {
    if (this.ledger.pendingCount() === 0) return
    const now = Date.now()
    const interval = this.store.state().send_interval_ms ?? DEFAULT_SEND_INTERVAL_MS
    const paced = now + Math.round(interval * (0.75 + Math.random() * 0.5))
    const next = at ?? (this.notReadyReason() === null ? paced : now + NOT_READY_RETRY_MS)
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current <= now || current > next) await this.ctx.storage.setAlarm(next)
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
    const truth = await this.env.FLEET.getByName('fleet').assignmentOf(deviceId)
    if (!truth || truth.nodeId !== nodeId || truth.epoch !== epoch) return false
    await this.assign({ deviceId, nodeId, epoch })
    return true
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
      await this.setLive({ status: 'disconnected', status_reason: 'session node unreachable', qr_code: null, qr_image: null, qr_expires_at: null })
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
    if (before.status !== 'authenticated' && after.status === 'authenticated') await this.scheduleDrain(Date.now())
    // Logged out from the phone: its queued messages can never go out from this account.
    if (after.status === 'error' && after.status_reason === 'logged_out') await this.expireQueued(Number.MAX_SAFE_INTEGER, 'device_logged_out')
  }
}
