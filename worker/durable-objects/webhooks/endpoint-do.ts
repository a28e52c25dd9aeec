// EndpointDO: one per webhook endpoint. It keeps the endpoint's delivery log (deliveries and
// their attempts), signs each attempt with the endpoint's secrets (kept only here), and drives
// retries on its alarm along RETRY_SCHEDULE_MS. Events of one device go out in sequence order,
// one at a time; devices go in parallel, and a delivery waiting for its retry blocks nothing
// behind it (best-effort order: events carry the full state, so a late one is harmless). A 410
// disables the endpoint; so do DISABLE_AFTER_FAILING_MS without a success. Its clock is
// injectable, so the schedule is tested without waiting days.
import { DurableObject } from 'cloudflare:workers'
import type { EventEnvelope } from '../../events/event-types'
import { attemptDelivery, type AttemptResult } from '../../webhooks/attempt'
import { DISABLE_AFTER_FAILING_MS, MAX_ATTEMPTS, nextRetryDelay } from '../../webhooks/retry-schedule'
import { newSecret } from '../../webhooks/signing'
import { disableEndpointInD1 } from '../../db/webhooks'
import { eventFeedOf } from '../stubs'
import { OneAtATime } from '../one-at-a-time'
import { DeliveryStore, type DeliveryQuery, type DeliveryRow, type DeliveryStatus } from './delivery-store'
import { toDeliveryDetail, toDeliveryView, type DeliveryDetail, type DeliveryView } from './delivery-view'

export interface Clock {
  now(): number
}

/** How long the previous secret still signs after a rotation. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000
/** Devices whose deliveries go out at once, per endpoint. */
const PARALLEL_DEVICES = 8
const DUE_PER_RUN = 200
/** Delivery log entries are kept this long. */
export const DELIVERY_RETENTION_MS = 30 * 24 * 60 * 60 * 1000

type Outcome = { status: DeliveryStatus; nextAttemptAt: number | null; scheduleStep: number }

export interface EndpointSettings {
  endpointId: number
  companyId: number
  url: string
  active: boolean
}

