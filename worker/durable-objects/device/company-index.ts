// Tells the company's feed (EventFeedDO) of messages this device queued or scheduled, so the
// company-wide listing shows them at once: no event tells of a message until it is sent. Best
// effort: should it fail, the message is listed from its first event on (its ledger row, the
// truth, is stored already), and the failure is logged.
import type { MessageView } from './message-view'
import { toMessageView } from './message-view'
import type { Ledger } from './ledger'

/** Messages per call to the feed: a call stays far below the RPC size limit even with long texts. */
const CHUNK = 100

export interface CompanyIndexDeps {
  ledger: Ledger
  deviceId(): number
  companyId(): Promise<number | null>
  index(companyId: number, deviceId: number, views: MessageView[]): Promise<unknown>
}

export async function indexQueued(messageIds: string[], deps: CompanyIndexDeps): Promise<void> {
  try {
    const companyId = await deps.companyId()
    if (companyId === null) return
    const deviceId = deps.deviceId()
    const views = messageIds.flatMap((id) => {
      const row = deps.ledger.get(id)
      return row ? [toMessageView(row, deviceId)] : []
    })
    for (let i = 0; i < views.length; i += CHUNK) await deps.index(companyId, deviceId, views.slice(i, i + CHUNK))
  } catch (error) {
    console.error(
      JSON.stringify({ level: 'warn', msg: 'queued messages not indexed for the company; listed once sent', error: String(error) }),
    )
  }
}
