// DeviceDO: the single writer for one WhatsApp device. It holds the live status, the current
// QR, the phone number and the (node-encrypted) auth state, and accepts the socket of exactly
// one session node: the one FleetDO assigned at the current epoch (NodeLink fences off anything
// else), so two hosts never run the same WhatsApp session. The ledger and outbox are Outbox's.
import { DurableObject } from 'cloudflare:workers'
import { CloseCode } from '../../../protocol/close-codes'
import { DEVICE_HANDOVER_WAIT_MS } from '../../../protocol/timing'
import { guardEntryPoint } from '../entry-points'
import { answerPingsWhileHibernating, closeQuietly } from '../sockets'
import { eventFeedOf, fleetOf } from '../stubs'
import { refundQuota } from './quota-refund'
import type { UsageDay } from './ledger-counters'
import { DeviceStore, type DeviceState } from './device-store'
import { Ledger, type ListQuery, type NewMessage } from './ledger'
import type { MessageView } from './message-view'
import { NO_QR, NodeFrames } from './node-frames'
import { setLive } from './live-state'
import { liveViewOf, type LiveView } from './live-view'
import { NodeLink } from './node-link'
import { blockedBy } from './readiness'
import { Retention } from './retention'
import { settingsOf } from '../../lib/settings'
import { companyOfDevice } from './owner'
import { receiveInbound } from './inbound'
import { mediaKeyOf } from '../../messaging/inbound-media'
import { Outbox, type BatchView, type Blocked, type CancelOutcome, type EnqueueOutcome, type SendOutcome } from './outbox'
import { announceMessages } from './announcements'
import { indexQueued } from './company-index'
import { destroyDevice } from './destroy'
import { EventForwarder } from './event-forwarder'
import { EventLog } from './event-log'
import { requestPairingCode, type CommandFailure } from './pairing'
import { checkNumbers, GroupCache, markRead, simulate } from './node-commands'
import { PlacementThrottle } from './placement-throttle'
import { setActive } from './pausing'
import type { SimulateInbound } from '../../../protocol/inbound'

export type { BatchView, CancelOutcome, EnqueueOutcome, SendOutcome } from './outbox'
export type { CommandFailure } from './pairing'
export type { LiveView } from './live-view'

