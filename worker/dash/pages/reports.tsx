// Batches (progress of each bulk request) and usage (the quota bar and what happened per day).
import { Hono } from 'hono'
import type { Batch, BatchList, Message, MessageList, Quota, Usage } from '../api-types'
import { Bar, Empty, ErrorBox, Time } from '../components'
import type { DashEnv } from '../dash-env'
import { Layout } from '../layout'
import { notFoundIfMissing } from '../forms'
import { StatusChip } from './messages'

const settled = (b: Batch) => b.counts.queued + b.counts.scheduled === 0

function BatchRow(props: { batch: Batch }) {
  const b = props.batch
  const done = b.total - b.counts.queued - b.counts.scheduled
  return (
    <tr>
      <td>
        <a href={`/dash/batches/${encodeURIComponent(b.batch_id)}`}>
          <code>{b.batch_id}</code>
        </a>
      </td>
      <td>
        <Time at={b.created_at} />
      </td>
      <td>
        <Bar part={done} whole={b.total} label={`${b.batch_id} progress`} /> {done}/{b.total}
      </td>
      <td>
        {(['scheduled', 'queued', 'sent', 'delivered', 'read', 'failed', 'cancelled'] as const)
          .filter((status) => b.counts[status] > 0)
          .map((status) => `${status} ${b.counts[status]}`)
          .join(' · ')}
      </td>
    </tr>
  )
}

export const reportPages = new Hono<DashEnv>()
  .get('/batches', async (c) => {
    const cursor = c.req.query('cursor')
    const listed = await c.get('api').call<BatchList>('GET', `/batches?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
    const batches = listed.ok ? listed.data.batches : []
    // A page with batches still going refreshes itself until they settle.
    const live = batches.some((b) => !settled(b))
    return c.html(
      <Layout title="Batches" nav="company" who={c.get('who')}>
        <h1>Batches</h1>
        <ErrorBox error={listed.ok ? null : listed.error} />
        <div
          {...(live
            ? { 'hx-get': c.req.url, 'hx-trigger': 'every 2s', 'hx-select': '#batches', 'hx-target': '#batches', 'hx-swap': 'outerHTML' }
            : {})}
        >
          <div id="batches">
            {batches.length === 0 ? (
              <Empty>No bulk request yet: POST /api/whatsapp/send-bulk queues up to 1,000 messages, paced.</Empty>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>Batch</th>
                    <th>Created</th>
                    <th>Progress</th>
                    <th>Counts</th>
                  </tr>
                </thead>
                <tbody>
                  {batches.map((b) => (
                    <BatchRow batch={b} />
                  ))}
                </tbody>
              </table>
            )}
          </div>
        </div>
        {listed.ok && listed.data.next_cursor && (
          <p>
            <a href={`/dash/batches?cursor=${encodeURIComponent(listed.data.next_cursor)}`}>Older</a>
          </p>
        )}
      </Layout>,
    )
  })
  .get('/batches/:id', async (c) => {
    const id = encodeURIComponent(c.req.param('id'))
    const api = c.get('api')
    const batch = notFoundIfMissing(await api.call<Batch>('GET', `/batches/${id}`))
    const messages = await api.call<MessageList>('GET', `/messages?batch_id=${id}&limit=100`)
    return c.html(
      <Layout title="Batch" nav="company" who={c.get('who')}>
        <h1>
          Batch <code>{batch.batch_id}</code>
        </h1>
        <table>
          <tbody>
            <BatchRow batch={batch} />
          </tbody>
        </table>
        <h2>Messages</h2>
        <table>
          <tbody>
            {(messages.ok ? messages.data.messages : []).map((m: Message) => (
              <tr>
                <td>
                  <a href={`/dash/messages/${encodeURIComponent(m.message_id)}`}>{m.recipient}</a>
                </td>
                <td>
                  <StatusChip messageId={m.message_id} status={m.status} />
                </td>
                <td>{m.error}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    )
  })
  .get('/usage', async (c) => {
    const api = c.get('api')
    const [quota, usage] = await Promise.all([api.call<Quota>('GET', '/quota'), api.call<Usage>('GET', '/usage')])
    return c.html(
      <Layout title="Usage" nav="company" who={c.get('who')}>
        <h1>Usage</h1>
        {quota.ok && (
          <section class="panel">
            <p>
              {quota.data.used} messages used in {quota.data.period}
              {quota.data.limit === null ? ' (no monthly limit)' : ` of ${quota.data.limit}; ${quota.data.remaining} left`}. Resets{' '}
              <Time at={quota.data.resets_at} />.
            </p>
            {quota.data.limit !== null && <Bar part={quota.data.used} whole={quota.data.limit} label="Quota used" />}
          </section>
        )}
        <ErrorBox error={usage.ok ? null : usage.error} />
        {usage.ok && (
          <table>
            <thead>
              <tr>
                <th>Day (UTC)</th>
                <th>sent</th>
                <th>delivered</th>
                <th>read</th>
                <th>failed</th>
                <th>received</th>
              </tr>
            </thead>
            <tbody>
              {[...usage.data.days].reverse().map((d) => (
                <tr>
                  <td>{d.date}</td>
                  <td>{d.sent}</td>
                  <td>{d.delivered}</td>
                  <td>{d.read}</td>
                  <td>{d.failed}</td>
                  <td>{d.received}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Layout>,
    )
  })
