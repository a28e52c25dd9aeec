// Ports of the local stack: a free one for tests, and a check that the one asked for is free.
import { createServer } from 'node:net'

/** A TCP port that is free on 127.0.0.1 right now. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })

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
