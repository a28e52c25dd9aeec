import { eq } from 'drizzle-orm'
import { forgetCachedKeys } from '../../../auth/api-key-cache'
import { database, type Db } from '../../../db/client'
import { companyApiKeys, insertApiKey, revokeApiKey as revokeKeyRow } from '../../../db/api-keys'
import { API_KEY_SCOPES, apiKeys } from '../../../db/schema'
import { assertOwnDevices } from '../../../db/devices'
import type { AppRouteHandler } from '../../../lib/app-env'
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
  await assertOwnDevices(db, companyId, body.device_ids, 'device_ids')
  const { key, plaintext } = await insertApiKey(db, {
    companyId,
    name: body.name,
    serviceType: body.service_type,
    expiresAt: toDate(body.expires_at),
    scopes: body.scopes ? API_KEY_SCOPES.filter((scope) => body.scopes!.includes(scope)) : null,
    deviceIds: body.device_ids ?? null,
    createdByKeyId: null,
  })
  return c.json(ok({ ...toApiKeyJson(key), key: plaintext }), 201)
}

export const list: AppRouteHandler<typeof listApiKeys> = async (c) => {
  const { id: companyId } = c.req.valid('param')
  const db = database(c.env.DB)
  await findCompany(db, companyId)
  const rows = await companyApiKeys(db, companyId)
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
  return c.json(ok(toApiKeyJson((await revokeKeyRow(db, id)) ?? (await findApiKey(db, id)))), 200)
}
