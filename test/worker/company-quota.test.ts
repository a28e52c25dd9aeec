// CompanyDO's quota and per-key rate limit: exact under concurrency, month by month.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { companyOf } from '../../worker/durable-objects/stubs'
import { freshId } from './helpers'

/** A fresh company per test: each instance has its own storage. */
const company = () => companyOf(env, freshId())

const MID_NOVEMBER = Date.UTC(2026, 10, 15, 12, 0, 0)
const DECEMBER_1 = Date.UTC(2026, 11, 1)
const HOUR = 60 * 60 * 1000
/** Generous enough that the rate limit never gets in the way of a quota test. */
const NO_RATE_LIMIT = { ratePerSec: 1000, burst: 1000 }

describe('quota', () => {
  it('accepts exactly the remaining quota under concurrency', async () => {
    const stub = company()
    const results = await Promise.all(
      Array.from({ length: 50 }, () => stub.admit({ keyId: 1, count: 1, limit: 20, ...NO_RATE_LIMIT, now: MID_NOVEMBER })),
    )
    const accepted = results.filter((r) => r.ok)
    const refused = results.filter((r) => !r.ok)
    expect(accepted).toHaveLength(20)
    expect(refused).toHaveLength(30)
    for (const r of refused) {
      expect(r).toMatchObject({ ok: false, reason: 'quota_exceeded', retryAfterMs: DECEMBER_1 - MID_NOVEMBER })
    }
    expect(refused[0]).toMatchObject({
      quota: { limit: 20, used: 20, remaining: 0, period: '2026-11', resets_at: '2026-12-01T00:00:00.000Z' },
    })
    expect(await stub.quota({ limit: 20, now: MID_NOVEMBER })).toEqual({
      limit: 20,
      used: 20,
      remaining: 0,
      period: '2026-11',
      resets_at: '2026-12-01T00:00:00.000Z',
    })
  })

  it('reports the quota after each accepted reservation', async () => {
    const stub = company()
    const first = await stub.admit({ keyId: 1, count: 3, limit: 10, ...NO_RATE_LIMIT, now: MID_NOVEMBER })
    expect(first).toEqual({
      ok: true,
      quota: { limit: 10, used: 3, remaining: 7, period: '2026-11', resets_at: '2026-12-01T00:00:00.000Z' },
    })
  })

  it('reserves a bulk request all or none', async () => {
    const stub = company()
    expect((await stub.admit({ keyId: 1, count: 90, limit: 100, ...NO_RATE_LIMIT, now: MID_NOVEMBER })).ok).toBe(true)
    const bulk = await stub.admit({ keyId: 1, count: 15, limit: 100, ...NO_RATE_LIMIT, now: MID_NOVEMBER })
    expect(bulk).toMatchObject({ ok: false, reason: 'quota_exceeded', quota: { used: 90, remaining: 10 } })
    expect((await stub.quota({ limit: 100, now: MID_NOVEMBER })).used).toBe(90)
    // Exactly what is left still fits.
    expect(await stub.admit({ keyId: 1, count: 10, limit: 100, ...NO_RATE_LIMIT, now: MID_NOVEMBER })).toMatchObject({
      ok: true,
      quota: { used: 100, remaining: 0 },
    })
  })

  it('never refuses an unlimited company and reports remaining as null', async () => {
    const stub = company()
    for (let i = 0; i < 5; i++) {
      const result = await stub.admit({ keyId: 1, count: 1_000, limit: null, ...NO_RATE_LIMIT, now: MID_NOVEMBER })
      expect(result).toMatchObject({ ok: true, quota: { limit: null, remaining: null, used: (i + 1) * 1_000 } })
    }
    expect(await stub.quota({ limit: null, now: MID_NOVEMBER })).toMatchObject({ limit: null, used: 5_000, remaining: null })
  })

  it('applies a raised or lowered limit at once, since the caller passes it in', async () => {
    const stub = company()
    await stub.admit({ keyId: 1, count: 10, limit: 10, ...NO_RATE_LIMIT, now: MID_NOVEMBER })
    expect((await stub.admit({ keyId: 1, count: 1, limit: 10, ...NO_RATE_LIMIT, now: MID_NOVEMBER })).ok).toBe(false)
    expect(await stub.admit({ keyId: 1, count: 1, limit: 20, ...NO_RATE_LIMIT, now: MID_NOVEMBER })).toMatchObject({
      ok: true,
      quota: { used: 11, remaining: 9 },
    })
    // Lowered under the usage: nothing left, never a negative remaining.
    expect(await stub.quota({ limit: 5, now: MID_NOVEMBER })).toMatchObject({ used: 11, remaining: 0 })
  })

  it('refunds into the current month, never below zero, and ignores refunds to a past month', async () => {
    const stub = company()
    await stub.admit({ keyId: 1, count: 5, limit: 10, ...NO_RATE_LIMIT, now: MID_NOVEMBER })
    expect(await stub.refund({ count: 3, period: '2026-11', limit: 10, now: MID_NOVEMBER })).toMatchObject({ used: 2, remaining: 8 })
    expect(await stub.refund({ count: 10, period: '2026-11', limit: 10, now: MID_NOVEMBER })).toMatchObject({ used: 0, remaining: 10 })

    await stub.admit({ keyId: 1, count: 4, limit: 10, ...NO_RATE_LIMIT, now: MID_NOVEMBER })
    await stub.admit({ keyId: 1, count: 2, limit: 10, ...NO_RATE_LIMIT, now: DECEMBER_1 + HOUR })
    const late = await stub.refund({ count: 4, period: '2026-11', limit: 10, now: DECEMBER_1 + HOUR })
    expect(late).toMatchObject({ period: '2026-12', used: 2, remaining: 8 })
    expect((await stub.quota({ limit: 10, now: MID_NOVEMBER })).used).toBe(4)
  })

  it('starts a new month at zero', async () => {
    const stub = company()
    const lastMinute = Date.UTC(2026, 10, 30, 23, 59)
    expect(await stub.admit({ keyId: 1, count: 10, limit: 10, ...NO_RATE_LIMIT, now: lastMinute })).toMatchObject({
      ok: true,
      quota: { used: 10, remaining: 0, period: '2026-11', resets_at: '2026-12-01T00:00:00.000Z' },
    })
    const refused = await stub.admit({ keyId: 1, count: 1, limit: 10, ...NO_RATE_LIMIT, now: lastMinute })
    expect(refused).toMatchObject({ ok: false, reason: 'quota_exceeded', retryAfterMs: 60_000 })

    expect(await stub.quota({ limit: 10, now: DECEMBER_1 })).toEqual({
      limit: 10,
      used: 0,
      remaining: 10,
      period: '2026-12',
      resets_at: '2027-01-01T00:00:00.000Z',
    })
    expect(await stub.admit({ keyId: 1, count: 1, limit: 10, ...NO_RATE_LIMIT, now: DECEMBER_1 })).toMatchObject({
      ok: true,
      quota: { used: 1, period: '2026-12' },
    })
  })

  it('rejects malformed arguments instead of guessing', async () => {
    // The pool's DO wrapper logs each of these as "uncaught exception"; the caller does get the error.
    const stub = company()
    const failure = (call: () => Promise<unknown>) =>
      call().then(
        () => null,
        (error: Error) => error.message,
      )
    expect(await failure(() => stub.admit({ keyId: 1, count: -1, limit: 10, ...NO_RATE_LIMIT }))).toMatch(/count/)
    expect(await failure(() => stub.admit({ keyId: 1, count: 1.5, limit: 10, ...NO_RATE_LIMIT }))).toMatch(/count/)
    expect(await failure(() => stub.admit({ keyId: 1, count: 1, limit: 10, ratePerSec: 0, burst: 1 }))).toMatch(/ratePerSec/)
    expect(await failure(() => stub.refund({ count: 1, period: '2026-11', limit: -5 }))).toMatch(/limit/)
    expect(await failure(() => stub.idempotencyBegin({ key: '', fingerprint: 'fp' }))).toMatch(/key/)
    expect((await stub.quota({ limit: 10 })).used).toBe(0)
  })
})