export class DeviceDO extends DurableObject<Env> {
  private readonly store: DeviceStore
  private readonly ledger: Ledger
  private readonly outbox: Outbox
  private readonly link: NodeLink
  private readonly frames: NodeFrames
  private readonly retention: Retention
  private readonly events: EventLog
  private readonly forwarder: EventForwarder
  private readonly placement = new PlacementThrottle()
  private readonly groupCache = new GroupCache((build, timeoutMs) => this.link.command(build, timeoutMs))

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.store = new DeviceStore(ctx.storage)
    this.events = new EventLog(ctx.storage)
    const deviceId = () => this.deviceId()
    const owner = () => this.owner()
    const feedOf = (companyId: number) => eventFeedOf(this.env, companyId)
    this.ledger = new Ledger(ctx.storage, (rows) => announceMessages(rows, { events: this.events, ledger: () => this.ledger, deviceId }))
    this.forwarder = new EventForwarder({
      events: this.events,
      storage: ctx.storage,
      deviceId: () => this.store.state().device_id,
      companyId: owner,
      append: (companyId, events) => feedOf(companyId).append(companyId, events),
    })
    this.events.onRecorded = () => this.forwarder.soon()
    this.link = new NodeLink({
      ctx,
      assignment: () => {
        const { device_id, node_id, epoch } = this.store.state()
        return { deviceId: device_id, nodeId: node_id, epoch }
      },
      askFleet: (deviceId) => fleetOf(this.env).assignmentOf(deviceId),
      assign: (next) => this.assign(next),
    })
    this.outbox = new Outbox({
      ledger: this.ledger,
      storage: ctx.storage,
      deviceId,
      sendIntervalMs: () => this.store.state().send_interval_ms,
      blocked: () => this.blocked(),
      command: (build, timeoutMs) => this.link.command(build, timeoutMs),
      refund: (companyId, period, count) => refundQuota(this.env, companyId, period, count),
      queued: (ids) =>
        indexQueued(ids, { ledger: this.ledger, deviceId, companyId: owner, index: (c, d, v) => feedOf(c).indexMessages(d, v) }),
    })
    this.retention = new Retention({
      ledger: this.ledger,
      storage: ctx.storage,
      events: this.events,
      retentionMs: () => settingsOf(this.env).messageRetentionMs,
      deleteMedia: (ids) => this.env.MEDIA.delete(ids.map(mediaKeyOf)),
    })
    this.frames = new NodeFrames({
      store: this.store,
      ledger: this.ledger,
      link: this.link,
      setLive: (changes) => this.setLive(changes),
      receive: async (message) => {
        const companyId = await owner()
        receiveInbound(message, { storage: ctx.storage, events: this.events, deviceId: this.deviceId(), companyId }, Date.now())
        await this.forwarder.flush() // before the node's ack: listed once it is stored
      },
    })
    answerPingsWhileHibernating(ctx)
  }

  override fetch(request: Request): Promise<Response> {
    return this.link.accept(request)
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await guardEntryPoint('webSocketMessage', this.who(ws), () => this.frames.handle(ws, message))
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    await guardEntryPoint('webSocketClose', this.who(ws, { code }), async () => {
      closeQuietly(ws, code, reason)
      await this.frames.socketGone(ws)
    })
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    await guardEntryPoint('webSocketError', this.who(ws, { error: String(error) }), () => this.frames.socketGone(ws))
  }

  // ── RPC ───────────────────────────────────────────────────────────────────────────────────

  /**
   * Called by FleetDO when it gives the device to a node (or to none) under a new epoch, and by
   * NodeLink when FleetDO vouched for a newer epoch a node presented. Older epochs are ignored.
   */
  async assign(next: { deviceId: number; nodeId: number | null; epoch: number }): Promise<void> {
    const before = this.store.state()
    if (next.epoch < before.epoch) return
    if (before.deleted) return this.link.closeAll(CloseCode.deviceGone, 'device deleted')
    // A planned move (a drain) waits for a send in flight, so it is not cut off as `interrupted`.
    if (next.nodeId !== before.node_id) await this.link.finishInFlight(DEVICE_HANDOVER_WAIT_MS)
    if (next.epoch < this.store.state().epoch) return
    this.store.update({ device_id: next.deviceId, node_id: next.nodeId, epoch: next.epoch })
    this.link.fenceStale('this device moved to another node')
    // Whatever the old node reported is no longer true: nobody runs the session until the new
    // node reports, and a QR the old node showed is void.
    const moved = next.epoch !== before.epoch || next.nodeId !== before.node_id
    const reason = next.nodeId === null ? 'no_node_available' : 'moving_node'
    if (moved && (before.status === 'authenticated' || before.status === 'qr_ready')) {
      await this.setLive({ status: 'disconnected', status_reason: reason, status_detail: null, ...NO_QR })
    } else if (next.nodeId === null && before.active && before.status_reason !== reason) {
      // Waiting for a node (a new device, or one whose node left): say why nothing happens.
      await this.setLive({ status_reason: reason, status_detail: null })
    }
  }

  async live(): Promise<LiveView> {
    const state = this.store.state()
    return liveViewOf(state, this.placement.due(state), Date.now())
  }

  async requestPairingCode(phoneDigits: string): Promise<{ ok: true; pairingCode: string } | CommandFailure> {
    return requestPairingCode(phoneDigits, { store: this.store, link: this.link })
  }

  /** Pauses (stops the session without unlinking it) or resumes the device. */
  async setActive(active: boolean): Promise<LiveView> {
    await setActive(active, { store: this.store, link: this.link, setLive: (changes) => this.setLive(changes) })
    return this.live()
  }

  /**
   * Called by the admin routes when the device's company is deactivated or activated again.
   * Deactivated: its queued messages fail as `company_inactive` (refunded) and nothing more is
   * sent, whatever a cached API key still lets through; activated: sending may start again.
   */
  async setCompanyActive(active: boolean): Promise<void> {
    this.store.update({ company_active: active })
    if (!active) await this.outbox.expireQueued(Number.MAX_SAFE_INTEGER, 'company_inactive')
  }

  /** Told by the route that created the device: whose feed its events go to. */
  async belongsTo(companyId: number): Promise<void> {
    this.store.update({ company_id: companyId })
  }

  /** The sandbox: makes a simulated contact of this device's simulator node write, react, edit or delete. */
  async simulate(action: SimulateInbound): Promise<Awaited<ReturnType<typeof simulate>>> {
    return simulate(this.link, action)
  }

  /** The groups this device's account is in (kept GROUPS_CACHE_MS). */
  async groups(): Promise<Awaited<ReturnType<GroupCache['list']>>> {
    return this.groupCache.list()
  }

  /** Marks a received message read on WhatsApp. */
  async markRead(messageId: string): Promise<Awaited<ReturnType<typeof markRead>>> {
    return markRead(this.link, this.ledger, messageId, (id) => this.outbox.message(id))
  }

  /** Which of these numbers (digits) have WhatsApp, asked through this device. */
  async checkNumbers(phoneDigits: string[]): Promise<Awaited<ReturnType<typeof checkNumbers>>> {
    return checkNumbers(this.link, phoneDigits)
  }

  /** Logs the device out of WhatsApp (when a node holds it) and drops every trace of it here. */
  async destroy(): Promise<{ loggedOut: boolean }> {
    const { store, ledger, events, link, outbox, forwarder } = this
    const forgetMessages = async () => {
      const companyId = await this.owner()
      if (companyId !== null) await eventFeedOf(this.env, companyId).dropDeviceMessages(this.deviceId())
    }
    return destroyDevice({ storage: this.ctx.storage, link, outbox, forwarder, stores: { store, ledger, events }, forgetMessages })
  }

  /** Records one message and sends it now; answers once WhatsApp took it (or it failed). */
  async sendNow(input: NewMessage): Promise<SendOutcome> {
    // Forwarded before the answer: the company-wide listing shows what the caller was told.
    return this.outbox.sendNow(input).finally(() => this.forwarder.flush())
  }

  /** Stores a whole bulk request, or scheduled messages, in the outbox (one transaction) for paced delivery. */
  async enqueue(rows: NewMessage[]): Promise<EnqueueOutcome> {
    return this.outbox.enqueue(rows)
  }

  /** Takes back a scheduled or queued message (refunded). */
  async cancel(messageId: string): Promise<CancelOutcome> {
    return this.outbox.cancel(messageId).finally(() => this.forwarder.flush())
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

  /** Bulk requests, newest first (from the ledger's counters). */
  async batches(query: Parameters<Outbox['batches']>[0]): Promise<BatchView[]> {
    return this.outbox.batches(query)
  }

  /** Per UTC day from `from` to `to` (YYYY-MM-DD): sent, delivered, read, failed, received. */
  async usage(from: string, to: string): Promise<UsageDay[]> {
    return this.ledger.counters.usage(from, to)
  }

  /** Per-device pacing of the outbox; null restores the default. */
  async configure(settings: { sendIntervalMs: number | null }): Promise<void> {
    this.store.update({ send_interval_ms: settings.sendIntervalMs })
  }

  /** The one alarm: drains the outbox, paced, closes out sends that never answered, forwards events left behind. */
  override async alarm(): Promise<void> {
    await this.outbox.drain()
    await this.retention.prune(Date.now())
    await this.forwarder.flush()
  }

  /** For tests and operators: how many auth entries are stored (never their content). */
  async authEntryCount(): Promise<number> {
    return this.store.authCount()
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────

  private deviceId(): number {
    return this.store.state().device_id ?? 0
  }

  /** The company the device belongs to (null once it is gone from D1). */
  private owner(): Promise<number | null> {
    return companyOfDevice(this.store, this.env.DB)
  }

  /** Who a log line about `ws` concerns (worked out only if one is written). */
  private who(ws: WebSocket, extra: Record<string, unknown> = {}): () => Record<string, unknown> {
    return () => ({ deviceId: this.store.state().device_id, node: this.link.peerOf(ws), ...extra })
  }

  /** Why a message cannot go out now, or null when the device can send. */
  private blocked(): Blocked | null {
    return blockedBy(this.store.state(), this.link)
  }

  private setLive(changes: Partial<DeviceState>): Promise<void> {
    return setLive(changes, { store: this.store, events: this.events, storage: this.ctx.storage, outbox: this.outbox, db: this.env.DB })
  }
}
