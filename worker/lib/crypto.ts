// Secrets (API keys, node tokens, the admin token) are high-entropy random strings, so a single
// SHA-256 is the right hash: no salt or slow KDF is needed, and it is cheap on the hot path.
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** `length` characters of base62 drawn without modulo bias. */
export function randomBase62(length: number): string {
  let out = ''
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      // 248 = 4 * 62: bytes above it would favour the first characters.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62]
    }
  }
  return out
}

export async function sha256Hex(value: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** Constant-time equality of two hex digests (or any two strings of equal length). */
export function timingSafeEqualStrings(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a)
  const right = new TextEncoder().encode(b)
  if (left.byteLength !== right.byteLength) return false
  return crypto.subtle.timingSafeEqual(left, right)
}

export interface IssuedSecret {
  /** The whole secret, shown to its owner once. */
  plaintext: string
  /** The public start of the secret, stored in clear to find its row. */
  prefix: string
  hash: string
}

/**
 * A secret shaped `<kind>_<8 lookup chars><32 secret chars>`: the first part (with the kind) is
 * the stored lookup prefix, the whole string is hashed.
 */
export async function issueSecret(kind: string): Promise<IssuedSecret> {
  const prefix = `${kind}_${randomBase62(8)}`
  const plaintext = `${prefix}${randomBase62(32)}`
  return { plaintext, prefix, hash: await sha256Hex(plaintext) }
}

/** The lookup prefix of a presented secret, or null when it cannot be one of ours. */
export function prefixOf(kind: string, presented: string): string | null {
  const pattern = new RegExp(`^${kind}_[0-9A-Za-z]{40}$`)
  return pattern.test(presented) ? presented.slice(0, kind.length + 9) : null
}
