// EventFeedDO: one per company. Every event of the company's devices arrives here from their
// DeviceDOs (`append`, idempotent by event id), in one company-wide order: the pull feed
// (GET /whatsapp/events?after=…) reads it, replays read it, and each event is handed to the
// company's webhook endpoints that want it (one EndpointDO each, so a slow endpoint delays no
// other). Each endpoint's position in the feed is in `handovers`: a hand-over that fails leaves
// it where it was and the alarm tries again. Events are kept EVENT_RETENTION_DAYS.
import { DurableObject } from 'cloudflare:workers'
import { and, eq } from 'drizzle-orm'
import { database } from '../../db/client'
import { webhookEndpoints } from '../../db/schema'
import type { EventEnvelope, EventType } from '../../events/event-types'
import { wants, type Subscription } from '../../webhooks/subscription'
import { Handovers } from './handovers'
import { wakeBy } from '../alarms'
import { endpointOf } from '../stubs'
import { FeedStore, type RangeQuery } from './feed-store'
import { MessageIndex, type IndexQuery } from './message-index'
import type { MessageView } from '../device/message-view'
import { settingsOf } from '../../lib/settings'

/** Events are kept this long: a client that was away a month can still catch up. */
export const EVENT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000
/** A failed hand-over to an endpoint is tried again this soon. */
const HANDOVER_RETRY_MS = 5_000
/** The endpoint list is read from D1 at most this often (a change through the API refreshes it at once). */
const SUBSCRIPTIONS_TTL_MS = 60_000
const HANDOVER_CHUNK = 100
const DAY_MS = 24 * 60 * 60 * 1000
const PRUNE_BATCH = 1_000

export class EventFeedDO extends DurableObject<Env> {
  private readonly store: FeedStore
  private readonly index: MessageIndex
  private readonly handovers: Handovers
  /** When the hand-overs were last brought in line with the company's endpoints in D1 (null: before the next append). */
  private subscriptionsReadAt: number | null = null
  private pushing: Promise<void> | null = null
  private pushAgain = false
  /** The retention alarm was set by this instance (it keeps itself set from then on). */
  private alarmArmed = false

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.store = new FeedStore(ctx.storage)
    this.index = new MessageIndex(ctx.storage)
    this.handovers = new Handovers(ctx.storage.sql)
  }

  /** Takes events of one device of `companyId` (this feed's company), oldest first; any already here are ignored. */
  async append(companyId: number, events: EventEnvelope[]): Promise<void> {
    // The endpoints active now take these events (one made since the last append starts here).
    await this.readSubscriptions(companyId)
    this.ctx.storage.transactionSync(() => {
      for (const event of events) if (this.store.insert(event) !== null) this.index.applyEvent(event)
    })
    void this.push()
    await this.armPruning()
  }

  /**
   * The pull feed: events (as JSON) after the one named by `after` (from the start without it),
   * oldest first; null for an unknown `after`.
   */
  async page(query: { after?: string; types?: EventType[]; deviceIds?: number[]; limit: number }): Promise<string[] | null> {
    const afterPos = query.after === undefined ? 0 : this.store.positionOf(query.after)
    if (afterPos === null) return null
    return this.store.list({ afterPos, types: query.types, deviceIds: query.deviceIds, limit: query.limit })
  }

  /** The company's messages, newest first (message-index.ts): GET /messages without a device. */
  async messages(query: IndexQuery): Promise<MessageView[]> {
    return this.index.list(query)
  }

  /** Messages a device queued or scheduled, listed before any event tells of them. */
  async indexMessages(deviceId: number, views: MessageView[]): Promise<void> {
    this.index.putAll(views, deviceId)
    await this.armPruning()
  }

  /** A deleted device's messages leave the listing. */
  async dropDeviceMessages(deviceId: number): Promise<void> {
    this.index.dropDevice(deviceId)
  }

  /** Events (as JSON) in a time range, for a replay to one endpoint. */
  async range(query: RangeQuery): Promise<string[]> {
    return this.store.range(query)
  }

  /** The company's endpoints changed (created, edited, deleted): read them again before the next event. */
  async subscriptionsChanged(removedEndpointId?: number): Promise<void> {
    this.subscriptionsReadAt = null
    if (removedEndpointId !== undefined) this.handovers.drop(removedEndpointId)
  }

  override async alarm(): Promise<void> {
    await this.push()
    this.store.prune(Date.now() - EVENT_RETENTION_MS, PRUNE_BATCH)
    const pruned = this.index.prune(Date.now() - settingsOf(this.env).messageRetentionMs, PRUNE_BATCH)
    // A full batch went: there is more to prune now; otherwise look again in a day.
    await wakeBy(this.ctx.storage, Date.now() + (pruned === PRUNE_BATCH ? 0 : Math.min(EVENT_RETENTION_MS, DAY_MS)))
  }

  /** Something was stored: the alarm that prunes it is armed (once per instance is enough). */
  private async armPruning(): Promise<void> {
    if (!this.alarmArmed) await wakeBy(this.ctx.storage, Date.now() + EVENT_RETENTION_MS)
    this.alarmArmed = true
  }

  /** Brings the hand-overs in line with the company's active endpoints, read from D1 at most every SUBSCRIPTIONS_TTL_MS. */
  private async readSubscriptions(companyId: number): Promise<void> {
    if (this.subscriptionsReadAt !== null && Date.now() - this.subscriptionsReadAt < SUBSCRIPTIONS_TTL_MS) return
    const rows = await database(this.env.DB)
      .select({ id: webhookEndpoints.id, eventTypes: webhookEndpoints.eventTypes, deviceIds: webhookEndpoints.deviceIds })
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.companyId, companyId), eq(webhookEndpoints.isActive, true)))
    // Nothing else runs between this and the append's inserts (one microtask): a new endpoint starts right before them.
    this.handovers.sync(rows, this.store.lastPos())
    this.subscriptionsReadAt = Date.now()
  }

  /** Hands each endpoint its pending events; endpoints independently, so one failing delays no other. */
  private push(): Promise<void> {
    if (this.pushing) {
      this.pushAgain = true
      return this.pushing
    }
    this.pushing = (async () => {
      try {
        let failed = false
        do {
          this.pushAgain = false
          const results = await Promise.allSettled(this.handovers.subscriptions().map((subscription) => this.pushTo(subscription)))
          failed ||= results.some((r) => r.status === 'rejected')
        } while (this.pushAgain && !failed)
        if (failed) await wakeBy(this.ctx.storage, Date.now() + HANDOVER_RETRY_MS)
      } finally {
        this.pushing = null
      }
    })()
    return this.pushing
  }

  /** Hands one endpoint the events after its position that it wants, a chunk at a time. */
  private async pushTo(subscription: Subscription): Promise<void> {
    const { id } = subscription
    for (let after = this.handovers.after(id); after !== null; after = this.handovers.after(id)) {
      const next = this.store.after(after, HANDOVER_CHUNK)
      if (next.length === 0) return
      const wanted = next.filter((event) => wants(subscription, event)).map((event) => JSON.parse(event.body) as EventEnvelope)
      if (wanted.length > 0) await endpointOf(this.env, id).enqueue(wanted, 'live')
      this.handovers.advance(id, next[next.length - 1]!.pos)
    }
  }
}
