// The worker's settings, parsed once from its vars (wrangler.toml `[vars]`, `.dev.vars`, the
// dashboard). A mistyped value fails loudly at first use, naming the variable, rather than
// silently falling back to a default nobody chose: the request that hit it answers
// `internal_error` and the log line says which variable to fix.
import { z } from 'zod'
import { FLEET_FAILOVER_GRACE_DEFAULT_MS } from '../../protocol/timing'

export interface Settings {
  /** AUTH_CACHE_TTL_MS: how long one isolate trusts an API key lookup before asking D1 again. */
  authCacheTtlMs: number
  /** FLEET_FAILOVER_GRACE_MS: how long a lost session node keeps its devices before they move. */
  failoverGraceMs: number
  /** RATE_LIMIT_PER_SEC and RATE_LIMIT_BURST: send requests per second per API key, and the burst allowed. */
  rateLimit: { perSec: number; burst: number }
  /** DEVICE_CREATIONS_PER_MINUTE: devices one company may create a minute, and in a burst. */
  deviceCreationsPerMinute: number
  /** MESSAGE_RETENTION_DAYS: how long a message is kept after it was accepted. */
  messageRetentionMs: number
  /** WEBHOOK_ALLOW_PRIVATE=1: webhook URLs may be http:// and point at loopback or private addresses (development only). */
  webhookAllowPrivate: boolean
}

export const SETTING_DEFAULTS = {
  AUTH_CACHE_TTL_MS: 5_000,
  FLEET_FAILOVER_GRACE_MS: FLEET_FAILOVER_GRACE_DEFAULT_MS,
  RATE_LIMIT_PER_SEC: 20,
  RATE_LIMIT_BURST: 40,
  DEVICE_CREATIONS_PER_MINUTE: 10,
  MESSAGE_RETENTION_DAYS: 30,
  WEBHOOK_ALLOW_PRIVATE: '0',
} as const

const milliseconds = z.coerce.number({ error: 'must be a whole number of milliseconds' }).int('must be a whole number of milliseconds')
const wholeNumber = (what: string) => z.coerce.number({ error: `must be a whole number${what}` }).int(`must be a whole number${what}`)

const VarsSchema = z.object({
  AUTH_CACHE_TTL_MS: milliseconds.min(0, 'must be 0 or more').max(300_000, 'must be at most 300000 (5 min)'),
  FLEET_FAILOVER_GRACE_MS: milliseconds.min(0, 'must be 0 or more').max(3_600_000, 'must be at most 3600000 (1 h)'),
  RATE_LIMIT_PER_SEC: z.coerce.number({ error: 'must be a number' }).positive('must be more than 0'),
  RATE_LIMIT_BURST: wholeNumber('').min(1, 'must be at least 1'),
  DEVICE_CREATIONS_PER_MINUTE: wholeNumber('').min(1, 'must be at least 1'),
  MESSAGE_RETENTION_DAYS: wholeNumber(' of days').min(1, 'must be at least 1').max(3650, 'must be at most 3650'),
  WEBHOOK_ALLOW_PRIVATE: z.enum(['0', '1'], { error: 'must be 0 or 1' }),
})

export class SettingsError extends Error {
  override name = 'SettingsError'
}

/** Parses the vars; throws a SettingsError naming every variable that is wrong (never its value). */
export function parseSettings(vars: Partial<Record<keyof typeof SETTING_DEFAULTS, string>>): Settings {
  // An empty or missing variable takes its default, as in most .env tooling.
  const present = Object.fromEntries(Object.entries(vars).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = VarsSchema.safeParse({ ...SETTING_DEFAULTS, ...present })
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)
    throw new SettingsError(`invalid worker settings: ${problems.join('; ')}`)
  }
  const v = parsed.data
  return {
    authCacheTtlMs: v.AUTH_CACHE_TTL_MS,
    failoverGraceMs: v.FLEET_FAILOVER_GRACE_MS,
    rateLimit: { perSec: v.RATE_LIMIT_PER_SEC, burst: v.RATE_LIMIT_BURST },
    deviceCreationsPerMinute: v.DEVICE_CREATIONS_PER_MINUTE,
    messageRetentionMs: v.MESSAGE_RETENTION_DAYS * 24 * 60 * 60 * 1000,
    webhookAllowPrivate: v.WEBHOOK_ALLOW_PRIVATE === '1',
  }
}

const parsedFor = new WeakMap<object, Settings>()

/** The settings of this `env`, parsed on first use and kept for as long as the env object lives. */
export function settingsOf(env: Env): Settings {
  let settings = parsedFor.get(env)
  if (!settings) {
    const names = Object.keys(SETTING_DEFAULTS) as Array<keyof typeof SETTING_DEFAULTS>
    settings = parseSettings(Object.fromEntries(names.map((name) => [name, env[name]])))
    parsedFor.set(env, settings)
  }
  return settings
}
