// CompanyDO's idempotency records and the sweep that keeps its storage bounded.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { IdempotencyStore } from '../../worker/durable-objects/company/idempotency'
import { companyOf } from '../../worker/durable-objects/stubs'
import { freshId } from './helpers'

/** A fresh company per test: each instance has its own storage. */
const company = () => companyOf(env, freshId())

const MID_NOVEMBER = Date.UTC(2026, 10, 15, 12, 0, 0)
const HOUR = 60 * 60 * 1000
/** Generous enough that the rate limit never gets in the way of a quota test. */
const NO_RATE_LIMIT = { ratePerSec: 1000, burst: 1000 }

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

describe('bounded idempotency records', () => {
  it('keeps at most the newest completed records, and never drops one still in progress', async () => {
    await runInDurableObject(company(), (_instance, state) => {
      const store = new IdempotencyStore(state.storage, 3)
      store.begin('running', 'f', MID_NOVEMBER)
      for (let i = 0; i < 6; i++) {
        store.begin(`done-${i}`, 'f', MID_NOVEMBER + i)
        store.complete(`done-${i}`, 'f', 200, '{}', MID_NOVEMBER + i)
      }
      expect(store.trim()).toBe(3)
      expect(store.begin('running', 'f', MID_NOVEMBER + 10)).toEqual({ state: 'in_progress' })
      for (const i of [3, 4, 5]) expect(store.begin(`done-${i}`, 'f', MID_NOVEMBER + 10)).toMatchObject({ state: 'replay' })
      for (const i of [0, 1, 2]) expect(store.begin(`done-${i}`, 'f', MID_NOVEMBER + 10)).toEqual({ state: 'new' })
    })
  })
})
