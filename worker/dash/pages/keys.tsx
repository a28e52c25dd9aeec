// API keys: the company's keys with prefix, scopes and last use; create one (its secret shown
// once); revoke. Through /whatsapp/api-keys, so a key never gives more than the session's own.
import { Hono } from 'hono'
import { API_KEY_SCOPES } from '../../db/schema'
import type { ApiKey, IssuedApiKey } from '../api-types'
import { Checkboxes, ErrorBox, ShownOnce } from '../components'
import type { DashContext, DashEnv } from '../dash-env'
import { Layout } from '../layout'
import { KeysTable } from '../keys-table'
import { formField, formValues } from '../forms'

async function keysPage(c: DashContext, extras: { issued?: IssuedApiKey; error?: { code: string; message: string } } = {}, status = 200) {
  const listed = await c.get('api').call<ApiKey[]>('GET', '/api-keys')
  return c.html(
    <Layout title="API keys" nav="company" who={c.get('who')}>
      <h1>API keys</h1>
      {extras.issued && <ShownOnce label={`API key "${extras.issued.name}"`} secret={extras.issued.key} />}
      <ErrorBox error={extras.error ?? (listed.ok ? null : listed.error)} />
      <section class="panel">
        <form method="post" action="/dash/api-keys">
          <label for="key-name">Key name</label>
          <input id="key-name" name="name" required maxlength={200} placeholder="reporting job" />
          <Checkboxes legend="Scopes" name="scopes" values={API_KEY_SCOPES} />
          <p>
            <button type="submit">Create key</button>
          </p>
        </form>
      </section>
      <KeysTable keys={listed.ok ? listed.data : []} revokePath={(k) => `/dash/api-keys/${k.id}/revoke`} />
    </Layout>,
    status as 200,
  )
}

export const keyPages = new Hono<DashEnv>()
  .get('/api-keys', (c) => keysPage(c))
  .post('/api-keys', async (c) => {
    const created = await c.get('api').call<IssuedApiKey>('POST', '/api-keys', {
      name: await formField(c, 'name'),
      scopes: await formValues(c, 'scopes'),
    })
    return created.ok ? keysPage(c, { issued: created.data }, 201) : keysPage(c, { error: created.error }, created.status)
  })
  .post('/api-keys/:id{[0-9]+}/revoke', async (c) => {
    const revoked = await c.get('api').call('DELETE', `/api-keys/${c.req.param('id')}`)
    return revoked.ok ? c.redirect('/dash/api-keys', 303) : keysPage(c, { error: revoked.error }, revoked.status)
  })
