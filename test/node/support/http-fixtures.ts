// Real HTTP servers on 127.0.0.1 for the node tests, and small files of real formats to serve.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 1)])
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(60, 2)])
export const PDF = Buffer.from('%PDF-1.7\n% a small document\n')

export type Handler = (request: IncomingMessage, response: ServerResponse) => void

const servers: Server[] = []

/** Closes every server this test started. Call it in `afterEach`. */
export async function closeServers(): Promise<void> {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

/** A server on 127.0.0.1 answering each path with its handler (404 otherwise); returns its base URL. */
export async function serve(routes: Record<string, Handler>): Promise<{ base: string; port: number; hits: string[] }> {
  const hits: string[] = []
  const server = createServer((request, response) => {
    const path = request.url ?? '/'
    hits.push(path)
    const handler = routes[path.split('?')[0]!]
    if (handler) handler(request, response)
    else response.writeHead(404).end()
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return { base: `http://127.0.0.1:${port}`, port, hits }
}

export const send =
  (body: Buffer | string, headers: Record<string, string | number> = {}): Handler =>
  (_request, response) => {
    response.writeHead(200, headers).end(body)
  }

export const redirect =
  (location: string): Handler =>
  (_request, response) => {
    response.writeHead(302, { location }).end()
  }
