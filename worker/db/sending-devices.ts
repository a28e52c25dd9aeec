// Per-isolate cache of the device a send goes through (the one named, or the company default),
// so a hot send costs no D1 query. It only answers "which device, and is it the company's":
// DeviceDO decides whether that device may send now (paused, deleted, company inactive), so a
// stale entry can never send from a paused or deleted device. Entries live for AUTH_CACHE_TTL_MS
// like API keys; a change made in this isolate is seen at once, one made in another isolate
// within that time (a new default device, in particular: docs/decisions.md).
import type { Device } from './schema'

/** Companies' entries, bounded: the oldest company is dropped first. */
export const MAX_CACHED_COMPANIES = 10_000

const byCompany = new Map<number, Map<string, { device: Device; expiresAt: number }>>()

const slot = (deviceId: number | undefined) => (deviceId === undefined ? 'default' : String(deviceId))

export function cachedSendingDevice(companyId: number, deviceId: number | undefined, now = Date.now()): Device | undefined {
  const entry = byCompany.get(companyId)?.get(slot(deviceId))
  return entry && entry.expiresAt > now ? entry.device : undefined
}

export function rememberSendingDevice(companyId: number, deviceId: number | undefined, device: Device, ttlMs: number, now = Date.now()) {
  if (ttlMs <= 0) return
  const entries = byCompany.get(companyId) ?? new Map()
  byCompany.delete(companyId)
  byCompany.set(companyId, entries)
  entries.set(slot(deviceId), { device, expiresAt: now + ttlMs })
  if (byCompany.size > MAX_CACHED_COMPANIES) byCompany.delete(byCompany.keys().next().value as number)
}

/** After any change to a company's devices in this isolate. */
export function forgetSendingDevices(companyId: number): void {
  byCompany.delete(companyId)
}
