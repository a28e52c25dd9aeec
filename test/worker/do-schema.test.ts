// Durable Object SQLite schemas carry a version: each step runs once, in order, and the next
// column is one more step. Checked inside real objects (their own storage, the real runtime).
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { deviceOf } from '../../worker/durable-objects/stubs'
import { freshId } from './helpers'
import { DEVICE_SCHEMA } from '../../worker/durable-objects/device/device-store'
import { EVENT_LOG_SCHEMA, EventLog } from '../../worker/durable-objects/device/event-log'
import { LEDGER_SCHEMA } from '../../worker/durable-objects/device/ledger'
import { migrate, schemaVersion } from '../../worker/durable-objects/sql-schema'

const freshDevice = () => deviceOf(env, freshId())

describe('versioned DO schemas', () => {
  it('brings a new object to the latest version of each store, and runs nothing again on the next construction', async () => {
    const stub = freshDevice()
    await stub.live()
    await runInDurableObject(stub, (_instance, state) => {
      expect(schemaVersion(state.storage, 'device')).toBe(DEVICE_SCHEMA.length)
      expect(schemaVersion(state.storage, 'ledger')).toBe(LEDGER_SCHEMA.length)
      // A step that would fail if it ran twice: it is skipped once recorded.
      const steps = ['CREATE TABLE probe (id INTEGER)', 'ALTER TABLE probe ADD COLUMN note TEXT']
      migrate(state.storage, 'probe', steps)
      migrate(state.storage, 'probe', steps)
      expect(schemaVersion(state.storage, 'probe')).toBe(2)
      const columns = state.storage.sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('probe')").toArray()
      expect(columns.map((c) => c.name)).toEqual(['id', 'note'])
    })
  })

  it('adds the next column as one more step, keeping the rows already there', async () => {
    const stub = freshDevice()
    await runInDurableObject(stub, (_instance, state) => {
      migrate(state.storage, 'probe', ['CREATE TABLE probe (id INTEGER)'])
      state.storage.sql.exec('INSERT INTO probe (id) VALUES (7)')
      migrate(state.storage, 'probe', ['CREATE TABLE probe (id INTEGER)', "ALTER TABLE probe ADD COLUMN note TEXT DEFAULT 'x'"])
      expect(state.storage.sql.exec('SELECT id, note FROM probe').toArray()).toEqual([{ id: 7, note: 'x' }])
    })
  })

  it('leaves the version where it was when a step fails, and refuses a schema newer than the code', async () => {
    const stub = freshDevice()
    await runInDurableObject(stub, (_instance, state) => {
      expect(() => migrate(state.storage, 'probe', ['CREATE TABLE probe (id INTEGER)', 'NOT SQL AT ALL'])).toThrow()
      expect(schemaVersion(state.storage, 'probe')).toBe(1)
      expect(() => migrate(state.storage, 'probe', [])).toThrow(/newer than this code/)
    })
  })

  it('brings an object made under an older schema up to date, keeping its state', async () => {
    const stub = freshDevice()
    await runInDurableObject(stub, (_instance, state) => {
      // As version 1 left it: no company_active column yet.
      state.storage.sql.exec('DROP TABLE device')
      state.storage.sql.exec("DELETE FROM schema_versions WHERE schema = 'device'")
      migrate(state.storage, 'device', DEVICE_SCHEMA.slice(0, 1))
      state.storage.sql.exec('UPDATE device SET device_id = 9, send_interval_ms = 250')
      migrate(state.storage, 'device', DEVICE_SCHEMA)
      expect(state.storage.sql.exec('SELECT device_id, send_interval_ms, company_active FROM device').one()).toEqual({
        device_id: 9,
        send_interval_ms: 250,
        company_active: 1,
      })
    })
  })

  it("turns an older event log's forwarded flags into one position: the feed gets the first unforwarded event next", async () => {
    const stub = freshDevice()
    await runInDurableObject(stub, (_instance, state) => {
      const sql = state.storage.sql
      sql.exec('DROP TABLE events; DROP TABLE events_forwarded')
      sql.exec("DELETE FROM schema_versions WHERE schema = 'events'")
      migrate(state.storage, 'events', EVENT_LOG_SCHEMA.slice(0, 2))
      for (const [sequence, forwarded] of [
        [1, 1],
        [2, 1],
        [3, 0],
        [4, 0],
      ]) {
        sql.exec("INSERT INTO events VALUES (?, ?, 'message.sent', 0, '{}', ?)", sequence, `evt_${sequence}`, forwarded)
      }
      const log = new EventLog(state.storage)
      expect(log.unforwarded(9, 10).map((event) => event.sequence)).toEqual([3, 4])
      log.markForwarded(4)
      expect(log.unforwarded(9, 10)).toEqual([])
      expect(sql.exec('SELECT up_to FROM events_forwarded').one().up_to).toBe(4)
    })
  })

  it('starts a deleted device over from a blank, current schema', async () => {
    const stub = freshDevice()
    await stub.configure({ sendIntervalMs: 50 })
    await stub.destroy()
    await runInDurableObject(stub, (_instance, state) => {
      expect(schemaVersion(state.storage, 'device')).toBe(DEVICE_SCHEMA.length)
      expect(schemaVersion(state.storage, 'ledger')).toBe(LEDGER_SCHEMA.length)
    })
    expect(await stub.live()).toMatchObject({ status: 'pending', active: true, node_id: null })
  })
})