describe('rate limit', () => {
  const T = MID_NOVEMBER

  it('lets a burst through, then refuses with the wait until the next token', async () => {
    const stub = company()
    const limits = { limit: null, ratePerSec: 2, burst: 3 }
    for (let i = 0; i < 3; i++) expect((await stub.admit({ keyId: 7, count: 1, ...limits, now: T })).ok).toBe(true)
    const refused = await stub.admit({ keyId: 7, count: 1, ...limits, now: T })
    expect(refused).toEqual({ ok: false, reason: 'rate_limited', retryAfterMs: 500 })

    // Part of the way there: still refused, with the rest of the wait.
    expect(await stub.admit({ keyId: 7, count: 1, ...limits, now: T + 400 })).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAfterMs: 100,
    })
    // Waiting what was advertised is enough, for one request.
    expect((await stub.admit({ keyId: 7, count: 1, ...limits, now: T + 500 })).ok).toBe(true)
    expect((await stub.admit({ keyId: 7, count: 1, ...limits, now: T + 500 })).ok).toBe(false)
    // Long idle: the whole burst is back, no more.
    for (let i = 0; i < 3; i++) expect((await stub.admit({ keyId: 7, count: 1, ...limits, now: T + 60_000 })).ok).toBe(true)
    expect((await stub.admit({ keyId: 7, count: 1, ...limits, now: T + 60_000 })).ok).toBe(false)
  })

  it('keeps each key independent', async () => {
    const stub = company()
    const limits = { limit: null, ratePerSec: 1, burst: 1 }
    expect((await stub.admit({ keyId: 1, count: 1, ...limits, now: T })).ok).toBe(true)
    expect((await stub.admit({ keyId: 1, count: 1, ...limits, now: T })).ok).toBe(false)
    expect((await stub.admit({ keyId: 2, count: 1, ...limits, now: T })).ok).toBe(true)
  })

  it('takes one token per request, whatever its count', async () => {
    const stub = company()
    const limits = { limit: null, ratePerSec: 1, burst: 2 }
    expect((await stub.admit({ keyId: 1, count: 500, ...limits, now: T })).ok).toBe(true)
    expect((await stub.admit({ keyId: 1, count: 500, ...limits, now: T })).ok).toBe(true)
    expect(await stub.admit({ keyId: 1, count: 1, ...limits, now: T })).toMatchObject({ ok: false, reason: 'rate_limited' })
  })

  it('charges no quota for a rate-limited request, but a quota refusal still uses its token', async () => {
    const stub = company()
    const limits = { ratePerSec: 1, burst: 2 }
    expect((await stub.admit({ keyId: 1, count: 3, limit: 10, ...limits, now: T })).ok).toBe(true)
    expect((await stub.admit({ keyId: 1, count: 3, limit: 10, ...limits, now: T })).ok).toBe(true)
    expect(await stub.admit({ keyId: 1, count: 3, limit: 10, ...limits, now: T })).toMatchObject({ reason: 'rate_limited' })
    expect((await stub.quota({ limit: 10, now: T })).used).toBe(6)

    const other = company()
    expect((await other.admit({ keyId: 1, count: 1, limit: 1, ...limits, now: T })).ok).toBe(true)
    expect(await other.admit({ keyId: 1, count: 1, limit: 1, ...limits, now: T })).toMatchObject({ reason: 'quota_exceeded' })
    expect(await other.admit({ keyId: 1, count: 1, limit: 1, ...limits, now: T })).toMatchObject({ reason: 'rate_limited' })
  })
})
