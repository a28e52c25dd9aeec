// What the worker stores for a device must be useless without SESSION_ENCRYPTION_KEY: values
// sealed (and tamper-evident), names replaced by stable HMACs.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createSealer } from '../../session-node/auth/sealing'

const key = randomBytes(32)
const sealer = createSealer(key)
const creds = JSON.stringify({ registered: true, phone: '+15550000042', noiseKey: 'c2VjcmV0LWtleS1tYXRlcmlhbA==' })

describe('sealing auth values', () => {
  it('round-trips, with a fresh nonce each time and nothing readable in the sealed text', () => {
    const a = sealer.seal(creds, 'device:1:creds')
    const b = sealer.seal(creds, 'device:1:creds')
    expect(a).not.toBe(b)
    for (const sealed of [a, b]) {
      expect(sealed).not.toContain('15550000042')
      expect(sealed).not.toContain('registered')
      expect(sealer.open(sealed, 'device:1:creds')).toEqual({ ok: true, value: creds })
    }
    expect(sealer.open(sealer.seal('', 'c'), 'c')).toEqual({ ok: true, value: '' })
    const unicode = 'ünïcødé ✓ 🔐'
    expect(sealer.open(sealer.seal(unicode, 'c'), 'c')).toEqual({ ok: true, value: unicode })
  })

  it('detects any tampering, a value moved to another entry or device, and another key', () => {
    const sealed = sealer.seal(creds, 'device:1:creds')
    const [version, payload] = sealed.split('.') as [string, string]
    const bytes = Buffer.from(payload, 'base64url')
    for (const index of [0, 13, 30, bytes.length - 1]) {
      const flipped = Buffer.from(bytes)
      flipped[index] = flipped[index]! ^ 0x01
      expect(sealer.open(`${version}.${flipped.toString('base64url')}`, 'device:1:creds').ok).toBe(false)
    }
    expect(sealer.open(`${version}.${bytes.subarray(0, bytes.length - 1).toString('base64url')}`, 'device:1:creds').ok).toBe(false)
    expect(sealer.open(sealed, 'device:2:creds').ok).toBe(false)
    expect(sealer.open(sealed, 'device:1:other').ok).toBe(false)
    expect(createSealer(randomBytes(32)).open(sealed, 'device:1:creds').ok).toBe(false)
    for (const junk of ['', 'v1', 'v1.', 'v2.' + payload, `${sealed}.extra`, 'not sealed at all']) {
      expect(sealer.open(junk, 'device:1:creds').ok).toBe(false)
    }
  })

  it('names are stable 64-hex HMACs that reveal nothing and depend on the key', () => {
    const name = 'session:15550000042.0@s.whatsapp.net'
    expect(sealer.name(name)).toMatch(/^[0-9a-f]{64}$/)
    expect(sealer.name(name)).toBe(createSealer(Buffer.from(key)).name(name))
    expect(sealer.name(name)).not.toContain('15550000042')
    expect(sealer.name('creds')).not.toBe(sealer.name('Creds'))
    expect(createSealer(randomBytes(32)).name(name)).not.toBe(sealer.name(name))
  })

  it('refuses a key that is not 32 bytes', () => {
    expect(() => createSealer(randomBytes(16))).toThrow(/32 bytes/)
  })
})