export class EndpointDO extends DurableObject<Env> {
  private readonly store: DeliveryStore
  /** Retries are scheduled and judged on this clock; tests move it forward. */
  clock: Clock = { now: () => Date.now() }
  /** The jitter of retries, [0, 1); tests fix it. */
  random: () => number = Math.random
  private readonly sending = new OneAtATime(() => this.run())

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.store = new DeliveryStore(ctx.storage)
  }

  /** The endpoint as the API last saved it; a first call also gives it its secret, returned once. */
  async configure(settings: EndpointSettings): Promise<{ secret: string | null }> {
    const current = this.store.endpoint()
    const secret = current.secret === null ? newSecret() : null
    this.store.updateEndpoint({
      endpoint_id: settings.endpointId,
      company_id: settings.companyId,
      url: settings.url,
      active: settings.active ? 1 : 0,
      ...(secret && { secret }),
      // Turned on again by its company: the failing streak starts over.
      ...(settings.active && !current.active && { failing_since: null }),
    })
    if (settings.active) await this.wakeAt(this.clock.now())
    return { secret }
  }

  /** A new secret, returned once; the previous one keeps signing for SECRET_OVERLAP_MS. */
  async rotateSecret(): Promise<{ secret: string; previous_expires_at: number }> {
    const secret = newSecret()
    const previousExpiresAt = this.clock.now() + SECRET_OVERLAP_MS
    this.store.updateEndpoint({ secret, previous_secret: this.store.endpoint().secret, previous_expires_at: previousExpiresAt })
    return { secret, previous_expires_at: previousExpiresAt }
  }

  /** Delivers these events (each once per origin: "live", "test", "replay:<id>"); how many are new. */
  async enqueue(events: EventEnvelope[], origin: string): Promise<number> {
    const added = this.store.add(events, origin, this.clock.now())
    if (added > 0) void this.sendDue()
    return added
  }

  async deliveries(query: DeliveryQuery): Promise<DeliveryView[]> {
    return this.store.list(query).map(toDeliveryView)
  }

  async delivery(deliveryId: string): Promise<DeliveryDetail | null> {
    const row = this.store.get(deliveryId)
    return row ? toDeliveryDetail(row, this.store.attemptsOf(deliveryId)) : null
  }

  /** Tries a delivery again now, whatever its state; null for one that does not exist. */
  async retry(deliveryId: string): Promise<DeliveryView | null> {
    if (!this.store.retryNow(deliveryId, this.clock.now())) return null
    await this.sendDue()
    const row = this.store.get(deliveryId)
    return row ? toDeliveryView(row) : null
  }

  /** The endpoint was deleted: its log and secrets go. */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAlarm()
    await this.ctx.storage.deleteAll()
    this.store.createSchema()
  }

  override async alarm(): Promise<void> {
    await this.sendDue()
    this.store.prune(this.clock.now() - DELIVERY_RETENTION_MS, 1_000)
  }

  /**
   * Sends what is due; one run at a time. Deliveries added during a run get another pass right
   * after it, instead of waiting for the alarm that pass sets (a hop per pass under load).
   */
  private sendDue(): Promise<void> {
    return this.sending.run()
  }

  private async run(): Promise<void> {
    const endpoint = this.store.endpoint()
    if (!endpoint.active || endpoint.url === null || endpoint.secret === null) return
    const now = this.clock.now()
    const due = this.store.due(now, DUE_PER_RUN)
    const perDevice = new Map<number | null, DeliveryRow[]>()
    for (const row of due) perDevice.set(row.device_id, [...(perDevice.get(row.device_id) ?? []), row])
    const queues = [...perDevice.values()]
    const worker = async () => {
      for (let queue = queues.shift(); queue; queue = queues.shift()) {
        for (const delivery of queue) if (this.store.endpoint().active) await this.attempt(delivery)
      }
    }
    await Promise.all(Array.from({ length: Math.min(PARALLEL_DEVICES, queues.length) }, worker))
    await this.disableIfFailingTooLong()
    const next = due.length === DUE_PER_RUN ? this.clock.now() : this.store.nextDueAt()
    if (next !== null && this.store.endpoint().active) await this.wakeAt(next)
  }

  private async attempt(delivery: DeliveryRow): Promise<void> {
    const endpoint = this.store.endpoint()
    const now = this.clock.now()
    const secrets = [
      endpoint.secret!,
      ...(endpoint.previous_secret && (endpoint.previous_expires_at ?? 0) > now ? [endpoint.previous_secret] : []),
    ]
    const result = await attemptDelivery({
      url: endpoint.url!,
      eventId: delivery.event_id,
      body: delivery.body,
      secrets,
      timestampSec: Math.floor(now / 1000),
      now,
    })
    const attempt = delivery.attempts + 1
    // Pulled forward with a later event of its device: a failure leaves its own schedule as it was.
    const pulled = (delivery.next_attempt_at ?? now) > now
    const outcome =
      pulled && !result.ok && result.httpStatus !== 410 ? this.unchanged(delivery) : this.outcomeOf(result, delivery.schedule_step + 1, now)
    this.store.recordAttempt(
      delivery,
      {
        attempt,
        started_at: now,
        duration_ms: result.durationMs,
        http_status: result.httpStatus,
        response_snippet: result.responseSnippet,
        error: result.error,
      },
      outcome,
    )
    if (result.ok) this.store.updateEndpoint({ failing_since: null })
    // Read again: other devices' attempts ran during this one's request.
    else if (this.store.endpoint().failing_since === null) this.store.updateEndpoint({ failing_since: now })
    if (result.httpStatus === 410) await this.disable('the endpoint answered 410 Gone')
  }

  private outcomeOf(result: AttemptResult, step: number, now: number): Outcome {
    if (result.ok) return { status: 'succeeded', nextAttemptAt: null, scheduleStep: step }
    if (result.httpStatus === 410) return { status: 'failed', nextAttemptAt: null, scheduleStep: step }
    const delay = step >= MAX_ATTEMPTS ? null : nextRetryDelay(step, result.retryAfterMs, this.random)
    return delay === null
      ? { status: 'failed', nextAttemptAt: null, scheduleStep: step }
      : { status: 'pending', nextAttemptAt: now + delay, scheduleStep: step }
  }

  private unchanged(delivery: DeliveryRow): Outcome {
    return { status: 'pending', nextAttemptAt: delivery.next_attempt_at, scheduleStep: delivery.schedule_step }
  }

  private async disableIfFailingTooLong(): Promise<void> {
    const { failing_since, active } = this.store.endpoint()
    if (active && failing_since !== null && this.clock.now() - failing_since >= DISABLE_AFTER_FAILING_MS) {
      await this.disable('no delivery succeeded for 5 days')
    }
  }

  /** Stops deliveries on its own: D1 shows it disabled with the reason, the company's feed stops sending it events. */
  private async disable(reason: string): Promise<void> {
    const { endpoint_id, company_id } = this.store.endpoint()
    this.store.updateEndpoint({ active: 0 })
    if (endpoint_id === null || company_id === null) return
    await disableEndpointInD1(this.env.DB, endpoint_id, reason)
    await eventFeedOf(this.env, company_id).subscriptionsChanged()
  }

  /** Sets the alarm for `at` on the injected clock. */
  private async wakeAt(at: number): Promise<void> {
    const real = Date.now() + Math.max(0, at - this.clock.now())
    const current = await this.ctx.storage.getAlarm()
    if (current === null || current > real) await this.ctx.storage.setAlarm(real)
  }
}
