// The worker's vars are parsed once, with a clear failure naming the variable: a mistyped rate
// limit must not silently become the default.
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { parseSettings, SETTING_DEFAULTS, settingsOf } from '../../worker/lib/settings'

describe('worker settings', () => {
  it('takes the defaults for missing or empty variables', () => {
    expect(parseSettings({})).toEqual({
      authCacheTtlMs: SETTING_DEFAULTS.AUTH_CACHE_TTL_MS,
      failoverGraceMs: SETTING_DEFAULTS.FLEET_FAILOVER_GRACE_MS,
      rateLimit: { perSec: SETTING_DEFAULTS.RATE_LIMIT_PER_SEC, burst: SETTING_DEFAULTS.RATE_LIMIT_BURST },
      deviceCreationsPerMinute: SETTING_DEFAULTS.DEVICE_CREATIONS_PER_MINUTE,
      messageRetentionMs: SETTING_DEFAULTS.MESSAGE_RETENTION_DAYS * 24 * 60 * 60 * 1000,
      webhookAllowPrivate: false,
    })
    expect(parseSettings({ RATE_LIMIT_BURST: '' }).rateLimit.burst).toBe(SETTING_DEFAULTS.RATE_LIMIT_BURST)
  })

  it('reads what is set, as numbers', () => {
    expect(parseSettings({ RATE_LIMIT_PER_SEC: '0.5', RATE_LIMIT_BURST: '3', AUTH_CACHE_TTL_MS: '0' })).toMatchObject({
      authCacheTtlMs: 0,
      rateLimit: { perSec: 0.5, burst: 3 },
    })
  })

  it('fails naming each mistyped variable, never quoting its value', () => {
    const attempt = () => parseSettings({ RATE_LIMIT_PER_SEC: 'fast', FLEET_FAILOVER_GRACE_MS: '-5', AUTH_CACHE_TTL_MS: '1.5' })
    expect(attempt).toThrow(/RATE_LIMIT_PER_SEC must be a number/)
    expect(attempt).toThrow(/FLEET_FAILOVER_GRACE_MS must be 0 or more/)
    expect(attempt).toThrow(/AUTH_CACHE_TTL_MS must be a whole number of milliseconds/)
    expect(attempt).not.toThrow(/fast/)
    expect(() => parseSettings({ RATE_LIMIT_BURST: '0' })).toThrow(/RATE_LIMIT_BURST must be at least 1/)
  })

  it('is what the test worker runs with (its vars from vitest.config.ts)', () => {
    expect(settingsOf(env)).toMatchObject({ authCacheTtlMs: 300, failoverGraceMs: 300 })
  })
})
