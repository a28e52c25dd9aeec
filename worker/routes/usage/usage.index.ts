// GET /usage: the counters each DeviceDO keeps per UTC day as its ledger changes, summed over the
// caller's devices (or one), every day of the range listed.
import { database } from '../../db/client'
import { findDevice, listDevices, scopeOf } from '../../db/devices'
import { deviceOf } from '../../durable-objects/stubs'
import { USAGE_METRICS, type UsageDay } from '../../durable-objects/device/ledger-counters'
import { createRouter } from '../../lib/create-router'
import { ok } from '../../lib/envelope'
import { ApiError } from '../../lib/errors'
import { utcDay } from '../../lib/time'
import * as routes from './usage.routes'
import { MAX_USAGE_DAYS } from './usage.schemas'

const DAY_MS = 86_400_000

export const usageRouter = createRouter().openapi(routes.getUsage, async (c) => {
  const query = c.req.valid('query')
  const to = query.to ?? utcDay(Date.now())
  const from = query.from ?? utcDay(Date.parse(to) - 29 * DAY_MS)
  const span = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1
  if (span < 1) throw new ApiError('validation_error', 'from is after to', [{ field: 'from', message: 'must be on or before to' }])
  if (span > MAX_USAGE_DAYS) {
    throw new ApiError('validation_error', `At most ${MAX_USAGE_DAYS} days per request`, [
      { field: 'from', message: 'the range is too long' },
    ])
  }
  const scope = scopeOf(c.get('caller'))
  const db = database(c.env.DB)
  const deviceIds =
    query.device_id !== undefined ? [(await findDevice(db, scope, query.device_id)).id] : (await listDevices(db, scope)).map((d) => d.id)
  const perDevice = await Promise.all(deviceIds.map((id): Promise<UsageDay[]> => deviceOf(c.env, id).usage(from, to)))
  const zero = () => ({ sent: 0, delivered: 0, read: 0, failed: 0, received: 0 })
  const days = Array.from({ length: span }, (_, i) => ({ date: utcDay(Date.parse(from) + i * DAY_MS), ...zero() }))
  const byDate = new Map(days.map((d) => [d.date, d]))
  const totals = zero()
  for (const entry of perDevice.flat()) {
    const target = byDate.get(entry.day)
    if (!target) continue
    for (const metric of USAGE_METRICS) {
      target[metric] += entry[metric]
      totals[metric] += entry[metric]
    }
  }
  return c.json(ok({ from, to, device_id: query.device_id ?? null, days, totals }), 200)
})
