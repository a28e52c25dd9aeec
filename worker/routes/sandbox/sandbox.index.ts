// The sandbox's voice: on a device run by a simulator node, a simulated contact does what a
// real one would (write, send a file, reply, react, edit, delete), so the two-way flow is
// testable without WhatsApp. Any other device answers a validation_error naming the reason.
import { database } from '../../db/client'
import { findDevice, scopeOf } from '../../db/devices'
import { deviceOf } from '../../durable-objects/stubs'
import { createRouter } from '../../lib/create-router'
import { ok } from '../../lib/envelope'
import { ApiError } from '../../lib/errors'
import { parseInternationalNumber } from '../../lib/phone'
import { deviceIdOf } from '../../messaging/ids'
import { waIdOfOwnMessage } from '../../messaging/reply-targets'
import * as routes from './sandbox.routes'

export const sandboxRouter = createRouter().openapi(routes.simulateInbound, async (c) => {
  const body = c.req.valid('json')
  const { id } = c.req.valid('param')
  await findDevice(database(c.env.DB), scopeOf(c.get('caller')), id)
  const from = parseInternationalNumber(body.from)
  if (!from)
    throw new ApiError('invalid_phone_number', 'from must be a valid international phone number', [
      { field: 'from', message: 'E.164, e.g. +22370111111' },
    ])
  let target = body.reply_to ?? null
  if (target !== null && deviceIdOf('msg', target) === id) {
    // One of our message ids: the simulated contact refers to it by its WhatsApp id.
    target = await waIdOfOwnMessage(c.env, id, target)
    if (target === null)
      throw new ApiError('validation_error', 'Invalid reply_to', [{ field: 'reply_to', message: 'no such message on this device' }])
  }
  const outcome = await deviceOf(c.env, id).simulate({
    from: from.digits,
    text: body.text ?? null,
    media_url: body.media_url ?? null,
    group_id: body.group_id ?? null,
    reply_to: target,
    kind: body.kind,
    emoji: body.emoji ?? null,
  })
  if (outcome.ok) return c.json(ok({ wa_message_id: outcome.waMessageId }), 202)
  if (outcome.code === 'not_simulator') {
    throw new ApiError('validation_error', 'This device is not run by a simulator node', [
      { field: 'id', message: 'the sandbox needs a session node with WA_ENGINE=simulator' },
    ])
  }
  if (outcome.code === 'invalid_action')
    throw new ApiError('validation_error', outcome.message, [{ field: 'kind', message: outcome.message }])
  throw new ApiError('device_not_ready', `The device cannot take it now: ${outcome.message}`)
})
