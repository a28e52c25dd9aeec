// `npm run webhooks:listen`: a local webhook receiver for development, like `stripe listen`.
// It listens on a free port, registers itself as a webhook endpoint of the dev company (the key
// `npm run dev` seeded, or WA_API_KEY), verifies every delivery's signature with the
// `standardwebhooks` package and prints each event as it arrives. Ctrl-C removes the endpoint.
// The worker must take http:// to this machine: `npm run dev` sets WEBHOOK_ALLOW_PRIVATE=1.
//   WA_API_URL   the worker (default http://127.0.0.1:$DEV_PORT, DEV_PORT 8000)
//   WA_API_KEY   the API key (default: the one in $DEV_STATE_DIR/dev-credentials.json)
//   EVENT_TYPES  comma-separated types to receive (default: all)
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Webhook } from 'standardwebhooks'
import { ROOT } from './stack'

const api = process.env.WA_API_URL ?? `http://127.0.0.1:${process.env.DEV_PORT ?? 8000}`
const credentialsFile = join(process.env.DEV_STATE_DIR ?? join(ROOT, '.dev'), 'dev-credentials.json')
const key =
  process.env.WA_API_KEY ??
  (existsSync(credentialsFile) ? (JSON.parse(readFileSync(credentialsFile, 'utf8')) as { apiKey?: string }).apiKey : undefined)
if (!key) {
  console.error(`No API key: start \`npm run dev\` first (it writes ${credentialsFile}) or set WA_API_KEY.`)
  process.exit(1)
}
const eventTypes = process.env.EVENT_TYPES ? process.env.EVENT_TYPES.split(',').map((t) => t.trim()) : ['*']

const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${api}/api/whatsapp${path}`, {
    method,
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  })
  return {
    status: res.status,
    body: (await res.json()) as { data?: { id: number; secret: string }; error?: { code: string; message: string } },
  }
}

let verifier: Webhook | null = null
const server = createServer((req, res) => {
  let body = ''
  req.on('data', (chunk: Buffer) => (body += chunk.toString()))
  req.on('end', () => {
    try {
      if (!verifier) throw new Error('not registered yet')
      const event = verifier.verify(body, req.headers as Record<string, string>) as {
        id: string
        type: string
        device_id: number | null
        sequence: number
        data: unknown
      }
      console.log(
        `${new Date().toISOString()}  ${event.type.padEnd(18)} ${event.id}  device ${event.device_id ?? '-'} #${event.sequence}  ` +
          JSON.stringify(event.data),
      )
      res.writeHead(200).end('ok')
    } catch (error) {
      console.log(`${new Date().toISOString()}  refused a delivery: ${String(error)}`)
      res.writeHead(400).end('bad signature')
    }
  })
})
server.listen(0, '127.0.0.1', async () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const created = await call('POST', '/webhooks', { url, event_types: eventTypes, description: 'npm run webhooks:listen' }).catch(
    (error: unknown) => {
      console.error(`Could not reach the worker at ${api}: ${String(error)}`)
      process.exit(1)
    },
  )
  if (created.status !== 201 || !created.body.data) {
    console.error(`Could not register the endpoint: ${created.status} ${created.body.error?.code}: ${created.body.error?.message}`)
    if (created.body.error?.code === 'validation_error')
      console.error('Is the worker running with WEBHOOK_ALLOW_PRIVATE=1 (npm run dev sets it)?')
    process.exit(1)
  }
  const endpoint = created.body.data
  verifier = new Webhook(endpoint.secret)
  console.log(`Listening on ${url} as webhook endpoint ${endpoint.id} (${eventTypes.join(', ')}); signatures verified. Ctrl-C to stop.`)
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    const removed = await call('DELETE', `/webhooks/${endpoint.id}`).catch(() => ({ status: 0 }))
    console.log(
      removed.status === 200
        ? `Removed webhook endpoint ${endpoint.id}.`
        : `Could not remove webhook endpoint ${endpoint.id}; delete it yourself.`,
    )
    server.close()
    process.exit(removed.status === 200 ? 0 : 1)
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop())
})
