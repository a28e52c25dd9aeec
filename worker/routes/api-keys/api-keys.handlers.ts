// A company's own keys, managed with a keys:manage key. The one rule: a key never gives more than
// it has. A new key's scopes, devices and lifetime are within the creating key's (by default,
// the same), and a key can only revoke keys that are no more powerful than itself.
import { and, eq } from 'drizzle-orm'
import { API_KEY_SCOPES, insufficientScope, grantedScopes } from '../../auth/scopes'
import { database } from '../../db/client'
import { companyApiKeys, insertApiKey, revokeApiKey } from '../../db/api-keys'
import { assertOwnDevices } from '../../db/devices'
import { apiKeys, type ApiKey } from '../../db/schema'
import type { AppRouteHandler, Caller } from '../../lib/app-env'
import { ok } from '../../lib/envelope'
import { ApiError } from '../../lib/errors'
import { toApiKeyJson } from '../admin/api-keys/api-keys.schemas'
import type * as routes from './api-keys.routes'

type Grant = Pick<Caller['apiKey'], 'scopes' | 'deviceIds' | 'expiresAt'>

/** What `wanted` has that `holder` lacks, as `details.required` names it (scopes, `device:<id>`, `expires_at`). */
function beyond(holder: Grant, wanted: Grant): string[] {
  const missing: string[] = wanted.scopes.filter((scope) => !holder.scopes.includes(scope))
  if (holder.deviceIds !== null) {
    if (wanted.deviceIds === null) missing.push('device:*')
    else missing.push(...wanted.deviceIds.filter((id) => !holder.deviceIds!.includes(id)).map((id) => `device:${id}`))
  }
  if (holder.expiresAt !== null && (wanted.expiresAt === null || wanted.expiresAt > holder.expiresAt)) missing.push('expires_at')
  return missing
}

const grantOf = (key: ApiKey): Grant => ({
  scopes: grantedScopes(key.scopes),
  deviceIds: key.deviceIds,
  expiresAt: key.expiresAt?.getTime() ?? null,
})

export const list: AppRouteHandler<typeof routes.listOwnApiKeys> = async (c) => {
  const rows = await companyApiKeys(database(c.env.DB), c.get('caller').company.id)
  return c.json(ok(rows.map(toApiKeyJson)), 200)
}

export const create: AppRouteHandler<typeof routes.createOwnApiKey> = async (c) => {
  const body = c.req.valid('json')
  const caller = c.get('caller')
  const db = database(c.env.DB)
  const wanted: Grant = {
    scopes: body.scopes ? [...new Set(body.scopes)] : caller.apiKey.scopes,
    deviceIds: body.device_ids ? [...new Set(body.device_ids)] : caller.apiKey.deviceIds,
    expiresAt: body.expires_at ? Date.parse(body.expires_at) : caller.apiKey.expiresAt,
  }
  const missing = beyond(caller.apiKey, wanted)
  if (missing.length > 0) throw insufficientScope(missing, `A key cannot give more than it has: ${missing.join(', ')}`)
  await assertOwnDevices(db, caller.company.id, wanted.deviceIds, 'device_ids')
  const { key, plaintext } = await insertApiKey(db, {
    companyId: caller.company.id,
    name: body.name,
    serviceType: 'whatsapp',
    expiresAt: wanted.expiresAt === null ? null : new Date(wanted.expiresAt),
    scopes: API_KEY_SCOPES.filter((scope) => wanted.scopes.includes(scope)),
    deviceIds: wanted.deviceIds === null ? null : [...wanted.deviceIds],
    createdByKeyId: caller.apiKey.id,
  })
  return c.json(ok({ ...toApiKeyJson(key), key: plaintext }), 201)
}

export const revoke: AppRouteHandler<typeof routes.revokeOwnApiKey> = async (c) => {
  const { id } = c.req.valid('param')
  const caller = c.get('caller')
  const db = database(c.env.DB)
  const target = await db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.id, id), eq(apiKeys.companyId, caller.company.id)))
    .get()
  if (!target) throw new ApiError('api_key_not_found', 'API key not found')
  // Its own key a caller may always revoke; any other only if it is no more powerful.
  const missing = target.id === caller.apiKey.id ? [] : beyond(caller.apiKey, grantOf(target)).filter((m) => m !== 'expires_at')
  if (missing.length > 0) throw insufficientScope(missing, `This key cannot revoke a more powerful one: ${missing.join(', ')}`)
  return c.json(ok(toApiKeyJson((await revokeApiKey(db, id)) ?? target)), 200)
}
