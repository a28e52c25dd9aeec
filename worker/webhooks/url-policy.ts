// Which URLs an endpoint may have. Deliveries are fetched by the worker, so a webhook URL must
// not become a way into private networks: https only, to a host name (no IP literals, no
// localhost or .local/.internal names). WEBHOOK_ALLOW_PRIVATE=1, for local development, also
// takes http:// and loopback or private addresses (a receiver on this machine).
const PRIVATE_NAME = /(^localhost$|\.localhost$|\.local$|\.internal$|\.lan$|\.home\.arpa$)/i
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** Why this URL cannot be a webhook endpoint, or null. */
export function webhookUrlProblem(text: string, allowPrivate: boolean): string | null {
  if (!URL.canParse(text)) return 'must be a valid URL'
  const url = new URL(text)
  if (url.username || url.password) return 'must not carry a user name or password'
  if (allowPrivate) return url.protocol === 'https:' || url.protocol === 'http:' ? null : 'must be an https:// URL'
  if (url.protocol !== 'https:') return 'must be an https:// URL'
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (IPV4.test(host) || host.includes(':')) return 'must name a host, not an IP address'
  if (PRIVATE_NAME.test(host) || !host.includes('.')) return 'must be a public host name'
  return null
}
