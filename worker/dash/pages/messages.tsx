// Messages: filters (device, direction, status, batch), cursor pages, status chips in the API's
// words, one message's detail (as the API returns it), and an inbound message's media.
import { Hono } from 'hono'
import type { Device, Message, MessageList } from '../api-types'
import { Chip, Empty, ErrorBox, Time } from '../components'
import type { DashEnv } from '../dash-env'
import { Layout } from '../layout'
import { notFoundIfMissing } from '../forms'
import { VISIBLE_MESSAGE_STATUSES } from '../../durable-objects/device/message-kinds'

/** Statuses a message does not leave: a chip showing one stops asking. */
const SETTLED = ['read', 'failed', 'cancelled', 'received']

/** A message's status, asking again every second until it settles (htmx). */
export function StatusChip(props: { messageId: string; status: string }) {
  if (SETTLED.includes(props.status)) return <Chip status={props.status} />
  return (
    <span hx-get={`/dash/messages/${encodeURIComponent(props.messageId)}/chip`} hx-trigger="every 1s" hx-swap="outerHTML">
      <Chip status={props.status} />
    </span>
  )
}

const FILTERS = ['device_id', 'direction', 'status', 'batch_id', 'cursor'] as const

export const messagePages = new Hono<DashEnv>()
  .get('/messages', async (c) => {
    const api = c.get('api')
    const query = new URLSearchParams()
    for (const name of FILTERS) {
      const value = c.req.query(name)
      if (value) query.set(name, value)
    }
    query.set('limit', '50')
    const [listed, devices] = await Promise.all([api.call<MessageList>('GET', `/messages?${query}`), api.call<Device[]>('GET', '/devices')])
    const next =
      listed.ok && listed.data.next_cursor ? new URLSearchParams({ ...Object.fromEntries(query), cursor: listed.data.next_cursor }) : null
    const selected = (name: string, value: string) => c.req.query(name) === value
    return c.html(
      <Layout title="Messages" nav="company" who={c.get('who')}>
        <h1>Messages</h1>
        <form method="get" action="/dash/messages" class="row panel">
          <div>
            <label for="f-device">Device</label>
            <select id="f-device" name="device_id">
              <option value="">All devices</option>
              {(devices.ok ? devices.data : []).map((d) => (
                <option value={String(d.id)} selected={selected('device_id', String(d.id))}>
                  {d.name}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-direction">Direction</label>
            <select id="f-direction" name="direction">
              <option value="">Both</option>
              <option value="outbound" selected={selected('direction', 'outbound')}>
                outbound
              </option>
              <option value="inbound" selected={selected('direction', 'inbound')}>
                inbound
              </option>
            </select>
          </div>
          <div>
            <label for="f-status">Status</label>
            <select id="f-status" name="status">
              <option value="">Any</option>
              {VISIBLE_MESSAGE_STATUSES.map((s) => (
                <option value={s} selected={selected('status', s)}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="f-batch">Batch</label>
            <input id="f-batch" name="batch_id" value={c.req.query('batch_id') ?? ''} />
          </div>
          <button type="submit">Filter</button>
        </form>
        <ErrorBox error={listed.ok ? null : listed.error} />
        {listed.ok && listed.data.messages.length === 0 && <Empty>No messages match.</Empty>}
        {listed.ok && listed.data.messages.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Created</th>
                <th>Direction</th>
                <th>Recipient / sender</th>
                <th>Type</th>
                <th>Status</th>
                <th>Text</th>
              </tr>
            </thead>
            <tbody>
              {listed.data.messages.map((m) => (
                <tr>
                  <td>
                    <a href={`/dash/messages/${encodeURIComponent(m.message_id)}`}>
                      <Time at={m.created_at} />
                    </a>
                  </td>
                  <td>{m.direction}</td>
                  <td>{m.recipient}</td>
                  <td>{m.type}</td>
                  <td>
                    <StatusChip messageId={m.message_id} status={m.status} />
                    {m.error && <span class="muted"> {m.error}</span>}
                  </td>
                  <td>{(m.text ?? '').slice(0, 80)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {next && (
          <p>
            <a href={`/dash/messages?${next}`}>Older</a>
          </p>
        )}
      </Layout>,
    )
  })
  .get('/messages/:id/chip', async (c) => {
    const message = notFoundIfMissing(await c.get('api').call<Message>('GET', `/messages/${encodeURIComponent(c.req.param('id'))}`))
    return c.html(<StatusChip messageId={message.message_id} status={message.status} />)
  })
  .get('/messages/:id/media', async (c) => {
    const res = await c.get('api').raw(`/messages/${encodeURIComponent(c.req.param('id'))}/media`)
    if (res.status === 404)
      return c.html(
        <Layout title="Not found" nav="company" who={c.get('who')}>
          <h1>Not found</h1>
        </Layout>,
        404,
      )
    return new Response(res.body, { status: res.status, headers: res.headers })
  })
  .get('/messages/:id', async (c) => {
    const m = notFoundIfMissing(await c.get('api').call<Message>('GET', `/messages/${encodeURIComponent(c.req.param('id'))}`))
    const times: Array<[string, string | null]> = [
      ['Created', m.created_at],
      ['Scheduled for', m.send_at],
      ['Received', m.received_at],
      ['Sent', m.sent_at],
      ['Delivered', m.delivered_at],
      ['Read', m.read_at],
      ['Failed', m.failed_at],
      ['Cancelled', m.cancelled_at],
    ]
    return c.html(
      <Layout title="Message" nav="company" who={c.get('who')}>
        <h1>
          Message <code>{m.message_id}</code>
        </h1>
        <section class="panel">
          <p>
            <StatusChip messageId={m.message_id} status={m.status} /> {m.direction} {m.type} · {m.recipient}
            {m.error && <span class="error"> {m.error}</span>}
          </p>
          {m.text && <p>{m.text}</p>}
          {m.media?.url && (
            <p>
              <a href={`/dash/messages/${encodeURIComponent(m.message_id)}/media`}>Download {m.media.file_name ?? m.media.mimetype}</a>
            </p>
          )}
          <table>
            <tbody>
              {times
                .filter(([, at]) => at)
                .map(([label, at]) => (
                  <tr>
                    <th>{label}</th>
                    <td>
                      <Time at={at} />
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </section>
        <h2>As the API returns it</h2>
        <pre>{JSON.stringify(m, null, 2)}</pre>
      </Layout>,
    )
  })
