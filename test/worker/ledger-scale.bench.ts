// `npm run bench` (ledger section): a ledger insert at 1,000,000 messages against one at none,
// in the Workers runtime: the time of single-message enqueue RPCs (the real path of a scheduled
// send), and the rows SQLite reads and writes for one insert (exact; what storage bills).
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { it } from 'vitest'
import { Ledger, type NewMessage } from '../../worker/durable-objects/device/ledger'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { freshId } from './helpers'
import { storageWorkOf } from './rows-read'

const ROWS = Number(process.env.LEDGER_ROWS ?? 1_000_000)
const TIMED = 1_000
const CHUNK = 10_000

const message = (n: number, sendAt: number | null = null): NewMessage => ({
  message_id: `msg_1_${String(n).padStart(20, '0')}`,
  company_id: 1,
  recipient: '+22370123456',
  chat_id: '22370123456@s.whatsapp.net',
  type: 'text',
  text: `message ${n}`,
  media_url: null,
  quota_period: '2026-12',
  send_at: sendAt,
})

/** Mean ms of TIMED single-message enqueue RPCs, and the rows one more insert reads and writes. */
async function measure(stub: ReturnType<typeof deviceOf>, from: number) {
  const sendAt = Date.now() + 24 * 60 * 60 * 1000
  const started = performance.now()
  for (let i = 0; i < TIMED; i++) {
    const stored = await stub.enqueue([message(from + i, sendAt)])
    if (!stored.ok) throw new Error(stored.message)
  }
  const ms = (performance.now() - started) / TIMED
  const work = await runInDurableObject(stub, (_instance, state) =>
    storageWorkOf(state.storage.sql, () => new Ledger(state.storage).insert([message(from + TIMED, sendAt)], 'queued', Date.now())),
  )
  return { ms, work }
}

it(`inserts as fast at ${ROWS} messages as at none`, { timeout: 1_800_000 }, async () => {
  const empty = await measure(deviceOf(env, freshId()), 0)
  const full = deviceOf(env, freshId())
  await runInDurableObject(full, (_instance, state) => {
    const ledger = new Ledger(state.storage)
    const now = Date.now() - 60_000
    for (let n = 0; n < ROWS; n += CHUNK) {
      ledger.insert(
        Array.from({ length: Math.min(CHUNK, ROWS - n) }, (_, i) => message(TIMED * 2 + n + i)),
        'sending',
        now,
      )
      // As a ledger that size mostly is: sent, delivered and read messages.
      state.storage.sql.exec(
        `UPDATE messages SET status = 'read', wa_message_id = 'WA' || outbox_seq, sent_at = ?, delivered_at = ?, read_at = ?
         WHERE status = 'sending'`,
        now,
        now,
        now,
      )
    }
  })
  const atScale = await measure(full, 0)
  const figures = {
    rows: ROWS,
    insertMs: { empty: +empty.ms.toFixed(3), full: +atScale.ms.toFixed(3) },
    work: { empty: empty.work, full: atScale.work },
  }
  console.log(`BENCH_JSON ${JSON.stringify(figures)}`)
})
