import { createMiddleware } from 'hono/factory'
import type { AppEnv, Caller } from '../lib/app-env'
import { prefixOf, sha256Hex, timingSafeEqualStrings } from '../lib/crypto'
import { ApiError, rateLimited } from '../lib/errors'
import { settingsOf } from '../lib/settings'
import { cachedKey, lookupKey, type KeyRecord } from './api-key-cache'
import { clientAddress, lookupWaitMs, spendFailedLookup } from './lookup-budget'
import { API_KEY_KIND } from './secret-kinds'
import { noteKeyUse } from './key-usage'
import { internalCallerOf } from './internal-callers'

/**
 * Who a presented key is, for one service. The order of checks is the design's: a key that is
 * not a live key of ours is `invalid_api_key`; then expiry, then the company, then the service.
 * Used by the API (X-API-Key) and by the dashboard's sign-in form.
 */
export async function verifyApiKey(env: Env, presented: string, address: string, service: 'whatsapp'): Promise<Caller> {
  const prefix = prefixOf(API_KEY_KIND, presented)
  if (!prefix) throw new ApiError('invalid_api_key', 'Missing or invalid API key')
  const waitMs = cachedKey(prefix) ? 0 : lookupWaitMs(address)
  if (waitMs > 0) throw rateLimited('Too many requests with API keys that are not valid, from this address; slow down', waitMs)
  const [record, presentedHash] = await Promise.all([lookupKey(env.DB, prefix, settingsOf(env).authCacheTtlMs), sha256Hex(presented)])
  if (!record || !timingSafeEqualStrings(presentedHash, record.keyHash) || !record.usable) {
    spendFailedLookup(address)
    throw new ApiError('invalid_api_key', 'Missing or invalid API key')
  }
  return callerOfKey(record, service)
}

/** The caller a stored key makes, once its secret was checked (or for a session the key opened). */
export function callerOfKey(record: KeyRecord, service: 'whatsapp'): Caller {
  if (record.expiresAt !== null && record.expiresAt <= Date.now()) throw new ApiError('key_expired', 'This API key has expired')
  if (!record.company.isActive) throw new ApiError('company_inactive', 'This company is inactive')
  if (record.serviceType !== service) throw new ApiError('service_type_mismatch', `This API key is for the ${record.serviceType} service`)
  return {
    company: record.company,
    apiKey: {
      id: record.keyId,
      serviceType: record.serviceType,
      scopes: record.scopes,
      deviceIds: record.deviceIds,
      expiresAt: record.expiresAt,
    },
  }
}

/** `X-API-Key` for one service. */
export const apiKeyAuth = (service: 'whatsapp') =>
  createMiddleware<AppEnv>(async (c, next) => {
    // A signed-in dashboard user: the dashboard resolved (and checks) the caller itself.
    const internal = internalCallerOf(c.req.raw)
    if (internal && internal !== 'admin') {
      c.set('caller', internal)
      return next()
    }
    const presented = c.req.header('X-API-Key')?.trim() ?? ''
    const caller = await verifyApiKey(c.env, presented, clientAddress(c.req.header('CF-Connecting-IP')), service)
    c.set('caller', caller)
    noteKeyUse(c, caller.apiKey.id)
    await next()
  })
