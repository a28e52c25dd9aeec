// The operator's pages (/dash/admin, behind the operator session): companies (create, quota,
// device limit, activate or deactivate, a one-time login link, their keys) and session nodes
// with their online state and load.
import { Hono } from 'hono'
import type { ApiKey, Company, IssuedApiKey, SessionNode } from '../api-types'
import { Bar, Chip, ErrorBox, PostButton, ShownOnce, Time } from '../components'
import type { DashContext, DashEnv } from '../dash-env'
import { Layout } from '../layout'
import { KeysTable } from '../keys-table'
import { formField, notFoundIfMissing } from '../forms'

type Notice = { secret?: { label: string; value: string }; error?: { code: string; message: string } }
const numberOrNull = (value: string) => (value === '' ? null : Number(value))

async function companiesPage(c: DashContext, notice: Notice = {}, status = 200) {
  const listed = await c.get('api').call<Company[]>('GET', '/companies')
  return c.html(
    <Layout title="Companies" nav="operator" who="Operator">
      <h1>Companies</h1>
      <ErrorBox error={notice.error ?? (listed.ok ? null : listed.error)} />
      <section class="panel">
        <form method="post" action="/dash/admin/companies" class="row">
          <div>
            <label for="company-name">Company name</label>
            <input id="company-name" name="name" required />
          </div>
          <div>
            <label for="company-quota">Monthly quota (empty: unlimited)</label>
            <input id="company-quota" name="monthly_quota" type="number" min={0} />
          </div>
          <button type="submit">Create company</button>
        </form>
      </section>
      <table>
        <thead>
          <tr>
            <th>Company</th>
            <th>Quota</th>
            <th>Devices at most</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {(listed.ok ? listed.data : []).map((co) => (
            <tr>
              <td>
                <a href={`/dash/admin/companies/${co.id}`}>{co.name}</a>
              </td>
              <td>{co.monthly_quota ?? 'unlimited'}</td>
              <td>{co.max_devices}</td>
              <td>
                <Chip status={co.is_active ? 'active' : 'disabled'} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>,
    status as 200,
  )
}

async function companyPage(c: DashContext, notice: Notice = {}, status = 200) {
  const id = c.req.param('id')
  const api = c.get('api')
  const company = notFoundIfMissing(await api.call<Company>('GET', `/companies/${id}`))
  const keys = await api.call<ApiKey[]>('GET', `/companies/${id}/api-keys`)
  return c.html(
    <Layout title={company.name} nav="operator" who="Operator">
      <h1>{company.name}</h1>
      {notice.secret && <ShownOnce label={notice.secret.label} secret={notice.secret.value} />}
      <ErrorBox error={notice.error} />
      <section class="panel">
        <form method="post" action={`/dash/admin/companies/${company.id}`} class="row">
          <div>
            <label for="quota">Monthly quota (empty: unlimited)</label>
            <input id="quota" name="monthly_quota" type="number" min={0} value={company.monthly_quota?.toString() ?? ''} />
          </div>
          <div>
            <label for="max-devices">Device limit</label>
            <input id="max-devices" name="max_devices" type="number" min={1} value={String(company.max_devices)} />
          </div>
          <div>
            <label for="active">State</label>
            <select id="active" name="is_active">
              <option value="true" selected={company.is_active}>
                active
              </option>
              <option value="false" selected={!company.is_active}>
                inactive
              </option>
            </select>
          </div>
          <button type="submit">Save</button>
        </form>
      </section>
      <section class="panel row">
        <PostButton action={`/dash/admin/companies/${company.id}/login-link`} label="Issue a login link" tone="primary" />
        <form method="post" action={`/dash/admin/companies/${company.id}/api-keys`} class="row">
          <div>
            <label for="new-key">New key name</label>
            <input id="new-key" name="name" required />
          </div>
          <button type="submit">Issue key</button>
        </form>
      </section>
      <h2>API keys</h2>
      <KeysTable keys={keys.ok ? keys.data : []} revokePath={(k) => `/dash/admin/companies/${company.id}/api-keys/${k.id}/revoke`} />
    </Layout>,
    status as 200,
  )
}

export const adminPages = new Hono<DashEnv>()
  .get('/', (c) => c.redirect('/dash/admin/companies', 303))
  .get('/companies', (c) => companiesPage(c))
  .post('/companies', async (c) => {
    const quota = await formField(c, 'monthly_quota')
    const created = await c
      .get('api')
      .call<Company>('POST', '/companies', { name: await formField(c, 'name'), monthly_quota: numberOrNull(quota) })
    return created.ok
      ? c.redirect(`/dash/admin/companies/${created.data.id}`, 303)
      : companiesPage(c, { error: created.error }, created.status)
  })
  .get('/companies/:id{[0-9]+}', (c) => companyPage(c))
  .post('/companies/:id{[0-9]+}', async (c) => {
    const answer = await c.get('api').call('PATCH', `/companies/${c.req.param('id')}`, {
      monthly_quota: numberOrNull(await formField(c, 'monthly_quota')),
      max_devices: Number(await formField(c, 'max_devices')),
      is_active: (await formField(c, 'is_active')) === 'true',
    })
    return answer.ok
      ? c.redirect(`/dash/admin/companies/${c.req.param('id')}`, 303)
      : companyPage(c, { error: answer.error }, answer.status)
  })
  .post('/companies/:id{[0-9]+}/login-link', async (c) => {
    const link = notFoundIfMissing(await c.get('api').call<{ url: string }>('POST', `/companies/${c.req.param('id')}/login-links`))
    return companyPage(c, { secret: { label: 'Login link (15 minutes, single use)', value: link.url } })
  })
  .post('/companies/:id{[0-9]+}/api-keys', async (c) => {
    const issued = await c.get('api').call<IssuedApiKey>('POST', `/companies/${c.req.param('id')}/api-keys`, {
      name: await formField(c, 'name'),
      service_type: 'whatsapp',
    })
    return issued.ok
      ? companyPage(c, { secret: { label: `API key "${issued.data.name}"`, value: issued.data.key } })
      : companyPage(c, { error: issued.error })
  })
  .post('/companies/:id{[0-9]+}/api-keys/:key{[0-9]+}/revoke', async (c) => {
    await c.get('api').call('DELETE', `/api-keys/${c.req.param('key')}`)
    return c.redirect(`/dash/admin/companies/${c.req.param('id')}`, 303)
  })
  .get('/nodes', async (c) => {
    const listed = await c.get('api').call<SessionNode[]>('GET', '/nodes')
    return c.html(
      <Layout title="Session nodes" nav="operator" who="Operator">
        <h1>Session nodes</h1>
        <table>
          <thead>
            <tr>
              <th>Node</th>
              <th>State</th>
              <th>Load</th>
              <th>Version</th>
              <th>Last seen</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {(listed.ok ? listed.data : []).map((n) => (
              <tr>
                <td>{n.name}</td>
                <td>
                  <Chip status={n.is_active ? n.status : 'disabled'} />
                  {n.drained && <span class="muted"> drained</span>}
                </td>
                <td>
                  <Bar part={n.devices} whole={n.capacity ?? n.max_capacity} label={`${n.name} load`} /> {n.devices}/
                  {n.capacity ?? n.max_capacity}
                </td>
                <td>{n.version ?? '—'}</td>
                <td>
                  <Time at={n.last_seen_at} />
                </td>
                <td>
                  <PostButton
                    action={`/dash/admin/nodes/${n.id}/${n.drained ? 'undrain' : 'drain'}`}
                    label={n.drained ? 'Undrain' : 'Drain'}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Layout>,
    )
  })
  .post('/nodes/:id{[0-9]+}/:action{drain|undrain}', async (c) => {
    await c.get('api').call('POST', `/nodes/${c.req.param('id')}/${c.req.param('action')}`)
    return c.redirect('/dash/admin/nodes', 303)
  })
