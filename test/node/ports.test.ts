// The local stack's ports: tests start a wrangler dev on a port chosen seconds earlier, so the
// port must be one no other socket on the machine is handed in between.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { describe, expect, it } from 'vitest'
import { assertPortFree, freePort } from '../../scripts/ports'
import { lostOwnPort } from '../../scripts/stack-worker'

const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0])

describe('freePort', () => {
  it('picks free ports below the range the kernel hands out by itself', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()))
    for (const port of ports) {
      expect(port).toBeLessThan(ephemeralLow)
      await expect(assertPortFree(port)).resolves.toBeUndefined()
    }
    expect(new Set(ports).size).toBeGreaterThan(1)
  })

  it('never returns a port something listens on', async () => {
    const port = await freePort()
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
    try {
      await expect(assertPortFree(port)).rejects.toThrow(`port ${port} is already in use`)
      for (let i = 0; i < 50; i++) expect(await freePort()).not.toBe(port)
    } finally {
      server.close()
    }
  })
})

describe('a wrangler dev that lost a port', () => {
  // What wrangler 4.86 prints when workerd cannot bind (seen with the inspector's port held).
  const lines = (port: number) => [
    '*** Fatal uncaught kj::Exception: kj/async-io-unix.c++:945: failed: ::bind(sockfd, &addr.generic, addrlen): ' +
      `Address already in use; toString() = 127.0.0.1:${port}`,
  ]

  it('is started again when the port was one wrangler picked for itself', () => {
    expect(lostOwnPort(lines(9230), [8787, undefined])).toBe(true)
  })

  it('is not when the port was the one asked for, or nothing was taken', () => {
    expect(lostOwnPort(lines(8787), [8787, undefined])).toBe(false)
    expect(lostOwnPort(lines(9229), [8787, 9229])).toBe(false)
    expect(lostOwnPort(['✘ [ERROR] Build failed with 1 error'], [8787, undefined])).toBe(false)
  })
})
