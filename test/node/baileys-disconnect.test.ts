import { describe, expect, it } from 'vitest'
import { equalJitterDelay } from '../../session-node/backoff'
import { BACKOFF, harness, linkedStore } from './support/baileys-engine-harness'
import type { MemoryAuthStore } from './support/memory-auth-store'

/** A linked device with its connection open, ready for WhatsApp to close it. */
async function openDevice() {
  const h = harness(await linkedStore())
  await h.engine.start()
  h.wa.last().open()
  h.statuses.length = 0
  return h
}

describe('baileys engine: when WhatsApp closes the connection', () => {
  it('logged out from the phone (401): clears the auth state, reports logged_out, never reconnects', async () => {
    const { wa, store, clock, statuses } = await openDevice()
    wa.last().close(401)
    await expect.poll(() => statuses).toEqual([{ status: 'error', reason: 'logged_out', detail: 'logged_out' }])
    expect(store.data.size).toBe(0)
    expect(wa.sockets).toHaveLength(1)
    expect(clock.pending).toEqual([])
  })

  it('restart required (515): a new socket at once, with the same creds', async () => {
    const { wa, clock, statuses } = await openDevice()
    const creds = wa.last().config.auth.creds
    wa.last().close(515)
    expect(wa.sockets).toHaveLength(2)
    expect(wa.last().config.auth.creds).toBe(creds)
    expect(clock.pending).toEqual([])
    expect(statuses).toEqual([])
  })

  it('replaced (440): reports replaced_elsewhere and stops without fighting; the creds stay for their holder', async () => {
    const { wa, store, clock, statuses } = await openDevice()
    wa.last().close(440)
    await expect.poll(() => statuses).toEqual([{ status: 'error', reason: 'replaced_elsewhere', detail: 'replaced' }])
    expect(wa.sockets).toHaveLength(1)
    expect(clock.pending).toEqual([])
    expect(store.data.has('creds')).toBe(true)
  })

  it.each([
    [403, 'forbidden'],
    [411, 'multidevice_mismatch'],
  ])('fatal %i: reports error refused_by_whatsapp (%s) and does not reconnect', async (code, detail) => {
    const { wa, clock, statuses } = await openDevice()
    wa.last().close(code)
    await expect.poll(() => statuses).toEqual([{ status: 'error', reason: 'refused_by_whatsapp', detail }])
    expect(wa.sockets).toHaveLength(1)
    expect(clock.pending).toEqual([])
  })

  it.each([
    [428, 'connection_closed'],
    [408, 'timed_out'],
    [500, 'bad_session'],
    [503, 'service_unavailable'],
    [undefined, 'unexpected'],
  ])('transient %s: reports disconnected, cannot_reach_whatsapp (%s), then reconnects after a backoff', async (code, detail) => {
    const { wa, clock, statuses } = await openDevice()
    wa.last().close(code)
    expect(statuses).toEqual([{ status: 'disconnected', reason: 'cannot_reach_whatsapp', detail }])
    expect(wa.sockets).toHaveLength(1) // not before the delay
    expect(clock.pending).toHaveLength(1)
    clock.fire()
    expect(wa.sockets).toHaveLength(2)
    wa.last().open()
    expect(statuses.at(-1)).toEqual({ status: 'authenticated', phoneNumber: '+15551234567' })
  })

  it('waits longer after each failure in a row, reports the outage once, and starts over once connected', async () => {
    const { wa, clock, statuses } = await openDevice()
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      wa.last().close(428)
      delays.push(...clock.pending)
      clock.fire()
    }
    expect(delays).toEqual([750, 1_500, 3_000, 6_000, 6_000, 6_000]) // random() = 0.5, capped at 8 s
    expect(statuses).toEqual([{ status: 'disconnected', reason: 'cannot_reach_whatsapp', detail: 'connection_closed' }])
    wa.last().open()
    wa.last().close(428)
    expect(clock.pending).toEqual([750])
  })
})

describe('baileys engine: stop and logout', () => {
  it('stop() ends the socket without unlinking and never reconnects; a second stop is harmless', async () => {
    const { engine, wa, store, clock, statuses } = await openDevice()
    await engine.stop()
    await engine.stop()
    expect(wa.last().endCalls).toEqual([undefined])
    expect(wa.last().logoutCalls).toBe(0)
    expect(wa.sockets).toHaveLength(1)
    expect(clock.pending).toEqual([])
    expect(statuses).toEqual([])
    expect(store.data.has('creds')).toBe(true)
  })

  it('stop() cancels a reconnect that was waiting for its backoff', async () => {
    const { engine, wa, clock } = await openDevice()
    wa.last().close(428)
    await engine.stop()
    expect(clock.pending).toEqual([])
    expect(wa.sockets).toHaveLength(1)
  })

  it('a device stopped while its creds are still loading never connects (no 440 with the next node)', async () => {
    const store = await linkedStore()
    let releaseLoad = () => {}
    const gate = new Promise<void>((resolve) => (releaseLoad = resolve))
    const slowStore = Object.assign(Object.create(store) as MemoryAuthStore, {
      get: async (names: string[]) => {
        await gate
        return store.get(names)
      },
    })
    const { engine, wa } = harness(slowStore)
    const starting = engine.start()
    await engine.stop()
    releaseLoad()
    await starting
    expect(wa.sockets).toHaveLength(0)
  })

  it('start() after stop() resumes the same device', async () => {
    const { engine, wa, statuses } = await openDevice()
    await engine.stop()
    await engine.start()
    wa.last().open()
    expect(wa.sockets).toHaveLength(2)
    expect(statuses).toEqual([{ status: 'authenticated', phoneNumber: '+15551234567' }])
  })

  it('logout() unlinks through WhatsApp, clears the auth state and reports logged_out', async () => {
    const { engine, wa, store, clock, statuses } = await openDevice()
    await engine.logout()
    expect(wa.last().logoutCalls).toBe(1)
    expect(store.data.size).toBe(0)
    expect(statuses).toEqual([{ status: 'error', reason: 'logged_out', detail: 'logged_out' }])
    expect(wa.sockets).toHaveLength(1)
    expect(clock.pending).toEqual([])
  })

  it('logout() on a socket that already died still clears the device', async () => {
    const { engine, wa, store, statuses } = await openDevice()
    wa.last().dropSilently() // Baileys' logout() now throws 'Connection Closed'
    await expect(engine.logout()).resolves.toBeUndefined()
    expect(wa.last().logoutCalls).toBe(1)
    expect(store.data.size).toBe(0)
    expect(statuses).toEqual([{ status: 'error', reason: 'logged_out', detail: 'logged_out' }])
  })

  it('logout() of a stopped engine clears the stored auth state', async () => {
    const { engine, wa, store, statuses } = harness(await linkedStore())
    await engine.logout()
    expect(wa.sockets).toHaveLength(0)
    expect(store.data.size).toBe(0)
    expect(statuses).toEqual([{ status: 'error', reason: 'logged_out', detail: 'logged_out' }])
  })
})

describe('reconnect backoff', () => {
  it('grows exponentially, stays within its jitter band and never passes the cap', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const ceiling = Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** attempt)
      expect(equalJitterDelay(attempt, BACKOFF, () => 0)).toBe(ceiling / 2)
      expect(equalJitterDelay(attempt, BACKOFF, () => 0.999999)).toBeLessThanOrEqual(ceiling)
    }
  })
})
