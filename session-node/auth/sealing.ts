// What keeps WhatsApp credentials useless to anyone who reads the worker's storage: values are
// sealed with AES-256-GCM and names are replaced by HMAC-SHA256, both with keys derived from
// SESSION_ENCRYPTION_KEY, which only the nodes hold. Every node must share the same key, or a
// device moved to another node could not resume.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'

const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16
// Fixed per purpose: the two derived keys are independent, so an HMAC of a name can never be
// turned into anything about the encryption key, and vice versa.
const SALT = 'edge-whatsapp/session-node/auth-state'

export type Opened = { ok: true; value: string } | { ok: false; error: string }

export interface Sealer {
  /**
   * Encrypts `plaintext`. `context` (e.g. the device and entry name) is authenticated but not
   * stored: a sealed value copied to another name or device will not open there.
   */
  seal(plaintext: string, context: string): string
  open(sealed: string, context: string): Opened
  /** A stable, opaque stand-in for an entry name: 64 hex characters. */
  name(name: string): string
}

const derive = (key: Buffer, purpose: string) => Buffer.from(hkdfSync('sha256', key, SALT, purpose, 32))

export function createSealer(masterKey: Buffer): Sealer {
  if (masterKey.length !== 32) throw new Error('the session encryption key must be 32 bytes')
  const encKey = derive(masterKey, 'aes-256-gcm values v1')
  const macKey = derive(masterKey, 'hmac-sha256 names v1')

  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', encKey, iv, { authTagLength: TAG_BYTES })
      cipher.setAAD(Buffer.from(context, 'utf8'))
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
      return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`
    },

    open(sealed, context) {
      const [version, payload, extra] = sealed.split('.')
      if (version !== VERSION || payload === undefined || extra !== undefined) return { ok: false, error: 'unknown sealed format' }
      const bytes = Buffer.from(payload, 'base64url')
      if (bytes.length < IV_BYTES + TAG_BYTES) return { ok: false, error: 'sealed value too short' }
      try {
        const decipher = createDecipheriv('aes-256-gcm', encKey, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES })
        decipher.setAAD(Buffer.from(context, 'utf8'))
        decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
        const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()])
        return { ok: true, value: plain.toString('utf8') }
      } catch {
        // GCM says only "unable to authenticate": a wrong key and a tampered value look the same.
        return { ok: false, error: 'sealed value failed authentication (tampered, or sealed with another key)' }
      }
    },

    name(name) {
      return createHmac('sha256', macKey).update(name, 'utf8').digest('hex')
    },
  }
}
