// Number checks: asked of WhatsApp by one of the company's devices, before a client queues
// messages to numbers that cannot receive them. Invalid numbers are named like bulk items; the
// check is paced per API key apart from sends, and costs no quota.
import { database } from '../../db/client'
import { scopeOf, sendingDevice } from '../../db/devices'
import { companyOf, deviceOf } from '../../durable-objects/stubs'
import { createRouter } from '../../lib/create-router'
import { ok } from '../../lib/envelope'
import { ApiError, rateLimited, type FieldIssue } from '../../lib/errors'
import { parseInternationalNumber } from '../../lib/phone'
import { settingsOf } from '../../lib/settings'
import * as routes from './contacts.routes'

export const contactsRouter = createRouter().openapi(routes.checkNumbers, async (c) => {
  const body = c.req.valid('json')
  const caller = c.get('caller')
  const parsed = body.phone_numbers.map((raw) => parseInternationalNumber(raw))
  const issues: Array<FieldIssue & { index: number; code: string }> = parsed.flatMap((number, index) =>
    number
      ? []
      : [{ index, field: `phone_numbers.${index}`, code: 'invalid_phone_number', message: 'not a valid international phone number' }],
  )
  if (issues.length > 0) throw new ApiError('invalid_phone_number', `phone_numbers[${issues[0]!.index}]: ${issues[0]!.message}`, issues)
  const device = await sendingDevice(database(c.env.DB), scopeOf(caller), body.device_id ?? undefined)
  const { rateLimit } = settingsOf(c.env)
  const decision = await companyOf(c.env, caller.company.id).admitLookup({
    keyId: caller.apiKey.id,
    ratePerSec: rateLimit.perSec,
    burst: rateLimit.burst,
  })
  if (!decision.ok) throw rateLimited('Too many number checks for this API key; slow down', decision.retryAfterMs)
  const numbers = parsed.map((number) => number!)
  const digits = [...new Set(numbers.map((n) => n.digits))]
  const answer = await deviceOf(c.env, device.id).checkNumbers(digits)
  if (!answer.ok) throw new ApiError('device_not_ready', `The device cannot ask WhatsApp now: ${answer.message}`)
  const jids = new Map(answer.registered.map((r) => [r.digits, r.jid]))
  return c.json(
    ok(numbers.map((n) => ({ phone_number: n.e164, on_whatsapp: jids.has(n.digits), chat_id: jids.get(n.digits) ?? null }))),
    200,
  )
})
