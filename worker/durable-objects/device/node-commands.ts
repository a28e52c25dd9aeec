// Commands DeviceDO relays to its node and answers plainly: the outcome, or why it failed (the
// node's code: `not_simulator`, `invalid_action`, `device_not_ready`, `no_node`, `timeout`, …).
import { GroupsListed, NumbersChecked, type GroupInfo } from '../../../protocol/frames'
import type { SimulateInbound } from '../../../protocol/inbound'
import { DEVICE_CONTROL_TIMEOUT_MS, WHATSAPP_QUERY_TIMEOUT_MS } from '../../../protocol/timing'
import type { NodeLink } from './node-link'
import type { InboundDetails } from './inbound'
import type { Ledger } from './ledger'

export type Failed = { ok: false; code: string; message: string }

/** The sandbox: a simulated contact of the device's simulator node writes, reacts, edits or deletes. */
export async function simulate(link: NodeLink, action: SimulateInbound): Promise<{ ok: true; waMessageId: string } | Failed> {
  const outcome = await link.command((id) => ({ type: 'simulate', id, action }), DEVICE_CONTROL_TIMEOUT_MS)
  if (!outcome.ok) return { ok: false, code: outcome.error.code, message: outcome.error.message }
  const waMessageId = (outcome.data as { wa_message_id?: unknown } | undefined)?.wa_message_id
  return typeof waMessageId === 'string' ? { ok: true, waMessageId } : { ok: false, code: 'send_failed', message: 'unexpected answer' }
}

/** Which of these numbers have WhatsApp, asked of WhatsApp by the device's node. */
export async function checkNumbers(
  link: NodeLink,
  phoneDigits: string[],
): Promise<{ ok: true; registered: Array<{ digits: string; jid: string }> } | Failed> {
  // One WhatsApp query, and a little for the frames around it.
  const outcome = await link.command((id) => ({ type: 'check_numbers', id, phone_numbers: phoneDigits }), WHATSAPP_QUERY_TIMEOUT_MS + 5_000)
  if (!outcome.ok) return { ok: false, code: outcome.error.code, message: outcome.error.message }
  const parsed = NumbersChecked.safeParse(outcome.data)
  return parsed.success
    ? { ok: true, registered: parsed.data.registered }
    : { ok: false, code: 'send_failed', message: 'unexpected answer' }
}

/** The groups are asked of WhatsApp at most this often; a send to a group reads this copy. */
export const GROUPS_CACHE_MS = 5 * 60_000

/** The groups the device's account is in, from its node, kept a short while (in memory: a restart asks again). */
export class GroupCache {
  private cached: { at: number; groups: GroupInfo[] } | null = null

  constructor(private readonly command: NodeLink['command']) {}

  async list(now = Date.now()): Promise<{ ok: true; groups: GroupInfo[] } | Failed> {
    if (this.cached && now - this.cached.at < GROUPS_CACHE_MS) return { ok: true, groups: this.cached.groups }
    const outcome = await this.command((id) => ({ type: 'groups', id }), WHATSAPP_QUERY_TIMEOUT_MS + 5_000)
    if (!outcome.ok) return { ok: false, code: outcome.error.code, message: outcome.error.message }
    const parsed = GroupsListed.safeParse(outcome.data)
    if (!parsed.success) return { ok: false, code: 'send_failed', message: 'unexpected answer' }
    this.cached = { at: now, groups: parsed.data.groups }
    return { ok: true, groups: parsed.data.groups }
  }

  /** Forgets the copy: the device was linked again, perhaps to another account. */
  clear(): void {
    this.cached = null
  }
}

/** Marks an inbound message read on WhatsApp (its sender sees blue ticks), and here (`read_at`). */
export async function markRead(link: NodeLink, ledger: Ledger, messageId: string): Promise<{ ok: true } | Failed> {
  const row = ledger.get(messageId)
  if (!row || row.direction !== 'inbound' || !row.wa_message_id)
    return { ok: false, code: 'not_inbound', message: 'only a received message can be marked read' }
  const participant = row.details === null ? null : (JSON.parse(row.details) as InboundDetails).participant
  const outcome = await link.command(
    (id) => ({ type: 'mark_read', id, chat_id: row.chat_id, wa_message_id: row.wa_message_id!, ...(participant && { participant }) }),
    WHATSAPP_QUERY_TIMEOUT_MS + 5_000,
  )
  if (!outcome.ok) return { ok: false, code: outcome.error.code, message: outcome.error.message }
  ledger.markInboundRead(messageId, Date.now())
  return { ok: true }
}
