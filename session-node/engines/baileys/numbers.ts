// Which numbers have WhatsApp, from one `onWhatsApp` query. Baileys leaves unregistered numbers
// out of its answer (never `exists: false`) and answers with the JID WhatsApp knows, which can
// differ from the number as dialled (Brazil: a mobile number with or without its extra 9), so
// each answer is matched back to the number asked: the same digits, else that one variant.
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
