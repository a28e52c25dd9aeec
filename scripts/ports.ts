// Ports of the local stack: a free one for tests, and a check that the one asked for is free.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'

/** Where the kernel hands out ports of its own choosing (listen(0), every outgoing connection's source port). */
function ephemeralRange(): [number, number] {
  try {
    const [low = 0, high = 0] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number)
    if (low > 0 && high >= low) return [low, high]
  } catch {
    // not Linux: the IANA range
  }
  return [49152, 65535]
}

/** True when nothing listens on `port` on 127.0.0.1 right now. */
const isFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

/**
 * A TCP port that is free on 127.0.0.1 right now, chosen at random below the ephemeral range.
 * A port from listen(0) is one the kernel may give to any other socket (another test's server, an
 * outgoing connection) in the seconds before wrangler binds it, and wrangler then exits with
 * "Address already in use"; ports below the range are only ever taken by someone asking for them.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralRange()
  const low = Math.min(20_000, ephemeralLow - 1_000)
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = low + Math.floor(Math.random() * (ephemeralLow - low))
    if (await isFree(port)) return port
  }
  throw new Error(`no free port between ${low} and ${ephemeralLow}`)
}

/** Refuses a port something already listens on, naming it: never talk to a server we did not start. */
export const assertPortFree = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${port} is already in use (another \`npm run dev\`?): stop what holds it, or set DEV_PORT`
            : `port ${port} cannot be used: ${error.message}`,
        ),
      ),
    )
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
