import { database } from '../../db/client'
import type { NewMessage } from '../../durable-objects/device/ledger'
import type { CancelOutcome, EnqueueOutcome, SendOutcome } from '../../durable-objects/device/device-do'
import type { AppRouteHandler } from '../../lib/app-env'
import { ok } from '../../lib/envelope'
import { settingsOf } from '../../lib/settings'
import { iso } from '../../lib/time'
import { ApiError, type FieldIssue } from '../../lib/errors'
import { deviceOf } from '../../durable-objects/stubs'
import { admit } from '../../messaging/admission'
import { deviceIdOf, newBatchId, newMessageId } from '../../messaging/ids'
import { withIdempotency } from '../../messaging/idempotency'
import { checkOutgoing, type CheckedMessage } from '../../messaging/outgoing'
import { ownedDeviceId, scopeOf, sendingDevice } from '../../db/devices'
import { assertGroupMember } from '../../messaging/group-membership'
import { assertReplyTargets } from '../../messaging/reply-targets'
import type * as routes from './messages.routes'

/** Nothing was handed to the device's node: the client may send it again. */
const notReady = (message: string) => new ApiError('device_not_ready', `The device cannot send now: ${message}`, { outcome: 'not_sent' })

/** Nothing was sent because the device or its company may not send now. */
const blockedError = (outcome: { code: 'device_not_ready' | 'company_inactive'; message: string }) =>
  outcome.code === 'company_inactive' ? new ApiError('company_inactive', 'This company is inactive') : notReady(outcome.message)

/** What a failed single send means to the client. */
function sendFailure(outcome: Exclude<SendOutcome, { ok: true }>): ApiError {
  // Only a message that was stored has an id; one refused before that was blocked.
  if (!('messageId' in outcome)) return blockedError(outcome)
  const details = { message_id: outcome.messageId }
  switch (outcome.code) {
    case 'not_on_whatsapp':
      return new ApiError('invalid_phone_number', 'The recipient has no WhatsApp account', { ...details, reason: 'not_on_whatsapp' })
    case 'media_unavailable':
      return new ApiError('media_unavailable', `media_url could not be sent: ${outcome.message}`, { ...details, reason: outcome.message })
    case 'not_ready':
    case 'send_failed':
      return notReady('WhatsApp did not accept the message; nothing was sent')
    case 'interrupted':
    case 'send_timeout':
      // WhatsApp may have taken it: it is not retried (and not refunded), never sent twice.
      return new ApiError(
        'device_not_ready',
        'The session node did not confirm the send; it may or may not have been delivered and will not be retried',
        {
          ...details,
          outcome: 'unknown',
        },
      )
  }
}

/**
 * Runs the one irreversible step (handing messages to the device). If the call itself fails,
 * the messages may already be on their way: the client is told the outcome is unknown, and an
 * Idempotency-Key retry gets that same answer instead of sending again.
 */
async function handOver<T>(step: () => Promise<T>, ids: Record<string, string>): Promise<T> {
  try {
    return await step()
  } catch (error) {
    console.error(JSON.stringify({ msg: 'hand-over to DeviceDO failed', ...ids, error: String(error) }))
    throw new ApiError('device_not_ready', 'The device did not confirm the request; check the message status before retrying', {
      ...ids,
      outcome: 'unknown',
    })
  }
}

const toNew = (message: CheckedMessage, ids: { messageId: string; companyId: number; period: string }): NewMessage => ({
  message_id: ids.messageId,
  company_id: ids.companyId,
  recipient: message.recipient,
  chat_id: message.chatId,
  type: message.type,
  text: message.text,
  media_url: message.mediaUrl,
  quota_period: ids.period,
  reply_to: message.replyTo,
  send_at: message.sendAt,
})

