// Per-isolate cache of API key lookups, so a hot key costs no D1 query. Entries live for
// AUTH_CACHE_TTL_MS (a worker setting): a revocation, expiry change or company deactivation made
// in another isolate is seen within that time; one made in this isolate is seen at once.
// Prefixes that match no key are remembered too, but apart, with a bound of their own: a flood
// of made-up keys can never push a real key out of the cache.
import { eq } from 'drizzle-orm'
import { database } from '../db/client'
import { apiKeys, companies, grantedScopes, type ApiKeyScope, type ServiceType } from '../db/schema'

export interface KeyRecord {
  keyId: number
  keyHash: string
  usable: boolean
  expiresAt: number | null
  serviceType: ServiceType
  scopes: readonly ApiKeyScope[]
  deviceIds: readonly number[] | null
  company: { id: number; name: string; monthlyQuota: number | null; isActive: boolean }
}

/** Keys found in D1, by prefix. */
export const MAX_KNOWN_KEYS = 10_000
/** Prefixes D1 has no key for. */
export const MAX_UNKNOWN_PREFIXES = 10_000

const known = new Map<string, { record: KeyRecord; expiresAt: number }>()
const unknown = new Map<string, number>()
/** Lookups under way: concurrent requests for one prefix share one query. */
const loading = new Map<string, Promise<KeyRecord | null>>()

async function loadKey(d1: D1Database, prefix: string): Promise<KeyRecord | null> {
  const row = await database(d1)
    .select({ key: apiKeys, company: companies })
    .from(apiKeys)
    .innerJoin(companies, eq(apiKeys.companyId, companies.id))
    .where(eq(apiKeys.prefix, prefix))
    .get()
  if (!row) return null
  const { key, company } = row
  return {
    keyId: key.id,
    keyHash: key.keyHash,
    usable: key.isActive && key.revokedAt === null,
    expiresAt: key.expiresAt?.getTime() ?? null,
    serviceType: key.serviceType,
    scopes: grantedScopes(key.scopes),
    deviceIds: key.deviceIds,
    company: { id: company.id, name: company.name, monthlyQuota: company.monthlyQuota, isActive: company.isActive },
  }
}

/** Inserts `key` as the newest entry, dropping the oldest beyond `max`. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > max) map.delete(map.keys().next().value as string)
}

/** The cached key of `prefix`, when a fresh one is known: no D1 query and nothing to count. */
export function cachedKey(prefix: string, now = Date.now()): KeyRecord | undefined {
  const entry = known.get(prefix)
  return entry && entry.expiresAt > now ? entry.record : undefined
}

/** The key behind `prefix`, from this isolate's cache when fresh. */
export function lookupKey(d1: D1Database, prefix: string, ttlMs: number, now = Date.now()): Promise<KeyRecord | null> {
  const hit = cachedKey(prefix, now)
  if (hit) return Promise.resolve(hit)
  if ((unknown.get(prefix) ?? 0) > now) return Promise.resolve(null)
  const pending = loading.get(prefix)
  if (pending) return pending
  const record = loadKey(d1, prefix).then((found) => {
    // A failed query is not remembered: the next request asks again.
    if (found) remember(known, prefix, { record: found, expiresAt: now + ttlMs }, MAX_KNOWN_KEYS)
    else remember(unknown, prefix, now + ttlMs, MAX_UNKNOWN_PREFIXES)
    return found
  })
  loading.set(prefix, record)
  void record.finally(() => loading.delete(prefix)).catch(() => undefined)
  return record
}

/** Drops every cached lookup: called after admin changes to keys or companies in this isolate. */
export function forgetCachedKeys(): void {
  known.clear()
  unknown.clear()
}
