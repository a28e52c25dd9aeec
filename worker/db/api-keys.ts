// API key rows: issuing (the plaintext leaves once, only its hash is kept) and revoking. Used by
// the admin API and by a company's own keys:manage keys; both drop this isolate's cached lookups.
import { and, asc, eq, isNull } from 'drizzle-orm'
import { forgetCachedKeys } from '../auth/api-key-cache'
import { API_KEY_KIND } from '../auth/secret-kinds'
import { issueSecret } from '../lib/crypto'
import type { Db } from './client'
import { apiKeys, type ApiKey, type ApiKeyScope, type ServiceType } from './schema'

export interface NewApiKey {
  companyId: number
  name: string
  serviceType: ServiceType
  expiresAt: Date | null
  scopes: ApiKeyScope[] | null
  deviceIds: number[] | null
  createdByKeyId: number | null
}

/** Stores a new key; its plaintext is in the answer and nowhere else. */
export async function insertApiKey(db: Db, fields: NewApiKey): Promise<{ key: ApiKey; plaintext: string }> {
  const secret = await issueSecret(API_KEY_KIND)
  const now = new Date()
  const key = await db
    .insert(apiKeys)
    .values({ ...fields, prefix: secret.prefix, keyHash: secret.hash, createdAt: now, updatedAt: now })
    .returning()
    .get()
  return { key, plaintext: secret.plaintext }
}

export const companyApiKeys = (db: Db, companyId: number) =>
  db.select().from(apiKeys).where(eq(apiKeys.companyId, companyId)).orderBy(asc(apiKeys.id))

/** Revokes a key (revoking twice keeps the first time); the row as it is now. */
export async function revokeApiKey(db: Db, id: number): Promise<ApiKey | undefined> {
  const now = new Date()
  await db
    .update(apiKeys)
    .set({ isActive: false, revokedAt: now, updatedAt: now })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
  forgetCachedKeys()
  return db.select().from(apiKeys).where(eq(apiKeys.id, id)).get()
}
