// `last_used_at` of API keys, kept off the hot path: written after the response (waitUntil), at
// most once a minute per key. This isolate remembers when it last wrote a key, and the UPDATE
// itself only changes a row older than a minute, so many isolates together still write a key's
// row once a minute at most.
import { and, eq, isNull, lt, or } from 'drizzle-orm'
import type { Context } from 'hono'
import { database } from '../db/client'
import { apiKeys } from '../db/schema'
import type { AppEnv } from '../lib/app-env'

export const KEY_USE_WRITE_INTERVAL_MS = 60_000
const MAX_REMEMBERED = 10_000
const lastWritten = new Map<number, number>()

export function noteKeyUse(c: Context<AppEnv>, keyId: number, now = Date.now()): void {
  const last = lastWritten.get(keyId)
  if (last !== undefined && now - last < KEY_USE_WRITE_INTERVAL_MS) return
  lastWritten.delete(keyId)
  lastWritten.set(keyId, now)
  if (lastWritten.size > MAX_REMEMBERED) lastWritten.delete(lastWritten.keys().next().value as number)
  const stale = new Date(now - KEY_USE_WRITE_INTERVAL_MS)
  const write = database(c.env.DB)
    .update(apiKeys)
    .set({ lastUsedAt: new Date(now) })
    .where(and(eq(apiKeys.id, keyId), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, stale))))
    .run()
    .catch((error: unknown) => console.error(JSON.stringify({ msg: 'last_used_at write failed', keyId, error: String(error) })))
  c.executionCtx.waitUntil(write)
}

/** For tests: forget what this isolate wrote. */
export function forgetKeyUses(): void {
  lastWritten.clear()
}
