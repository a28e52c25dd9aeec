// Quota and rate limit for one send request, decided atomically by the company's CompanyDO.
import type { Caller } from '../lib/app-env'
import { companyOf } from '../durable-objects/stubs'
import { ApiError, rateLimited, retryAfterHeader } from '../lib/errors'
import { settingsOf } from '../lib/settings'
import type { QuotaView } from '../durable-objects/company/company-do'

/** Reserves `count` messages for the caller, or throws `rate_limited` / `quota_exceeded` (429, Retry-After). */
export async function admit(env: Env, caller: Caller, count: number): Promise<QuotaView> {
  const admission = await companyOf(env, caller.company.id).admit({
    keyId: caller.apiKey.id,
    count,
    limit: caller.company.monthlyQuota,
    ratePerSec: settingsOf(env).rateLimit.perSec,
    burst: settingsOf(env).rateLimit.burst,
  })
  if (admission.ok) return admission.quota
  if (admission.reason === 'rate_limited') {
    throw rateLimited('Too many send requests for this API key; slow down', admission.retryAfterMs)
  }
  throw new ApiError(
    'quota_exceeded',
    `Monthly quota exhausted: ${count} requested, ${admission.quota.remaining ?? 0} left until ${admission.quota.resets_at}`,
    { quota: admission.quota, requested: count },
    retryAfterHeader(admission.retryAfterMs),
  )
}
