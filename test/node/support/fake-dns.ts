// A DNS server on 127.0.0.1 for the node tests: it answers the names it is given (A records)
// and never answers the ones it is told to ignore, like a DNS server that is down.
import { createSocket, type RemoteInfo } from 'node:dgram'
import type { AddressInfo } from 'node:net'

const TYPE_A = 1

/** The question name and type of a DNS query. */
function questionOf(query: Buffer): { name: string; type: number; end: number } {
  const labels: string[] = []
  let at = 12
  while (query[at]) {
    const length = query[at]!
    labels.push(query.subarray(at + 1, at + 1 + length).toString())
    at += length + 1
  }
  return { name: labels.join('.').toLowerCase(), type: query.readUInt16BE(at + 1), end: at + 5 }
}

function answer(query: Buffer, end: number, ipv4: string | null): Buffer {
  const header = Buffer.alloc(12)
  query.copy(header, 0, 0, 2) // the id
  header.writeUInt16BE(0x8180, 2) // a response, recursion available, no error
  header.writeUInt16BE(1, 4)
  header.writeUInt16BE(ipv4 ? 1 : 0, 6)
  const question = query.subarray(12, end)
  if (!ipv4) return Buffer.concat([header, question])
  const record = Buffer.alloc(16)
  record.writeUInt16BE(0xc00c, 0) // the name, as a pointer to the question
  record.writeUInt16BE(TYPE_A, 2)
  record.writeUInt16BE(1, 4) // IN
  record.writeUInt32BE(60, 6)
  record.writeUInt16BE(4, 10)
  ipv4.split('.').forEach((octet, i) => record.writeUInt8(Number(octet), 12 + i))
  return Buffer.concat([header, question, record])
}

export interface FakeDns {
  /** `127.0.0.1:<port>`, for a resolver's servers. */
  server: string
  /** Queries received, by name. */
  queries: string[]
  close(): Promise<void>
}

export async function startFakeDns(names: Record<string, string>, silent: string[]): Promise<FakeDns> {
  const socket = createSocket('udp4')
  const queries: string[] = []
  socket.on('message', (query: Buffer, peer: RemoteInfo) => {
    const { name, type, end } = questionOf(query)
    queries.push(name)
    if (silent.includes(name)) return
    socket.send(answer(query, end, type === TYPE_A ? (names[name] ?? null) : null), peer.port, peer.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address() as AddressInfo
  return { server: `127.0.0.1:${port}`, queries, close: () => new Promise((resolve) => socket.close(() => resolve())) }
}
