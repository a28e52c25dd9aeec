// The devices page: every device with its live status chip (one stream for the page), phone,
// default mark and pause state; create, set default, pause or resume, delete after confirming.
import { Hono } from 'hono'
import type { Device } from '../api-types'
import { Chip, Empty, ErrorBox, PostButton } from '../components'
import type { DashContext, DashEnv } from '../dash-env'
import { Layout } from '../layout'
import { formField, notFoundIfMissing, unless404 } from '../forms'

function DevicesTable(props: { devices: Device[] }) {
  if (props.devices.length === 0) {
    return (
      <Empty>
        <p>No device yet. A device is one WhatsApp account linked to this API, like WhatsApp Web on a computer.</p>
        <p>Create one, then scan its QR code with the phone: WhatsApp → Settings → Linked devices → Link a device.</p>
      </Empty>
    )
  }
  return (
    <table>
      <thead>
        <tr>
          <th>Name</th>
          <th>Status</th>
          <th>Phone</th>
          <th>Default</th>
          <th>Active</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {props.devices.map((d) => (
          <tr>
            <td>
              <a href={`/dash/devices/${d.id}`}>{d.name}</a>
            </td>
            <td>
              <Chip status={d.status} />
              {d.status_reason && <span class="muted"> {d.status_reason}</span>}
            </td>
            <td>{d.phone_number ?? <span class="muted">—</span>}</td>
            <td>
              {d.is_default ? <strong>default</strong> : <PostButton action={`/dash/devices/${d.id}/default`} label="Set default" inline />}
            </td>
            <td>{d.is_active ? 'active' : 'paused'}</td>
            <td class="row">
              <PostButton
                action={`/dash/devices/${d.id}/${d.is_active ? 'pause' : 'resume'}`}
                label={d.is_active ? 'Pause' : 'Resume'}
                inline
              />
              <form method="get" action={`/dash/devices/${d.id}/delete`} class="inline">
                <button type="submit" class="danger">
                  Delete
                </button>
              </form>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

async function listPage(c: DashContext, error?: { code: string; message: string }) {
  const listed = await c.get('api').call<Device[]>('GET', '/devices')
  const devices = listed.ok ? listed.data : []
  return c.html(
    <Layout title="Devices" nav="company" who={c.get('who')}>
      <h1>Devices</h1>
      <ErrorBox error={error ?? (listed.ok ? null : listed.error)} />
      <form method="get" action="/dash/devices/new">
        <button type="submit">New device</button>
      </form>
      {/* Status chips stay live: the table is fetched again every few seconds (htmx keeps the rest of the page). */}
      <div hx-get="/dash/devices" hx-trigger="every 3s" hx-select="#devices" hx-target="#devices" hx-swap="outerHTML">
        <div id="devices">
          <DevicesTable devices={devices} />
        </div>
      </div>
    </Layout>,
    error ? 422 : 200,
  )
}

function NewDeviceForm(props: { error?: { code: string; message: string } | null }) {
  return (
    <section class="panel">
      <form method="post" action="/dash/devices">
        <label for="device-name">Device name</label>
        <input id="device-name" name="name" required maxlength={100} placeholder="Sales phone" />
        <ErrorBox error={props.error} />
        <p>
          <button type="submit">Create</button>
        </p>
      </form>
    </section>
  )
}

export const devicePages = new Hono<DashEnv>()
  .get('/devices', (c) => listPage(c))
  .get('/devices/new', (c) =>
    c.html(
      <Layout title="New device" nav="company" who={c.get('who')}>
        <h1>New device</h1>
        <NewDeviceForm />
      </Layout>,
    ),
  )
  .post('/devices', async (c) => {
    const created = await c.get('api').call<Device>('POST', '/devices', { name: await formField(c, 'name') })
    if (created.ok) return c.redirect(`/dash/devices/${created.data.id}`, 303)
    return c.html(
      <Layout title="New device" nav="company" who={c.get('who')}>
        <h1>New device</h1>
        <NewDeviceForm error={created.error} />
      </Layout>,
      created.status as 400,
    )
  })
  .post('/devices/:id{[0-9]+}/:action{default|pause|resume}', async (c) => {
    const { id, action } = c.req.param()
    const api = c.get('api')
    const done =
      action === 'default'
        ? await api.call('POST', `/devices/${id}/set-default`)
        : await api.call('PATCH', `/devices/${id}`, { is_active: action === 'resume' })
    unless404(done)
    return done.ok
      ? c.redirect(c.req.header('Referer')?.includes(`/devices/${id}`) ? `/dash/devices/${id}` : '/dash/devices', 303)
      : listPage(c, done.error)
  })
  .get('/devices/:id{[0-9]+}/delete', async (c) => {
    const device = notFoundIfMissing(await c.get('api').call<Device>('GET', `/devices/${c.req.param('id')}`))
    return c.html(
      <Layout title="Delete device" nav="company" who={c.get('who')}>
        <h1>Delete {device.name}?</h1>
        <p>It is logged out of WhatsApp and its session is removed; its queued messages fail and are refunded. This cannot be undone.</p>
        <form method="post" action={`/dash/devices/${device.id}/delete`} class="row">
          <button type="submit" class="danger">
            Delete device
          </button>
          <a href={`/dash/devices/${device.id}`}>Keep it</a>
        </form>
      </Layout>,
    )
  })
  .post('/devices/:id{[0-9]+}/delete', async (c) => {
    notFoundIfMissing(await c.get('api').call('DELETE', `/devices/${c.req.param('id')}`))
    return c.redirect('/dash/devices', 303)
  })
