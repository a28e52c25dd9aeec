// Commands DeviceDO relays to its node and answers plainly: the outcome, or why it failed (the
// node's code: `not_simulator`, `invalid_action`, `device_not_ready`, `no_node`, `timeout`, …).
import { z } from 'zod'
import { GroupsListed, NumbersChecked, type GroupInfo } from '../../../protocol/frames'
import type { SimulateInbound } from '../../../protocol/inbound'
import { DEVICE_CONTROL_TIMEOUT_MS, DEVICE_QUERY_TIMEOUT_MS } from '../../../protocol/timing'
import type { CommandOutcome } from './pending-commands'
import type { NodeLink } from './node-link'
import type { InboundDetails } from './inbound'
import type { Ledger } from './ledger'
import type { MessageView } from './message-view'

export type Failed = { ok: false; code: string; message: string }

const failed = (error: { code: string; message: string }): Failed => ({ ok: false, code: error.code, message: error.message })
const UNEXPECTED: Failed = { ok: false, code: 'send_failed', message: 'unexpected answer' }

/** The data of a successful answer that `schema` accepts, else why not. */
function answerOf<T>(
  outcome: CommandOutcome,
  schema: { safeParse(data: unknown): { success: true; data: T } | { success: false } },
): T | Failed {
  if (!outcome.ok) return failed(outcome.error)
  const parsed = schema.safeParse(outcome.data)
  return parsed.success ? parsed.data : UNEXPECTED
}
const SimulatedAnswer = z.object({ wa_message_id: z.string() })
const isFailed = (value: unknown): value is Failed => typeof value === 'object' && value !== null && (value as Failed).ok === false

/** The sandbox: a simulated contact of the device's simulator node writes, reacts, edits or deletes. */
export async function simulate(link: NodeLink, action: SimulateInbound): Promise<{ ok: true; waMessageId: string } | Failed> {
  const answer = answerOf(await link.command((id) => ({ type: 'simulate', id, action }), DEVICE_CONTROL_TIMEOUT_MS), SimulatedAnswer)
  return isFailed(answer) ? answer : { ok: true, waMessageId: answer.wa_message_id }
}

/** Which of these numbers have WhatsApp, asked of WhatsApp by the device's node. */
export async function checkNumbers(
  link: NodeLink,
  phoneDigits: string[],
): Promise<{ ok: true; registered: Array<{ digits: string; jid: string }> } | Failed> {
  const command = (id: string) => ({ type: 'check_numbers' as const, id, phone_numbers: phoneDigits })
  const answer = answerOf(await link.command(command, DEVICE_QUERY_TIMEOUT_MS), NumbersChecked)
  return isFailed(answer) ? answer : { ok: true, registered: answer.registered }
}

/** The groups are asked of WhatsApp at most this often; a send to a group reads this copy. */
export const GROUPS_CACHE_MS = 5 * 60_000

/** The groups the device's account is in, from its node, kept a short while (in memory: a restart asks again). */
export class GroupCache {
  private cached: { at: number; groups: GroupInfo[] } | null = null

  constructor(private readonly command: NodeLink['command']) {}

  async list(now = Date.now()): Promise<{ ok: true; groups: GroupInfo[] } | Failed> {
    if (this.cached && now - this.cached.at < GROUPS_CACHE_MS) return { ok: true, groups: this.cached.groups }
    const answer = answerOf(await this.command((id) => ({ type: 'groups', id }), DEVICE_QUERY_TIMEOUT_MS), GroupsListed)
    if (isFailed(answer)) return answer
    this.cached = { at: now, groups: answer.groups }
    return { ok: true, groups: answer.groups }
  }

  /** Forgets the copy: the device was linked again, perhaps to another account. */
  clear(): void {
    this.cached = null
  }
}

/** Marks an inbound message read on WhatsApp (its sender sees blue ticks), and here (`read_at`). */
export async function markRead(
  link: NodeLink,
  ledger: Ledger,
  messageId: string,
  view: (messageId: string) => Promise<MessageView | null>,
): Promise<{ ok: true; message: MessageView } | Failed> {
  const row = ledger.get(messageId)
  if (!row) return { ok: false, code: 'not_found', message: 'no such message' }
  if (row.direction !== 'inbound' || !row.wa_message_id)
    return { ok: false, code: 'not_inbound', message: 'only a received message can be marked read' }
  const participant = row.details === null ? null : (JSON.parse(row.details) as InboundDetails).participant
  const outcome = await link.command(
    (id) => ({ type: 'mark_read', id, chat_id: row.chat_id, wa_message_id: row.wa_message_id!, ...(participant && { participant }) }),
    DEVICE_QUERY_TIMEOUT_MS,
  )
  if (!outcome.ok) return failed(outcome.error)
  ledger.markInboundRead(messageId, Date.now())
  const message = await view(messageId)
  return message ? { ok: true, message } : { ok: false, code: 'not_found', message: 'the message was deleted meanwhile' }
}
