// Inbound messages with real processes: through the sandbox a simulated contact writes a text
// and sends an image, and the documented 1111 contact replies to a send. Each arrives at a
// local receiver as a signed message.received with the sender's phone; the image is
// downloadable from the API with the very bytes the contact sent; another company sees none of it.
import { createServer, type Server } from 'node:http'
import { Webhook as Verifier } from 'standardwebhooks'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, tempDir, until } from './harness'

interface Received {
  type: string
  data: {
    message_id: string
    text: string | null
    type: string
    sender: { phone: string | null }
    reply_to: { message_id: string | null } | null
  }
}

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, 7)])
let stack: Stack
let servers: Server[] = []
let base = ''
let secret = ''
const received: Received[] = []

const listen = (server: Server) =>
  new Promise<string>((resolve) => {
    servers.push(server)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`)
    })
  })

beforeAll(async () => {
  base = await listen(
    createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': JPEG.length }).end(JPEG)),
  )
  stack = await startStack({
    port: await freePort(),
    stateDir: tempDir('inbound'),
    nodes: 1,
    env: {
      WA_ENGINE: 'simulator',
      SIM_SCAN_DELAY_MS: '300',
      SIM_REPLY_MS: '300',
      MEDIA_ALLOW_PRIVATE: '1',
      WEBHOOK_ALLOW_PRIVATE: '1',
      LOG_LEVEL: 'warn',
    },
  })
})
afterAll(async () => {
  await stack?.stop()
  for (const server of servers) server.close()
  servers = []
})

describe('inbound messages end to end', () => {
  it('delivers a text, an image and a reply as signed message.received events with the sender phone', async () => {
    const client = clientsOf(stack)
    const device = (await client.api('POST', '/devices', { name: 'inbox' })).body.data
    await until(
      async () => ((await client.api('GET', `/devices/${device.id}/status`)).body.data.status === 'authenticated' ? true : undefined),
      30_000,
      'the device to link',
    )
    const hookUrl = await listen(
      createServer((req, res) => {
        let body = ''
        req.on('data', (chunk: Buffer) => (body += chunk.toString()))
        req.on('end', () => {
          received.push(new Verifier(secret).verify(body, req.headers as Record<string, string>) as Received)
          res.writeHead(200).end()
        })
      }),
    )
    const hook = await client.api('POST', '/webhooks', { url: `${hookUrl}/hooks`, event_types: ['message.received'] })
    secret = hook.body.data.secret

    const text = await client.api('POST', `/sandbox/devices/${device.id}/inbound`, {
      from: '+22370111100',
      text: 'Do you deliver on Sundays?',
    })
    expect(text.status).toBe(202)
    const image = await client.api('POST', `/sandbox/devices/${device.id}/inbound`, {
      from: '+22370111100',
      text: 'This one',
      media_url: `${base}/shoe.jpg`,
    })
    expect(image.status).toBe(202)
    const sent = await client.api('POST', '/send', { recipient: '+22370121111', message: 'Your order shipped' })

    const events = await until(
      async () => (received.length >= 3 ? received : undefined),
      30_000,
      () => `3 events, got ${received.length}`,
    )
    const byText = (t: string) => events.find((e) => e.data.text === t)!
    expect(byText('Do you deliver on Sundays?').data).toMatchObject({ type: 'text', sender: { phone: '+22370111100' } })
    expect(byText('Re: Your order shipped').data).toMatchObject({
      sender: { phone: '+22370121111' },
      reply_to: { message_id: sent.body.data.message_id },
    })
    const photo = byText('This one')
    expect(photo.data).toMatchObject({ type: 'image', media: { mimetype: 'image/jpeg', size: JPEG.length } })

    const download = await fetch(`${stack.baseUrl}/api/whatsapp/messages/${photo.data.message_id}/media`, {
      headers: { 'X-API-Key': stack.credentials.apiKey },
    })
    expect(download.status).toBe(200)
    expect(download.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.from(await download.arrayBuffer()).equals(JPEG)).toBe(true)

    const inbox = (await client.api('GET', '/messages?direction=inbound')).body.data.messages
    expect(inbox.map((m) => m.text).sort()).toEqual(['Do you deliver on Sundays?', 'Re: Your order shipped', 'This one'])

    // A reply quoting the contact's message, and a read mark for it.
    const question = byText('Do you deliver on Sundays?').data.message_id
    const answer = await client.api('POST', '/send', { recipient: '+22370111100', message: 'Yes, until noon', reply_to: question })
    expect(answer.status).toBe(200)
    const marked = await client.api('POST', `/messages/${question}/read`)
    expect(marked.status).toBe(200)
    expect(marked.body.data.read_at).toEqual(expect.any(String))

    // Another company: none of it, not even the media.
    const other = (await client.admin('POST', '/companies', { name: 'Other' })).body.data
    const otherKey = (await client.admin('POST', `/companies/${other.id}/api-keys`, { name: 'k', service_type: 'whatsapp' })).body.data.key
    const stranger = await fetch(`${stack.baseUrl}/api/whatsapp/messages/${photo.data.message_id}/media`, {
      headers: { 'X-API-Key': otherKey },
    })
    expect(stranger.status).toBe(404)
    const otherClient = clientsOf({ ...stack, credentials: { apiKey: otherKey } })
    expect((await otherClient.api('POST', `/sandbox/devices/${device.id}/inbound`, { from: '+22370111100', text: 'x' })).status).toBe(404)
  }, 120_000)
})
