// A send to a group the device is not in would only fail at WhatsApp, after the quota was
// reserved: it is refused up front, from the device's copy of its groups (GROUPS_CACHE_MS old at
// most). When the groups cannot be asked (the device has no node now), the send goes on and
// meets the device's own answer.
import { deviceOf } from '../durable-objects/stubs'
import { ApiError, type FieldIssue } from '../lib/errors'

/** Throws `validation_error` naming each group chat the device is not a member of. */
export async function assertGroupMember(
  env: Env,
  deviceId: number,
  chats: Array<{ chatId: string; field: string; index?: number }>,
): Promise<void> {
  const groups = chats.filter((chat) => chat.chatId.endsWith('@g.us'))
  if (groups.length === 0) return
  const listed = await deviceOf(env, deviceId).groups()
  if (!listed.ok) return
  const member = new Set(listed.groups.map((g) => g.id))
  const issues: Array<FieldIssue & { index?: number }> = groups
    .filter((chat) => !member.has(chat.chatId))
    .map((chat) => ({
      ...(chat.index !== undefined && { index: chat.index }),
      field: chat.field,
      message: `the device is not a member of ${chat.chatId}`,
    }))
  const first = issues[0]
  if (first)
    throw new ApiError(
      'validation_error',
      `Not a group of this device: ${first.message.replace('the device is not a member of ', '')}`,
      issues,
    )
}
