// A reply quotes a message of the same device that WhatsApp knows (it has a WhatsApp id: sent,
// or received). Anything else is refused before anything is charged, naming the field.
import { deviceOf } from '../durable-objects/stubs'
import { ApiError, type FieldIssue } from '../lib/errors'
import { deviceIdOf } from './ids'

/** The WhatsApp id of a message (our id) of this device, or null when it is not one WhatsApp knows. */
export async function waIdOfOwnMessage(env: Env, deviceId: number, messageId: string): Promise<string | null> {
  if (deviceIdOf('msg', messageId) !== deviceId) return null
  return (await deviceOf(env, deviceId).message(messageId))?.wa_message_id ?? null
}

export async function assertReplyTargets(
  env: Env,
  deviceId: number,
  items: Array<{ replyTo: string | null; field: string; index?: number }>,
) {
  const asked = [...new Set(items.flatMap((item) => (item.replyTo === null ? [] : [item.replyTo])))]
  if (asked.length === 0) return
  const known = new Set<string>()
  await Promise.all(asked.map(async (id) => (await waIdOfOwnMessage(env, deviceId, id)) !== null && known.add(id)))
  const issues: Array<FieldIssue & { index?: number }> = items
    .filter((item) => item.replyTo !== null && !known.has(item.replyTo))
    .map((item) => ({
      ...(item.index !== undefined && { index: item.index }),
      field: item.field,
      message: 'not a sent or received message of this device',
    }))
  if (issues.length > 0) throw new ApiError('validation_error', `Invalid ${issues[0]!.field}: ${issues[0]!.message}`, issues)
}
