// Resolving media hosts without the libuv threadpool. `dns.lookup` runs getaddrinfo on that
// pool (4 threads, shared with fs and crypto): two media URLs on a domain whose DNS never
// answers held it for seconds, stalling every other tenant's media and even the WhatsApp
// connections of the node. c-ares (`dns.promises.Resolver`) is asynchronous and carries its own
// timeout, so a silent DNS server costs only the requests that need it.
import { Resolver as DnsResolver } from 'node:dns/promises'
import { MEDIA_DNS_TIMEOUT_MS } from '../../protocol/timing'
import { SendError } from '../engines/engine'
import { codeOf } from '../error-message'

export interface ResolvedAddress {
  address: string
  family: number
}

/** Every address a host name has, IPv4 and IPv6. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>

export interface DnsOptions {
  /** DNS servers to ask (`host` or `host:port`); the system's by default. */
  servers?: string[]
  /** One try waits this long; c-ares makes two. */
  timeoutMs?: number
}

/** c-ares does not read /etc/hosts: the one name every machine has is answered here. */
const LOCALHOST: ResolvedAddress[] = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
]

export function createDnsResolver(options: DnsOptions = {}): Resolver {
  const resolver = new DnsResolver({ timeout: options.timeoutMs ?? MEDIA_DNS_TIMEOUT_MS, tries: 2 })
  if (options.servers) resolver.setServers(options.servers)
  return async (hostname) => {
    if (hostname.toLowerCase() === 'localhost') return LOCALHOST
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(hostname), resolver.resolve6(hostname)])
    const addresses = [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
    ]
    if (addresses.length > 0) return addresses
    const reason = v4.status === 'rejected' ? codeOf(v4.reason) : 'no addresses'
    throw new SendError('media_unavailable', `the host ${hostname} could not be resolved (${reason})`)
  }
}