export const send: AppRouteHandler<typeof routes.send> = async (c) => {
  const body = c.req.valid('json')
  const response = await withIdempotency(c, body, async () => {
    const checked = checkOutgoing(body)
    if (!checked.ok)
      throw new ApiError(checked.code, checked.message, checked.details ?? [{ field: checked.field, message: checked.message }])
    const caller = c.get('caller')
    const device = await sendingDevice(database(c.env.DB), scopeOf(caller), body.device_id, settingsOf(c.env).authCacheTtlMs)
    const { sendAt, chatId } = checked.message
    // A scheduled message waits for the device: it only has to be able to send at its time.
    if (!device.isActive && sendAt === null) throw notReady('the device is paused')
    await assertGroupMember(c.env, device.id, [{ chatId, field: 'recipient' }])
    await assertReplyTargets(c.env, device.id, [{ replyTo: checked.message.replyTo, field: 'reply_to' }])
    const quota = await admit(c.env, caller, 1)
    const messageId = newMessageId(device.id)
    const row = toNew(checked.message, { messageId, companyId: caller.company.id, period: quota.period })
    const answer = { message_id: messageId, chat_id: chatId, device_id: device.id, send_at: iso(sendAt), quota }
    // From here DeviceDO owns the reservation: it gives it back for anything not sent.
    if (sendAt !== null) {
      const stored = await handOver(async (): Promise<EnqueueOutcome> => deviceOf(c.env, device.id).enqueue([row]), {
        message_id: messageId,
      })
      if (!stored.ok) throw blockedError(stored)
      return c.json(ok({ ...answer, status: 'scheduled' as const }), 202)
    }
    const outcome = await handOver(async (): Promise<SendOutcome> => deviceOf(c.env, device.id).sendNow(row), { message_id: messageId })
    if (!outcome.ok) throw sendFailure(outcome)
    return c.json(ok({ ...answer, status: outcome.message.status }), 200)
  })
  // A replayed response is a plain Response with the first answer's exact bytes.
  return response as never
}

export const sendBulk: AppRouteHandler<typeof routes.sendBulk> = async (c) => {
  const body = c.req.valid('json')
  const response = await withIdempotency(c, body, async () => {
    // Every item is checked before anything is queued or charged.
    const issues: Array<FieldIssue & { index: number; code: string }> = []
    const checked: CheckedMessage[] = []
    body.messages.forEach((item, index) => {
      const result = checkOutgoing(item)
      if (result.ok) checked.push(result.message)
      else issues.push({ index, field: `messages.${index}.${result.field}`, code: result.code, message: result.message })
    })
    const first = issues[0]
    if (first)
      throw new ApiError(first.code as ConstructorParameters<typeof ApiError>[0], `messages[${first.index}]: ${first.message}`, issues)

    const caller = c.get('caller')
    const device = await sendingDevice(database(c.env.DB), scopeOf(caller), body.device_id, settingsOf(c.env).authCacheTtlMs)
    if (!device.isActive && checked.some((message) => message.sendAt === null)) throw notReady('the device is paused')
    const chats = checked.map((message, index) => ({ chatId: message.chatId, index, field: `messages.${index}.recipient` }))
    await assertGroupMember(c.env, device.id, chats)
    const replies = checked.map((message, index) => ({ replyTo: message.replyTo, index, field: `messages.${index}.reply_to` }))
    await assertReplyTargets(c.env, device.id, replies)
    const quota = await admit(c.env, caller, checked.length)
    const batchId = newBatchId(device.id)
    const rows = checked.map((message, index) => ({
      ...toNew(message, { messageId: newMessageId(device.id), companyId: caller.company.id, period: quota.period }),
      batch_id: batchId,
      batch_index: index,
    }))
    const queued = await handOver(async (): Promise<EnqueueOutcome> => deviceOf(c.env, device.id).enqueue(rows), { batch_id: batchId })
    if (!queued.ok) throw blockedError(queued)
    return c.json(
      ok({
        batch_id: batchId,
        device_id: device.id,
        total: rows.length,
        messages: rows.map((row, index) => ({
          index,
          message_id: row.message_id,
          recipient: row.recipient,
          status: row.send_at === null ? ('queued' as const) : ('scheduled' as const),
          send_at: iso(row.send_at),
        })),
        quota,
      }),
      202,
    )
  })
  return response as never
}

/** Takes back a scheduled or queued message; anything already handed to WhatsApp is a 409. */
export const cancelMessage: AppRouteHandler<typeof routes.cancelMessage> = async (c) => {
  const { message_id } = c.req.valid('param')
  const deviceId = await ownedDeviceId(database(c.env.DB), scopeOf(c.get('caller')), deviceIdOf('msg', message_id))
  const outcome: CancelOutcome | null = deviceId === null ? null : await deviceOf(c.env, deviceId).cancel(message_id)
  if (!outcome || (!outcome.ok && outcome.code === 'not_found')) throw new ApiError('not_found', 'Message not found')
  if (!outcome.ok) {
    const { status } = outcome.message
    throw new ApiError('message_not_cancellable', `Only a scheduled or queued message can be cancelled; this one is ${status}`, {
      status,
    })
  }
  return c.json(ok(outcome.message), 200)
}
