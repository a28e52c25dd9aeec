// The soak's webhook receiver: every delivery, by its `webhook-id` (one per event), counting repeats.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export async function startReceiver() {
  const received = new Map<string, number>()
  const server = createServer((req, res) => {
    const id = String(req.headers['webhook-id'] ?? '')
    req.resume()
    req.on('end', () => {
      received.set(id, (received.get(id) ?? 0) + 1)
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
