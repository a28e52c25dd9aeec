// Which hosts and addresses a media URL may point at. A send's `media_url` comes from a client,
// so without this rule any API key could make a node fetch from its own network: the cloud
// metadata service (169.254.169.254), the worker's private services, a database port on
// localhost. Only public unicast addresses pass. The check works on bytes, so every spelling of
// an address (IPv4-mapped IPv6, NAT64, 6to4) is judged as the IPv4 address it carries.
import { isIPv4, isIPv6 } from 'node:net'

interface Range {
  bytes: number[]
  prefix: number
  reason: string
}

const v4 = (cidr: string, reason: string): Range => {
  const [address = '', prefix = '32'] = cidr.split('/')
  return { bytes: address.split('.').map(Number), prefix: Number(prefix), reason }
}

const v6 = (cidr: string, reason: string): Range => {
  const [address = '', prefix = '128'] = cidr.split('/')
  return { bytes: parseIPv6(address) ?? [], prefix: Number(prefix), reason }
}

const IPV4_FORBIDDEN: Range[] = [
  v4('0.0.0.0/8', 'a "this network" address'),
  v4('10.0.0.0/8', 'a private address'),
  v4('100.64.0.0/10', 'a carrier-grade NAT address'),
  v4('127.0.0.0/8', 'a loopback address'),
  v4('169.254.0.0/16', 'a link-local address (cloud metadata lives there)'),
  v4('172.16.0.0/12', 'a private address'),
  v4('192.0.0.0/24', 'an IETF protocol address'),
  v4('192.0.2.0/24', 'a documentation address'),
  v4('192.168.0.0/16', 'a private address'),
  v4('198.18.0.0/15', 'a benchmarking address'),
  v4('198.51.100.0/24', 'a documentation address'),
  v4('203.0.113.0/24', 'a documentation address'),
  v4('224.0.0.0/4', 'a multicast address'),
  v4('240.0.0.0/4', 'a reserved or broadcast address'),
]

const IPV6_FORBIDDEN: Range[] = [
  v6('64:ff9b:1::/48', 'a local NAT64 address'),
  v6('100::/64', 'a discard address'),
  v6('2001::/32', 'a Teredo tunnel address'),
  v6('2001:db8::/32', 'a documentation address'),
  v6('fc00::/7', 'a unique-local address'),
  v6('fe80::/10', 'a link-local address'),
  v6('fec0::/10', 'a site-local address'),
  v6('ff00::/8', 'a multicast address'),
]

const IPV6_SPECIAL: Range[] = [v6('::1/128', 'a loopback address'), v6('::/128', 'the unspecified address')]

/** IPv6 prefixes that carry an IPv4 address, and where it sits: judged as that IPv4 address. */
const IPV4_CARRIERS: { range: Range; offset: number }[] = [
  // ::a.b.c.d (deprecated "IPv4-compatible"; :: and ::1 land in 0.0.0.0/8 and are refused there).
  { range: v6('::/96', ''), offset: 12 },
  { range: v6('::ffff:0:0/96', ''), offset: 12 },
  { range: v6('64:ff9b::/96', ''), offset: 12 },
  { range: v6('2002::/16', ''), offset: 2 },
]

function inRange(bytes: number[], range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false
  for (let bit = 0; bit < range.prefix; bit += 8) {
    const take = Math.min(8, range.prefix - bit)
    const mask = (0xff << (8 - take)) & 0xff
    if (((bytes[bit / 8] ?? 0) & mask) !== ((range.bytes[bit / 8] ?? 0) & mask)) return false
  }
  return true
}

/** 16 bytes of an IPv6 address (an embedded dotted quad and a `%zone` allowed), or null. */
export function parseIPv6(text: string): number[] | null {
  let address = text.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  if (!isIPv6(address)) return null
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address)
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number)
    address = `${address.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = address.split('::')
  const groups = (part: string) => (part === '' ? [] : part.split(':'))
  const left = groups(head)
  const right = tail === undefined ? [] : groups(tail)
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0')
  const words = [...left, ...fill, ...right].map((group) => parseInt(group, 16))
  if (words.length !== 8 || words.some((word) => Number.isNaN(word))) return null
  return words.flatMap((word) => [word >> 8, word & 0xff])
}

/** Why this address must not be fetched from, or null for a public unicast address. */
export function forbiddenAddress(address: string): string | null {
  if (isIPv4(address)) {
    const bytes = address.split('.').map(Number)
    return IPV4_FORBIDDEN.find((range) => inRange(bytes, range))?.reason ?? null
  }
  const bytes = parseIPv6(address)
  if (!bytes) return 'not an IP address'
  const special = IPV6_SPECIAL.find((range) => inRange(bytes, range))
  if (special) return special.reason
  for (const { range, offset } of IPV4_CARRIERS) {
    if (inRange(bytes, range)) return forbiddenAddress(bytes.slice(offset, offset + 4).join('.'))
  }
  return IPV6_FORBIDDEN.find((range) => inRange(bytes, range))?.reason ?? null
}

/** Names that mean "this machine" whatever DNS says (RFC 6761). */
export function forbiddenHostName(hostname: string): string | null {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  if (name === 'localhost' || name.endsWith('.localhost')) return 'a name for this machine'
  return null
}
