// A device's storage stays bounded: a ledger insert does the same work however many messages
// the device already has (the next outbox position is a counter, not a scan of the ledger),
// and messages are deleted once MESSAGE_RETENTION_DAYS have passed. Counted in rows SQLite reads, which
// is exact and does not depend on how busy the machine is.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { Ledger, type NewMessage } from '../../worker/durable-objects/device/ledger'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { settingsOf } from '../../worker/lib/settings'
import { freshId } from './helpers'
import { rowsReadBy, storageWorkOf } from './rows-read'
import type { DeviceDO } from '../../worker/durable-objects/device/device-do'

const message = (n: number): NewMessage => ({
  message_id: `msg_1_${String(n).padStart(20, '0')}`,
  company_id: 1,
  recipient: '+22370123456',
  chat_id: '22370123456@s.whatsapp.net',
  type: 'text',
  text: 'hello',
  media_url: null,
  quota_period: '2026-12',
})

describe('the ledger', () => {
  it('reads as few rows to insert a message at 5,000 messages as at none, and keeps the outbox order', async () => {
    await runInDurableObject(deviceOf(env, freshId()), (_instance, state) => {
      const ledger = new Ledger(state.storage)
      const first = rowsReadBy(state.storage.sql, () => ledger.insert([message(0)], 'queued', 1))
      for (let batch = 0; batch < 50; batch++) {
        ledger.insert(
          Array.from({ length: 100 }, (_, i) => message(1 + batch * 100 + i)),
          'queued',
          2,
        )
      }
      const later = rowsReadBy(state.storage.sql, () => ledger.insert([message(5_001)], 'queued', 3))
      expect(later).toBeLessThanOrEqual(first + 2)
      expect(ledger.nextQueued(Date.now())?.message_id).toBe(message(0).message_id)
      const seqs = state.storage.sql.exec<{ outbox_seq: number }>('SELECT outbox_seq FROM messages ORDER BY outbox_seq').toArray()
      expect(seqs.map((r) => r.outbox_seq)).toEqual(Array.from({ length: 5_002 }, (_, i) => i + 1))
    })
  })
})

describe('the outbox', () => {
  it('looks at a handful of rows per alarm however long its queue is', async () => {
    const stub = deviceOf(env, freshId())
    await runInDurableObject(stub, async (instance: DeviceDO, state) => {
      const ledger = new Ledger(state.storage)
      for (let batch = 0; batch < 20; batch++) {
        ledger.insert(
          Array.from({ length: 100 }, (_, i) => message(batch * 100 + i)),
          'queued',
          Date.now(),
        )
      }
      // The device is not linked: the alarm checks what is stale, expired and next, and waits.
      const work = await storageWorkOf(state.storage.sql, () => instance.alarm())
      expect(work.read).toBeLessThan(50)
      expect(ledger.nextQueued(Date.now())?.message_id).toBe(message(0).message_id)
    })
  })

  it('knows whether a bulk request has messages left from a row or two, however many were sent', async () => {
    await runInDurableObject(deviceOf(env, freshId()), (_instance, state) => {
      const ledger = new Ledger(state.storage)
      ledger.insert(
        Array.from({ length: 1_000 }, (_, i) => ({ ...message(i), batch_id: 'bat_1', batch_index: i })),
        'queued',
        Date.now(),
      )
      for (let i = 0; i < 999; i++) ledger.markSent(message(i).message_id, `WA${i}`, Date.now())
      expect(rowsReadBy(state.storage.sql, () => expect(ledger.batchPending('bat_1')).toBe(true))).toBeLessThanOrEqual(3)
      ledger.markSent(message(999).message_id, 'WA999', Date.now())
      expect(rowsReadBy(state.storage.sql, () => expect(ledger.batchPending('bat_1')).toBe(false))).toBeLessThanOrEqual(3)
    })
  })

  it('writes three rows for a receipt (the message and its day), with 2,000 messages in the ledger', async () => {
    await runInDurableObject(deviceOf(env, freshId()), async (_instance, state) => {
      const ledger = new Ledger(state.storage)
      for (let n = 0; n < 2_000; n++) {
        ledger.insert([message(n)], 'sending', Date.now())
        ledger.markSent(message(n).message_id, `WA${n}`, Date.now())
      }
      const delivered = await storageWorkOf(state.storage.sql, () => ledger.applyReceipt('WA7', 'delivered', Date.now()))
      const read = await storageWorkOf(state.storage.sql, () => ledger.applyReceipt('WA7', 'read', Date.now()))
      expect(delivered.written).toBeLessThanOrEqual(3)
      expect(read.written).toBeLessThanOrEqual(3)
      expect(delivered.read + read.read).toBeLessThan(12)
    })
  })
})

describe('message retention', () => {
  it('deletes messages older than MESSAGE_RETENTION_DAYS on the alarm, keeps the younger ones, and comes back for the next', async () => {
    const stub = deviceOf(env, freshId())
    const retentionMs = settingsOf(env).messageRetentionMs
    const now = Date.now()
    await runInDurableObject(stub, async (_instance, state) => {
      const ledger = new Ledger(state.storage)
      ledger.insert([message(1)], 'sending', now - retentionMs - 60_000)
      ledger.markSent(message(1).message_id, 'WA1', now - retentionMs - 60_000)
      ledger.insert([message(3)], 'sending', now - 60_000)
      ledger.markSent(message(3).message_id, 'WA3', now - 60_000)
      await state.storage.setAlarm(now + 60 * 60_000)
    })
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await stub.message(message(1).message_id)).toBeNull()
    expect(await stub.message(message(3).message_id)).toMatchObject({ status: 'sent' })
    const next = await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())
    expect(next).not.toBeNull()
  })
})
