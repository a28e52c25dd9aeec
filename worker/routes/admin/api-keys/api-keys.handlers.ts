import { and, asc, eq, isNull } from 'drizzle-orm'
import { API_KEY_KIND } from '../../../auth/secret-kinds'
import { forgetCachedKeys } from '../../../auth/api-key-cache'
import { database, type Db } from '../../../db/client'
import { apiKeys } from '../../../db/schema'
import type { AppRouteHandler } from '../../../lib/app-env'
import { issueSecret } from '../../../lib/crypto'
import { ok } from '../../../lib/envelope'
import { ApiError } from '../../../lib/errors'
import { findCompany } from '../companies/companies.handlers'
import type { createApiKey, listApiKeys, revokeApiKey, updateApiKey } from './api-keys.routes'
import { toApiKeyJson } from './api-keys.schemas'

async function findApiKey(db: Db, id: number) {
  const key = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).get()
  if (!key) throw new ApiError('api_key_not_found', 'API key not found')
  return key
}

const toDate = (value: string | null | undefined) => (value ? new Date(value) : null)

export const create: AppRouteHandler<typeof createApiKey> = async (c) => {
  const { id: companyId } = c.req.valid('param')
  const body = c.req.valid('json')
  const db = database(c.env.DB)
  await findCompany(db, companyId)
  const secret = await issueSecret(API_KEY_KIND)
  const now = new Date()
  const key = await db
    .insert(apiKeys)
    .values({
      companyId,
      name: body.name,
      serviceType: body.service_type,
      prefix: secret.prefix,
      keyHash: secret.hash,
      expiresAt: toDate(body.expires_at),
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get()
  return c.json(ok({ ...toApiKeyJson(key), key: secret.plaintext }), 201)
}

export const list: AppRouteHandler<typeof listApiKeys> = async (c) => {
  const { id: companyId } = c.req.valid('param')
  const db = database(c.env.DB)
  await findCompany(db, companyId)
  const rows = await db.select().from(apiKeys).where(eq(apiKeys.companyId, companyId)).orderBy(asc(apiKeys.id))
  return c.json(ok(rows.map(toApiKeyJson)), 200)
}

export const update: AppRouteHandler<typeof updateApiKey> = async (c) => {
  const { id } = c.req.valid('param')
  const body = c.req.valid('json')
  const db = database(c.env.DB)
  const existing = await findApiKey(db, id)
  if (existing.revokedAt && body.is_active) {
    throw new ApiError('validation_error', 'A revoked key cannot be reactivated', [{ field: 'is_active', message: 'the key is revoked' }])
  }
  const key = await db
    .update(apiKeys)
    .set({
      ...(body.is_active !== undefined && { isActive: body.is_active }),
      ...(body.expires_at !== undefined && { expiresAt: toDate(body.expires_at) }),
      updatedAt: new Date(),
    })
    .where(eq(apiKeys.id, id))
    .returning()
    .get()
  forgetCachedKeys()
  return c.json(ok(toApiKeyJson(key)), 200)
}

export const revoke: AppRouteHandler<typeof revokeApiKey> = async (c) => {
  const { id } = c.req.valid('param')
  const db = database(c.env.DB)
  await findApiKey(db, id)
  const now = new Date()
  // Revoking twice keeps the first revocation time.
  await db
    .update(apiKeys)
    .set({ isActive: false, revokedAt: now, updatedAt: now })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
  forgetCachedKeys()
  return c.json(ok(toApiKeyJson(await findApiKey(db, id))), 200)
}
