// What the linked account can reach: its groups (`groupFetchAllParticipating`, one query), and
// which numbers have WhatsApp, from one `onWhatsApp` query. Baileys leaves unregistered numbers
// out of its answer (never `exists: false`) and answers with the JID WhatsApp knows, which can
// differ from the number as dialled (Brazil: a mobile number with or without its extra 9), so
// each answer is matched back to the number asked: the same digits, else that one variant.
import { jidNormalizedUser } from '@whiskeysockets/baileys'
import type { GroupInfo } from '../../../protocol/frames'
import type { RegisteredNumber } from '../engine'
import type { BaileysSocket } from './socket'

/** The other spelling of a Brazilian mobile number: 55 + area code + 9 + 8 digits, or without the 9. */
function brazilianVariant(digits: string): string | null {
  const with9 = /^55(\d{2})9(\d{8})$/.exec(digits)
  if (with9) return `55${with9[1]}${with9[2]}`
  const without9 = /^55(\d{2})(\d{8})$/.exec(digits)
  return without9 ? `55${without9[1]}9${without9[2]}` : null
}

export async function registeredNumbers(socket: BaileysSocket, phoneDigits: string[]): Promise<RegisteredNumber[]> {
  const answer = (await socket.onWhatsApp(...phoneDigits)) ?? []
  const byUser = new Map(answer.filter((a) => a.exists).map((a) => [a.jid.split('@')[0]!.split(':')[0]!, a.jid]))
  return phoneDigits.flatMap((digits) => {
    const variant = brazilianVariant(digits)
    const jid = byUser.get(digits) ?? (variant ? byUser.get(variant) : undefined)
    return jid ? [{ digits, jid }] : []
  })
}

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
