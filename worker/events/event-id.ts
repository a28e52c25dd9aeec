// Event ids derived from what the event announces: `evt_` and 26 base32 characters of the
// SHA-256 of its source ("message.read|<message id>", "message.received|<device>|<wa id>", …).
// The same source always gives the same id, so a change told twice is stored once and a
// receiver sees one `webhook-id` however often it is delivered. Synchronous on purpose: ids are
// made inside the SQLite transaction that records the change.
import { sha256 } from '@noble/hashes/sha2.js'

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

function base32(bytes: Uint8Array, length: number): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5 && out.length < length) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
    buffer &= 0xff
  }
  return out
}

/** `<prefix>_` and 26 base32 characters of the source's SHA-256. */
export const derivedId = (prefix: string, source: string): string => `${prefix}_${base32(sha256(new TextEncoder().encode(source)), 26)}`

export const eventIdOf = (source: string): string => derivedId('evt', source)
