// CompanyDO: one per company. It makes the decisions that must be exact under concurrency:
// the per-key rate limit, the monthly quota (reserve all or none, refund) and idempotency
// records. Every method does its reads and writes in one synchronous run of sql.exec, and a
// Durable Object runs one event at a time, so N concurrent admits with R remaining accept
// exactly R. Awaits come only after the decision (to schedule the sweep).
import { DurableObject } from 'cloudflare:workers'
import { IdempotencyStore, type IdempotencyBegin } from './idempotency'
import { periodOf, QuotaStore, type QuotaView } from './quota'
import { DEVICE_CREATION_BUCKET, lookupBucketOf, RateLimiter, type RateDecision } from './rate-limit'

export type { IdempotencyBegin } from './idempotency'
export type { QuotaView } from './quota'

export type Admission =
  | { ok: true; quota: QuotaView }
  | { ok: false; reason: 'rate_limited'; retryAfterMs: number }
  | { ok: false; reason: 'quota_exceeded'; quota: QuotaView; retryAfterMs: number }

export interface AdmitInput {
  keyId: number
  count: number
  limit: number | null
  ratePerSec: number
  burst: number
  now?: number
}

/**
 * The sweep never runs more often than this: expired records already behave as absent, so
 * purging them is housekeeping, and batching it keeps a busy company from waking every second.
 */
const SWEEP_MIN_GAP_MS = 5 * 60 * 1000

// Bad arguments are a bug in the caller, not an outcome: they throw (a 500), never pass silently.
function check(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`CompanyDO: invalid ${what}`)
}
const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0
const checkLimit = (limit: number | null) => check(limit === null || isCount(limit), 'limit')
const checkKey = (input: { key: string; fingerprint?: string }) =>
  check(
    typeof input.key === 'string' && input.key.length > 0 && (input.fingerprint === undefined || typeof input.fingerprint === 'string'),
    'key',
  )
const clock = (now: number | undefined) => {
  check(now === undefined || Number.isFinite(now), 'now')
  return now ?? Date.now()
}

export class CompanyDO extends DurableObject<Env> {
  private readonly quotas: QuotaStore
  private readonly rates: RateLimiter
  private readonly idempotency: IdempotencyStore

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.quotas = new QuotaStore(ctx.storage)
    this.rates = new RateLimiter(ctx.storage)
    this.idempotency = new IdempotencyStore(ctx.storage)
  }

  // ── quota and rate limit ──────────────────────────────────────────────────────────────────

  /**
   * One call per send request: one rate token per request whatever `count` is, then `count`
   * messages of monthly quota, all or none. A rate-limited request consumes no quota; a request
   * refused for quota has still used its rate token.
   */
  async admit(input: AdmitInput): Promise<Admission> {
    const { keyId, count, limit, ratePerSec, burst } = input
    check(Number.isSafeInteger(keyId), 'keyId')
    check(isCount(count), 'count')
    checkLimit(limit)
    check(Number.isFinite(ratePerSec) && ratePerSec > 0, 'ratePerSec')
    check(Number.isFinite(burst) && burst >= 1, 'burst')
    const now = clock(input.now)

    const rate = this.rates.take(keyId, ratePerSec, Math.floor(burst), now)
    if (!rate.ok) return { ok: false, reason: 'rate_limited', retryAfterMs: rate.retryAfterMs }
    const reserved = this.quotas.reserve(count, limit, now)
    const quota = this.quotas.view(limit, now)
    if (rate.created) await this.ensureSweep()
    if (reserved) return { ok: true, quota }
    return { ok: false, reason: 'quota_exceeded', quota, retryAfterMs: periodOf(now).resetsAt - now }
  }

  /** Called by the device routes before a device is created: creation is paced per company. */
  async admitDeviceCreation(input: { ratePerSec: number; burst: number; now?: number }): Promise<RateDecision> {
    check(Number.isFinite(input.ratePerSec) && input.ratePerSec > 0 && Number.isFinite(input.burst) && input.burst >= 1, 'rate')
    const decision = this.rates.take(DEVICE_CREATION_BUCKET, input.ratePerSec, Math.floor(input.burst), clock(input.now))
    if (decision.ok && decision.created) await this.ensureSweep()
    return decision
  }

  /** Called before a number check: paced per API key apart from its sends, and charged no quota. */
  async admitLookup(input: { keyId: number; ratePerSec: number; burst: number; now?: number }): Promise<RateDecision> {
    check(Number.isSafeInteger(input.keyId) && input.keyId > 0, 'keyId')
    check(Number.isFinite(input.ratePerSec) && input.ratePerSec > 0 && Number.isFinite(input.burst) && input.burst >= 1, 'rate')
    const decision = this.rates.take(lookupBucketOf(input.keyId), input.ratePerSec, Math.floor(input.burst), clock(input.now))
    if (decision.ok && decision.created) await this.ensureSweep()
    return decision
  }

  /**
   * Called by DeviceDO for every reserved message that certainly was not sent (refused, expired,
   * device deleted). Gives back `count` reserved in `period`; refunds to another month are ignored.
   */
  async refund(input: { count: number; period: string; limit: number | null; now?: number }): Promise<QuotaView> {
    check(isCount(input.count), 'count')
    checkLimit(input.limit)
    const now = clock(input.now)
    this.quotas.refund(input.count, input.period, now)
    return this.quotas.view(input.limit, now)
  }

  async quota(input: { limit: number | null; now?: number }): Promise<QuotaView> {
    checkLimit(input.limit)
    return this.quotas.view(input.limit, clock(input.now))
  }

  // ── idempotency ───────────────────────────────────────────────────────────────────────────

  async idempotencyBegin(input: { key: string; fingerprint: string; now?: number }): Promise<IdempotencyBegin> {
    checkKey(input)
    const result = this.idempotency.begin(input.key, input.fingerprint, clock(input.now))
    if (result.state === 'new') await this.ensureSweep()
    return result
  }

  async idempotencyComplete(input: { key: string; fingerprint: string; status: number; body: string; now?: number }): Promise<void> {
    checkKey(input)
    check(Number.isInteger(input.status) && typeof input.body === 'string', 'response')
    this.idempotency.complete(input.key, input.fingerprint, input.status, input.body, clock(input.now))
    await this.ensureSweep()
  }

  async idempotencyAbandon(input: { key: string }): Promise<void> {
    checkKey(input)
    this.idempotency.abandon(input.key)
  }

  // ── the sweep: one alarm, at the earliest deadline of any record ──────────────────────────

  override async alarm(): Promise<void> {
    const now = Date.now()
    this.idempotency.purge(now)
    this.idempotency.trim()
    this.rates.purge(now)
    this.quotas.prune(now)
    await this.scheduleSweep(now)
  }

  /** Called after writing a record that will need purging: makes sure some alarm is pending. */
  private async ensureSweep(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.scheduleSweep(Date.now())
  }

  private async scheduleSweep(now: number): Promise<void> {
    const deadlines = [this.idempotency.nextDeadline(), this.rates.nextDeadline()].filter((d): d is number => d !== null)
    if (deadlines.length === 0) return
    await this.ctx.storage.setAlarm(Math.max(Math.min(...deadlines), now + SWEEP_MIN_GAP_MS))
  }
}
