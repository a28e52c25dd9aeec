import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

/** A fresh company per test: each instance has its own storage. */
const company = () => env.COMPANY.getByName(`company-${crypto.randomUUID()}`)

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

describe('idempotency', () => {
  const T = MID_NOVEMBER
  const begin = (stub: ReturnType<typeof company>, key: string, fingerprint: string, now = T) =>
    stub.idempotencyBegin({ key, fingerprint, now })

  it('replays a completed request with the same status and body', async () => {
    const stub = company()
    expect(await begin(stub, 'k1', 'fp-a')).toEqual({ state: 'new' })
    await stub.idempotencyComplete({ key: 'k1', fingerprint: 'fp-a', status: 201, body: '{"success":true}', now: T })
    expect(await begin(stub, 'k1', 'fp-a', T + 1_000)).toEqual({ state: 'replay', status: 201, body: '{"success":true}' })
    // The first answer stays the answer.
    await stub.idempotencyComplete({ key: 'k1', fingerprint: 'fp-a', status: 500, body: 'other', now: T + 2_000 })
    expect(await begin(stub, 'k1', 'fp-a', T + 3_000)).toEqual({ state: 'replay', status: 201, body: '{"success":true}' })
  })

  it('reports a conflict for the same key with another body, in progress or completed', async () => {
    const stub = company()
    await begin(stub, 'k1', 'fp-a')
    expect(await begin(stub, 'k1', 'fp-b')).toEqual({ state: 'conflict' })
    await stub.idempotencyComplete({ key: 'k1', fingerprint: 'fp-a', status: 201, body: 'a', now: T })
    expect(await begin(stub, 'k1', 'fp-b')).toEqual({ state: 'conflict' })
    // Another key is another request.
    expect(await begin(stub, 'k2', 'fp-b')).toEqual({ state: 'new' })
  })

  it('lets exactly one of many concurrent first attempts proceed', async () => {
    const stub = company()
    const results = await Promise.all(Array.from({ length: 20 }, () => begin(stub, 'same', 'fp')))
    expect(results.filter((r) => r.state === 'new')).toHaveLength(1)
    expect(results.filter((r) => r.state === 'in_progress')).toHaveLength(19)
  })

  it('forgets an abandoned attempt, but never a completed one', async () => {
    const stub = company()
    await begin(stub, 'k1', 'fp')
    await stub.idempotencyAbandon({ key: 'k1' })
    expect(await begin(stub, 'k1', 'fp')).toEqual({ state: 'new' })
    await stub.idempotencyComplete({ key: 'k1', fingerprint: 'fp', status: 200, body: 'ok', now: T })
    await stub.idempotencyAbandon({ key: 'k1' })
    expect(await begin(stub, 'k1', 'fp')).toEqual({ state: 'replay', status: 200, body: 'ok' })
    // Abandoning an unknown key is harmless.
    await stub.idempotencyAbandon({ key: 'never-seen' })
  })

  it('keeps a completed record 24 hours', async () => {
    const stub = company()
    await begin(stub, 'k1', 'fp-a')
    await stub.idempotencyComplete({ key: 'k1', fingerprint: 'fp-a', status: 202, body: 'b', now: T })
    expect(await begin(stub, 'k1', 'fp-b', T + 24 * HOUR - 1)).toEqual({ state: 'conflict' })
    expect(await begin(stub, 'k1', 'fp-a', T + 24 * HOUR - 1)).toEqual({ state: 'replay', status: 202, body: 'b' })
    expect(await begin(stub, 'k1', 'fp-b', T + 24 * HOUR)).toEqual({ state: 'new' })
  })

  it('treats an attempt still in progress after 15 minutes (longer than any send) as abandoned', async () => {
    const stub = company()
    await begin(stub, 'k1', 'fp')
    // A media send may legitimately take minutes: the key stays taken all that time.
    expect(await begin(stub, 'k1', 'fp', T + 5 * 60_000)).toEqual({ state: 'in_progress' })
    expect(await begin(stub, 'k1', 'fp', T + 15 * 60_000 - 1)).toEqual({ state: 'in_progress' })
    expect(await begin(stub, 'k1', 'fp', T + 15 * 60_000)).toEqual({ state: 'new' })
    // The takeover is a fresh attempt with its own 15 minutes.
    expect(await begin(stub, 'k1', 'fp', T + 20 * 60_000)).toEqual({ state: 'in_progress' })
  })
})

describe('sweep', () => {
  const countRows = (stub: ReturnType<typeof company>, table: string) =>
    runInDurableObject(stub, (_instance, state) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n)

  it('purges expired records and idle rate buckets from one alarm, and keeps the rest', async () => {
    const stub = company()
    const now = Date.now()
    // Completed 25 h ago: expired.
    await stub.idempotencyBegin({ key: 'old', fingerprint: 'fp', now: now - 25 * HOUR })
    await stub.idempotencyComplete({ key: 'old', fingerprint: 'fp', status: 200, body: 'x', now: now - 25 * HOUR })
    // Started 16 min ago and never finished: abandoned.
    await stub.idempotencyBegin({ key: 'stale', fingerprint: 'fp', now: now - 16 * 60_000 })
    // Live.
    await stub.idempotencyBegin({ key: 'fresh', fingerprint: 'fp' })
    await stub.idempotencyComplete({ key: 'fresh', fingerprint: 'fp', status: 201, body: 'y' })
    // A bucket last used an hour ago is full again; one used now is not.
    await stub.admit({ keyId: 1, count: 1, limit: null, ratePerSec: 1, burst: 5, now: now - HOUR })
    await stub.admit({ keyId: 2, count: 1, limit: null, ratePerSec: 1, burst: 5 })
    expect(await countRows(stub, 'idempotency')).toBe(3)
    expect(await countRows(stub, 'rate_buckets')).toBe(2)

    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await countRows(stub, 'idempotency')).toBe(1)
    expect(await countRows(stub, 'rate_buckets')).toBe(1)
    expect(await stub.idempotencyBegin({ key: 'fresh', fingerprint: 'fp' })).toEqual({ state: 'replay', status: 201, body: 'y' })
    // Still one record left, so the sweep is scheduled again.
    const next = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())
    expect(next).not.toBeNull()
  })

  it('schedules no alarm once nothing is left to purge', async () => {
    const stub = company()
    const longAgo = Date.now() - 25 * HOUR
    await stub.idempotencyBegin({ key: 'k', fingerprint: 'fp', now: longAgo })
    await stub.idempotencyComplete({ key: 'k', fingerprint: 'fp', status: 200, body: 'x', now: longAgo })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await countRows(stub, 'idempotency')).toBe(0)
    expect(await runDurableObjectAlarm(stub)).toBe(false)
  })

  it('keeps a year of monthly usage and drops older months', async () => {
    const stub = company()
    const now = Date.now()
    const longAgo = now - 400 * 24 * HOUR
    await stub.admit({ keyId: 1, count: 3, limit: null, ...NO_RATE_LIMIT, now: longAgo })
    await stub.admit({ keyId: 1, count: 2, limit: null, ...NO_RATE_LIMIT, now })
    expect(await countRows(stub, 'quota_usage')).toBe(2)
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await countRows(stub, 'quota_usage')).toBe(1)
    expect((await stub.quota({ limit: null })).used).toBe(2)
  })
})
