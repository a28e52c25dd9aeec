// One device: the live card (QR → "Linked", over a bounded Server-Sent Events stream with
// keepalives), linking with a phone number instead, settings, and "Send a test message" with
// the message's status shown live.
import { Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { Device, DeviceStatusView, PairingCode, SendResult } from '../api-types'
import { ErrorBox, PostButton } from '../components'
import type { DashApi } from '../api-client'
import type { DashContext, DashEnv } from '../dash-env'
import { DeviceCard, type CardState } from '../device-card'
import { Layout } from '../layout'
import { formField, notFoundIfMissing } from '../forms'
import { StatusChip } from './messages'

/** How often the stream looks at the device, how often it says it is alive, and how long it lasts (the browser reconnects). */
export const LIVE_POLL_MS = 1_000
export const LIVE_KEEPALIVE_MS = 15_000
export const LIVE_STREAM_MS = 120_000

async function cardState(api: DashApi, id: string): Promise<CardState> {
  const [status, qr] = await Promise.all([
    api.call<DeviceStatusView>('GET', `/devices/${id}/status`),
    api.call<{ qr_code: string | null; expires_at: string | null }>('GET', `/devices/${id}/qr`),
  ])
  return { status: notFoundIfMissing(status), qr: qr.ok ? qr.data : { qr_code: null, expires_at: null } }
}

interface PageExtras {
  pairing?: PairingCode
  error?: { code: string; message: string } | null
  sent?: SendResult
}

async function devicePage(c: DashContext, extras: PageExtras = {}, status = 200) {
  const id = c.req.param('id')!
  const api = c.get('api')
  const device = notFoundIfMissing(await api.call<Device>('GET', `/devices/${id}`))
  const card = await DeviceCard(await cardState(api, id))
  return c.html(
    <Layout title={device.name} nav="company" who={c.get('who')}>
      <h1>{device.name}</h1>
      <ErrorBox error={extras.error} />
      <div hx-ext="sse" sse-connect={`/dash/devices/${device.id}/live`} sse-swap="card">
        {card}
      </div>
      <section class="panel">
        <h2>Link with phone number instead</h2>
        <form method="post" action={`/dash/devices/${device.id}/pairing-code`} class="row">
          <div>
            <label for="pairing-phone">Phone number</label>
            <input id="pairing-phone" name="phone_number" placeholder="+22370123456" required />
          </div>
          <button type="submit">Get a code</button>
        </form>
        {extras.pairing && (
          <p>
            On the phone: Linked devices → Link with phone number, then enter{' '}
            <strong class="secret">{`${extras.pairing.pairing_code.slice(0, 4)}-${extras.pairing.pairing_code.slice(4)}`}</strong>
          </p>
        )}
      </section>
      <section class="panel">
        <h2>Send a test message</h2>
        <form
          method="post"
          action={`/dash/devices/${device.id}/test-message`}
          hx-post={`/dash/devices/${device.id}/test-message`}
          hx-target="#test-result"
        >
          <label for="test-recipient">Recipient</label>
          <input id="test-recipient" name="recipient" placeholder="+22370123456" required />
          <label for="test-message">Message</label>
          <textarea id="test-message" name="message" rows={3}></textarea>
          <label for="test-media">Media URL (optional)</label>
          <input id="test-media" name="media_url" type="url" placeholder="https://example.com/flyer.png" />
          <p>
            <button type="submit">Send</button>
          </p>
        </form>
        <div id="test-result" aria-live="polite">
          {extras.sent && <SentResult sent={extras.sent} />}
        </div>
      </section>
      <section class="panel">
        <h2>Settings</h2>
        <form method="post" action={`/dash/devices/${device.id}/settings`} class="row">
          <div>
            <label for="rename">Name</label>
            <input id="rename" name="name" value={device.name} required maxlength={100} />
          </div>
          <div>
            <label for="interval">Send interval (ms, empty for the default)</label>
            <input
              id="interval"
              name="send_interval_ms"
              type="number"
              min={0}
              max={600000}
              value={device.send_interval_ms?.toString() ?? ''}
            />
          </div>
          <button type="submit">Save</button>
        </form>
        <div class="row">
          <PostButton
            action={`/dash/devices/${device.id}/${device.is_active ? 'pause' : 'resume'}`}
            label={device.is_active ? 'Pause' : 'Resume'}
          />
          <form method="get" action={`/dash/devices/${device.id}/delete`}>
            <button type="submit" class="danger">
              Delete
            </button>
          </form>
        </div>
      </section>
    </Layout>,
    status as 200,
  )
}

function SentResult(props: { sent: SendResult }) {
  return (
    <p>
      Message <code>{props.sent.message_id}</code>: <StatusChip messageId={props.sent.message_id} status={props.sent.status} />
    </p>
  )
}

async function sendTest(c: DashContext) {
  const body = await c.req.parseBody()
  const text = (name: string) => (typeof body[name] === 'string' && body[name].trim() !== '' ? body[name].trim() : undefined)
  return c.get('api').call<SendResult>('POST', '/send', {
    recipient: text('recipient') ?? '',
    message: text('message'),
    media_url: text('media_url'),
    device_id: Number(c.req.param('id')),
  })
}

export const deviceDetailPages = new Hono<DashEnv>()
  .get('/devices/:id{[0-9]+}', (c) => devicePage(c))
  .get('/devices/:id{[0-9]+}/live', async (c) => {
    const id = c.req.param('id')
    const api = c.get('api')
    // Read before the stream opens: a device of another company is a 404, and this is the first card.
    let state: CardState | null = await cardState(api, id)
    return streamSSE(c, async (stream) => {
      const started = Date.now()
      let last = ''
      let quietSince = Date.now()
      await stream.writeSSE({ event: 'hello', data: '', retry: 2_000 })
      while (!stream.aborted && Date.now() - started < LIVE_STREAM_MS) {
        const html = (await DeviceCard(state ?? (await cardState(api, id)))).toString()
        state = null
        if (html !== last) {
          await stream.writeSSE({ event: 'card', data: html })
          last = html
          quietSince = Date.now()
        } else if (Date.now() - quietSince >= LIVE_KEEPALIVE_MS) {
          await stream.write(': keepalive\n\n')
          quietSince = Date.now()
        }
        await stream.sleep(LIVE_POLL_MS)
      }
    })
  })
  .post('/devices/:id{[0-9]+}/pairing-code', async (c) => {
    const answer = await c.get('api').call<PairingCode>('POST', `/devices/${c.req.param('id')}/pairing-code`, {
      phone_number: await formField(c, 'phone_number'),
    })
    return answer.ok ? devicePage(c, { pairing: answer.data }) : devicePage(c, { error: answer.error }, answer.status)
  })
  .post('/devices/:id{[0-9]+}/settings', async (c) => {
    const interval = await formField(c, 'send_interval_ms')
    const answer = await c.get('api').call('PATCH', `/devices/${c.req.param('id')}`, {
      name: await formField(c, 'name'),
      send_interval_ms: interval === '' ? null : Number(interval),
    })
    return answer.ok ? c.redirect(`/dash/devices/${c.req.param('id')}`, 303) : devicePage(c, { error: answer.error }, answer.status)
  })
  .post('/devices/:id{[0-9]+}/test-message', async (c) => {
    const answer = await sendTest(c)
    if (c.req.header('HX-Request')) {
      return c.html(answer.ok ? <SentResult sent={answer.data} /> : <ErrorBox error={answer.error} />)
    }
    return answer.ok ? devicePage(c, { sent: answer.data }) : devicePage(c, { error: answer.error }, answer.status)
  })
