import { proto, type AuthenticationCreds } from '@whiskeysockets/baileys'
import { describe, expect, it } from 'vitest'
import { loadAuthState } from '../../session-node/engines/baileys/auth-state'
import type { AuthStore } from '../../session-node/engines/engine'
import { MemoryAuthStore } from './support/memory-auth-store'

const bytes = (value: Uint8Array | undefined) => Buffer.from(value ?? []).toString('hex')

/** Every key pair of the creds, as hex, so a comparison is byte for byte. */
const keyMaterial = (creds: AuthenticationCreds) => ({
  noise: [bytes(creds.noiseKey.public), bytes(creds.noiseKey.private)],
  pairing: [bytes(creds.pairingEphemeralKeyPair.public), bytes(creds.pairingEphemeralKeyPair.private)],
  identity: [bytes(creds.signedIdentityKey.public), bytes(creds.signedIdentityKey.private)],
  preKey: [
    bytes(creds.signedPreKey.keyPair.public),
    bytes(creds.signedPreKey.keyPair.private),
    bytes(creds.signedPreKey.signature),
    creds.signedPreKey.keyId,
  ],
  registrationId: creds.registrationId,
  advSecretKey: creds.advSecretKey,
})

describe('baileys auth state in an AuthStore', () => {
  it('starts a new account with fresh, unlinked creds and writes nothing until asked', async () => {
    const store = new MemoryAuthStore()
    const { state } = await loadAuthState(store)
    expect(state.creds.registered).toBe(false)
    expect(state.creds.me).toBeUndefined()
    expect(state.creds.noiseKey.public).toHaveLength(32)
    expect(store.writes).toEqual([])
  })

  it('round-trips the creds key pairs byte for byte, as text the store can seal', async () => {
    const store = new MemoryAuthStore()
    const first = await loadAuthState(store)
    await first.saveCreds()
    expect(typeof store.data.get('creds')).toBe('string')

    const again = await loadAuthState(store)
    expect(keyMaterial(again.state.creds)).toEqual(keyMaterial(first.state.creds))
    expect(Buffer.isBuffer(again.state.creds.noiseKey.private)).toBe(true)
  })

  it('round-trips every kind of signal key through a fresh cache', async () => {
    const store = new MemoryAuthStore()
    const writer = await loadAuthState(store)
    const preKey = { public: new Uint8Array([1, 2, 3]), private: Buffer.from([4, 5, 6]) }
    await writer.state.keys.set({
      'pre-key': { '1': preKey },
      session: { '15551234567.0': new Uint8Array([7, 8, 9]) },
      'sender-key-memory': { '120363@g.us': { '15551234567:7@s.whatsapp.net': true } },
      'app-state-sync-key': {
        AAAB: proto.Message.AppStateSyncKeyData.fromObject({ keyData: Buffer.from([9, 9]), timestamp: 1700 }),
      },
      'lid-mapping': { '15551234567': '123456789' },
      'device-list': { '15551234567': ['0', '7'] },
      tctoken: { '123456789@lid': { token: Buffer.from('tok'), timestamp: '1700000000' } },
    })

    // A second load has its own empty cache: everything below comes from the store.
    const { keys } = (await loadAuthState(store)).state
    const loadedPreKey = (await keys.get('pre-key', ['1']))['1']
    expect([bytes(loadedPreKey?.public), bytes(loadedPreKey?.private)]).toEqual(['010203', '040506'])
    expect(bytes((await keys.get('session', ['15551234567.0']))['15551234567.0'])).toBe('070809')
    expect(await keys.get('sender-key-memory', ['120363@g.us'])).toEqual({
      '120363@g.us': { '15551234567:7@s.whatsapp.net': true },
    })
    const syncKey = (await keys.get('app-state-sync-key', ['AAAB'])).AAAB
    expect(syncKey).toBeInstanceOf(proto.Message.AppStateSyncKeyData)
    expect(bytes(syncKey?.keyData ?? undefined)).toBe('0909')
    expect(await keys.get('lid-mapping', ['15551234567', 'unknown'])).toEqual({ '15551234567': '123456789' })
    expect(await keys.get('device-list', ['15551234567'])).toEqual({ '15551234567': ['0', '7'] })
    const token = (await keys.get('tctoken', ['123456789@lid']))['123456789@lid']
    expect(token?.token.toString()).toBe('tok')
    expect(token?.timestamp).toBe('1700000000')
  })

  it('deletes a key set to null, in the store and not only in the cache', async () => {
    const store = new MemoryAuthStore()
    const { keys } = (await loadAuthState(store)).state
    await keys.set({ session: { a: new Uint8Array([1]), b: new Uint8Array([2]) } })
    await keys.set({ session: { a: null } })
    expect([...store.data.keys()]).toEqual(['session:b'])
    expect(await (await loadAuthState(store)).state.keys.get('session', ['a', 'b'])).toEqual({
      b: Buffer.from([2]),
    })
  })

  it('refuses stored creds it cannot read instead of silently starting a new account', async () => {
    const store = new MemoryAuthStore()
    store.data.set('creds', JSON.stringify({ hello: 'world' }))
    await expect(loadAuthState(store)).rejects.toThrow(/not Baileys credentials/)
    expect(store.data.get('creds')).toBe(JSON.stringify({ hello: 'world' }))
  })

  it('never lets an older creds write land after a newer one', async () => {
    const landed: string[] = []
    let inFlight = 0
    let maxInFlight = 0
    const release: (() => void)[] = []
    const slowStore: AuthStore = {
      get: async () => ({}),
      clear: async () => undefined,
      set: (entries) => {
        inFlight += 1
        maxInFlight = Math.max(maxInFlight, inFlight)
        return new Promise<void>((resolve) =>
          release.push(() => {
            inFlight -= 1
            landed.push(entries.creds ?? '')
            resolve()
          }),
        )
      },
    }
    const auth = await loadAuthState(slowStore)
    const save = (name: string) => {
      auth.state.creds.me = { id: '15551234567@s.whatsapp.net', name }
      return auth.saveCreds()
    }
    const writes = [save('one')]
    while (release.length === 0) await new Promise((resolve) => setImmediate(resolve))
    writes.push(save('two'), save('three')) // while 'one' is still on its way
    let done = false
    void Promise.all(writes).then(() => (done = true))
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve))
      release.pop()?.() // a store that would happily finish the newest write first
    }
    expect(maxInFlight).toBe(1)
    expect(JSON.parse(landed.at(-1) ?? '{}').me.name).toBe('three')
  })
})
