import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../lib/app-env'
import { prefixOf, sha256Hex, timingSafeEqualStrings } from '../lib/crypto'
import { ApiError, rateLimited } from '../lib/errors'
import { settingsOf } from '../lib/settings'
import { cachedKey, lookupKey } from './api-key-cache'
import { clientAddress, lookupWaitMs, spendFailedLookup } from './lookup-budget'
import { API_KEY_KIND } from './secret-kinds'
import { noteKeyUse } from './key-usage'

/**
 * `X-API-Key` for one service. The order of checks is the design's: a key that is not a live
 * key of ours is `invalid_api_key`; then expiry, then the company, then the service.
 */
export const apiKeyAuth = (service: 'whatsapp') =>
  createMiddleware<AppEnv>(async (c, next) => {
    const presented = c.req.header('X-API-Key')?.trim() ?? ''
    const prefix = prefixOf(API_KEY_KIND, presented)
    if (!prefix) throw new ApiError('invalid_api_key', 'Missing or invalid API key')

    const address = clientAddress(c.req.header('CF-Connecting-IP'))
    const waitMs = cachedKey(prefix) ? 0 : lookupWaitMs(address)
    if (waitMs > 0) throw rateLimited('Too many requests with API keys that are not valid, from this address; slow down', waitMs)
    const [record, presentedHash] = await Promise.all([lookupKey(c.env.DB, prefix, settingsOf(c.env).authCacheTtlMs), sha256Hex(presented)])
    if (!record || !timingSafeEqualStrings(presentedHash, record.keyHash) || !record.usable) {
      spendFailedLookup(address)
      throw new ApiError('invalid_api_key', 'Missing or invalid API key')
    }
    if (record.expiresAt !== null && record.expiresAt <= Date.now()) {
      throw new ApiError('key_expired', 'This API key has expired')
    }
    if (!record.company.isActive) throw new ApiError('company_inactive', 'This company is inactive')
    if (record.serviceType !== service) {
      throw new ApiError('service_type_mismatch', `This API key is for the ${record.serviceType} service`)
    }
    c.set('caller', {
      company: record.company,
      apiKey: {
        id: record.keyId,
        serviceType: record.serviceType,
        scopes: record.scopes,
        deviceIds: record.deviceIds,
        expiresAt: record.expiresAt,
      },
    })
    noteKeyUse(c, record.keyId)
    await next()
  })
