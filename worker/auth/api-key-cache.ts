// Per-isolate cache of API key lookups, so a hot key costs no D1 query. Entries live for
// AUTH_CACHE_TTL_MS (5 s by default): a revocation, expiry change or company deactivation made
// in another isolate is seen within that time; one made in this isolate is seen at once.
import { eq } from 'drizzle-orm'
import { database } from '../db/client'
import { apiKeys, companies, type ServiceType } from '../db/schema'

export interface KeyRecord {
  keyId: number
  keyHash: string
  usable: boolean
  expiresAt: number | null
  serviceType: ServiceType
  company: { id: number; name: string; monthlyQuota: number | null; isActive: boolean }
}

interface Entry {
  record: Promise<KeyRecord | null>
  expiresAt: number
}

const MAX_ENTRIES = 10_000
const entries = new Map<string, Entry>()

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
    company: { id: company.id, name: company.name, monthlyQuota: company.monthlyQuota, isActive: company.isActive },
  }
}

/** The key behind `prefix`, from this isolate's cache when fresh. Unknown prefixes are cached too. */
export function lookupKey(d1: D1Database, prefix: string, ttlMs: number, now = Date.now()): Promise<KeyRecord | null> {
  const cached = entries.get(prefix)
  if (cached && cached.expiresAt > now) return cached.record
  const record = loadKey(d1, prefix)
  // Concurrent requests for the same key share one query; a failed query is not remembered.
  record.catch(() => entries.delete(prefix))
  entries.delete(prefix)
  entries.set(prefix, { record, expiresAt: now + ttlMs })
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string)
  return record
}

/** Drops every cached lookup: called after admin changes to keys or companies in this isolate. */
export function forgetCachedKeys(): void {
  entries.clear()
}
