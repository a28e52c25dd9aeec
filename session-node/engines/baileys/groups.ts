// The groups the linked account is in, from one `groupFetchAllParticipating` query.
import { jidNormalizedUser } from '@whiskeysockets/baileys'
import type { GroupInfo } from '../../../protocol/frames'
import type { BaileysSocket } from './socket'

/** The groups the account is in; `is_admin` when its phone number or LID is an admin there. */
export async function participatingGroups(socket: BaileysSocket): Promise<GroupInfo[]> {
  const me = socket.authState.creds.me
  const mine = new Set([me?.id, me?.lid].filter((id): id is string => Boolean(id)).map((id) => jidNormalizedUser(id)))
  return Object.values(await socket.groupFetchAllParticipating()).map((group) => ({
    id: group.id,
    subject: group.subject ?? '',
    size: group.size ?? group.participants.length,
    is_admin: group.participants.some((p) => mine.has(jidNormalizedUser(p.id)) && (p.admin === 'admin' || p.admin === 'superadmin')),
    created_at: group.creation ? group.creation * 1000 : null,
  }))
}
