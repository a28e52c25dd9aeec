// Webhooks: the company's endpoints (add, delete, rotate the secret, shown once), and per endpoint
// the delivery log with each attempt, a resend of one delivery and a replay of a time range.
import { Hono } from 'hono'
import { EVENT_TYPES } from '../../events/event-types'
import type { CreatedWebhook, DeliveryDetail, DeliveryList, RotatedSecret, Webhook } from '../api-types'
import { Checkboxes, Chip, Empty, ErrorBox, PostButton, ShownOnce, Time } from '../components'
import type { DashContext, DashEnv } from '../dash-env'
import { Layout } from '../layout'
import { formField, formValues, notFoundIfMissing } from '../forms'

async function listPage(c: DashContext, extras: { secret?: string; error?: { code: string; message: string } } = {}, status = 200) {
  const listed = await c.get('api').call<Webhook[]>('GET', '/webhooks')
  const endpoints = listed.ok ? listed.data : []
  return c.html(
    <Layout title="Webhooks" nav="company" who={c.get('who')}>
      <h1>Webhooks</h1>
      {extras.secret && <ShownOnce label="Signing secret" secret={extras.secret} />}
      <ErrorBox error={extras.error ?? (listed.ok ? null : listed.error)} />
      <section class="panel">
        <form method="post" action="/dash/webhooks">
          <label for="endpoint-url">Endpoint URL</label>
          <input id="endpoint-url" name="url" type="url" required placeholder="https://example.com/hooks/whatsapp" />
          <Checkboxes legend="Events" name="event_types" values={EVENT_TYPES.filter((t) => t !== 'webhook.test')} />
          <p>
            <button type="submit">Add endpoint</button>
          </p>
        </form>
      </section>
      {endpoints.length === 0 ? (
        <Empty>No endpoint yet: each change (a message sent, delivered, read, received; a device's status) is posted to it, signed.</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th>URL</th>
              <th>Events</th>
              <th>State</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((w) => (
              <tr>
                <td>
                  <a href={`/dash/webhooks/${w.id}`}>{w.url}</a>
                </td>
                <td>{w.event_types.join(', ')}</td>
                <td>
                  <Chip status={w.is_active ? 'active' : 'disabled'} /> {w.disabled_reason}
                </td>
                <td class="row">
                  <PostButton action={`/dash/webhooks/${w.id}/rotate`} label="Rotate secret" inline />
                  <PostButton
                    action={`/dash/webhooks/${w.id}/delete`}
                    label="Delete"
                    tone="danger"
                    confirm="Delete this endpoint?"
                    inline
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>,
    status as 200,
  )
}

async function endpointPage(c: DashContext, notice?: string) {
  const id = c.req.param('id')
  const api = c.get('api')
  const endpoint = notFoundIfMissing(await api.call<Webhook>('GET', `/webhooks/${id}`))
  const deliveries = await api.call<DeliveryList>('GET', `/webhooks/${id}/deliveries?limit=50`)
  const selected = c.req.query('delivery')
  const detail = selected ? await api.call<DeliveryDetail>('GET', `/webhooks/${id}/deliveries/${encodeURIComponent(selected)}`) : null
  return c.html(
    <Layout title="Webhook" nav="company" who={c.get('who')}>
      <h1>{endpoint.url}</h1>
      {notice && <p role="status">{notice}</p>}
      <form method="post" action={`/dash/webhooks/${endpoint.id}/replay`} class="row panel">
        <div>
          <label for="replay-since">Replay events since</label>
          <input id="replay-since" name="since" type="datetime-local" required />
        </div>
        <button type="submit">Replay</button>
      </form>
      <h2>Delivery log</h2>
      {deliveries.ok && deliveries.data.deliveries.length === 0 && <Empty>Nothing delivered yet.</Empty>}
      <table>
        <tbody>
          {(deliveries.ok ? deliveries.data.deliveries : []).map((d) => (
            <tr>
              <td>
                <a href={`/dash/webhooks/${endpoint.id}?delivery=${encodeURIComponent(d.delivery_id)}`}>{d.event_type}</a>
              </td>
              <td>
                <Chip status={d.status} />
              </td>
              <td>
                {d.attempts} attempt(s), last HTTP {d.last_http_status ?? '—'} {d.last_error}
              </td>
              <td>
                <Time at={d.created_at} />
              </td>
              <td>
                <PostButton action={`/dash/webhooks/${endpoint.id}/deliveries/${encodeURIComponent(d.delivery_id)}/retry`} label="Resend" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {detail?.ok && (
        <section class="panel">
          <h2>Attempts of {detail.data.event_id}</h2>
          <ol>
            {detail.data.attempt_log.map((a) => (
              <li>
                <Time at={a.started_at} /> · HTTP {a.http_status ?? '—'} · {a.duration_ms} ms {a.error}
                {a.response_snippet && <pre>{a.response_snippet}</pre>}
              </li>
            ))}
          </ol>
          <pre>{JSON.stringify(detail.data.event, null, 2)}</pre>
        </section>
      )}
    </Layout>,
  )
}

export const webhookPages = new Hono<DashEnv>()
  .get('/webhooks', (c) => listPage(c))
  .post('/webhooks', async (c) => {
    const created = await c.get('api').call<CreatedWebhook>('POST', '/webhooks', {
      url: await formField(c, 'url'),
      event_types: await formValues(c, 'event_types'),
    })
    return created.ok ? listPage(c, { secret: created.data.secret }, 201) : listPage(c, { error: created.error }, created.status)
  })
  .post('/webhooks/:id{[0-9]+}/rotate', async (c) => {
    const rotated = notFoundIfMissing(await c.get('api').call<RotatedSecret>('POST', `/webhooks/${c.req.param('id')}/rotate-secret`))
    return listPage(c, { secret: rotated.secret })
  })
  .post('/webhooks/:id{[0-9]+}/delete', async (c) => {
    notFoundIfMissing(await c.get('api').call('DELETE', `/webhooks/${c.req.param('id')}`))
    return c.redirect('/dash/webhooks', 303)
  })
  .get('/webhooks/:id{[0-9]+}', (c) => endpointPage(c))
  .post('/webhooks/:id{[0-9]+}/deliveries/:delivery/retry', async (c) => {
    const { id, delivery } = c.req.param()
    const answer = await c.get('api').call('POST', `/webhooks/${id}/deliveries/${encodeURIComponent(delivery)}/retry`)
    return endpointPage(c, answer.ok ? 'Resent: a new attempt is on its way.' : `${answer.error.code}: ${answer.error.message}`)
  })
  .post('/webhooks/:id{[0-9]+}/replay', async (c) => {
    const since = new Date(`${await formField(c, 'since')}Z`)
    const answer = await c.get('api').call<{ events: number }>('POST', `/webhooks/${c.req.param('id')}/replay`, {
      since: Number.isNaN(since.getTime()) ? 'invalid' : since.toISOString(),
    })
    return endpointPage(c, answer.ok ? `Replaying ${answer.data.events} event(s).` : `${answer.error.code}: ${answer.error.message}`)
  })
