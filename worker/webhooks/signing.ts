// Standard Webhooks signatures (https://www.standardwebhooks.com): `v1,` and the base64
// HMAC-SHA256, keyed with the secret's bytes, of `<webhook-id>.<webhook-timestamp>.<body>`.
// During a rotation both secrets sign, space-separated, so a receiver holding either verifies.
// Receivers check them with the `standardwebhooks` package, unchanged.

const SECRET_PREFIX = 'whsec_'
const SECRET_BYTES = 32

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

/** A new endpoint secret: `whsec_` and 32 random bytes in base64. */
export function newSecret(): string {
  return SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))
}

export async function signature(secret: string, id: string, timestampSec: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    fromBase64(secret.slice(SECRET_PREFIX.length)),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestampSec}.${body}`))
  return `v1,${toBase64(new Uint8Array(mac))}`
}

/** The three Standard Webhooks headers for one attempt, signed with every secret given. */
export async function webhookHeaders(secrets: string[], id: string, timestampSec: number, body: string): Promise<Record<string, string>> {
  const signatures = await Promise.all(secrets.map((secret) => signature(secret, id, timestampSec, body)))
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampSec), 'webhook-signature': signatures.join(' ') }
}
