// Signing in and out: with an API key (a form post, checked like any API request, never kept in
// the browser), with a one-time login link (a GET shows a button, so link previews cannot use it
// up; the POST signs in), and, for operators, with the admin token.
import { Hono } from 'hono'
import { verifyApiKey } from '../../auth/api-key-auth'
import { clientAddress, lookupWaitMs, spendFailedLookup } from '../../auth/lookup-budget'
import { MIN_ADMIN_TOKEN_LENGTH } from '../../auth/admin-auth'
import { prefixOf, sha256Hex, timingSafeEqualStrings } from '../../lib/crypto'
import { ApiError } from '../../lib/errors'
import { API_KEY_KIND } from '../../auth/secret-kinds'
import type { DashEnv } from '../dash-env'
import { Layout } from '../layout'
import { formField } from '../forms'
import { signInOperator, signInWithKey, signInWithLink, signOut } from '../sessions'

function KeyForm(props: { error?: string }) {
  return (
    <Layout title="Sign in" nav="none">
      <h1>Sign in</h1>
      <section class="panel">
        <form method="post" action="/dash/login">
          <label for="api-key">API key</label>
          <input id="api-key" name="api_key" type="password" autocomplete="off" required />
          <p class="muted">Your key is checked once and never stored in this browser; the session ends after 12 hours.</p>
          {props.error && (
            <p class="error" role="alert">
              {props.error}
            </p>
          )}
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Layout>
  )
}

function AdminForm(props: { error?: string }) {
  return (
    <Layout title="Operator sign-in" nav="none">
      <h1>Operator sign-in</h1>
      <section class="panel">
        <form method="post" action="/dash/admin/login">
          <label for="admin-token">Admin token</label>
          <input id="admin-token" name="admin_token" type="password" autocomplete="off" required />
          {props.error && (
            <p class="error" role="alert">
              {props.error}
            </p>
          )}
          <button type="submit">Sign in</button>
        </form>
      </section>
    </Layout>
  )
}

export const loginPages = new Hono<DashEnv>()
  .get('/login', (c) => c.html(<KeyForm />))
  .post('/login', async (c) => {
    const key = await formField(c, 'api_key')
    try {
      const caller = await verifyApiKey(c.env, key, clientAddress(c.req.header('CF-Connecting-IP')), 'whatsapp')
      await signInWithKey(c as never, caller, prefixOf(API_KEY_KIND, key)!)
      return c.redirect('/dash/devices', 303)
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      return c.html(<KeyForm error={`${error.code}: ${error.message}`} />, 401)
    }
  })
  .get('/login/:token', (c) =>
    c.html(
      <Layout title="Sign in" nav="none">
        <h1>Sign in with a login link</h1>
        <form method="post" action={`/dash/login/${encodeURIComponent(c.req.param('token'))}`}>
          <p>This link signs you in once, within 15 minutes of being issued.</p>
          <button type="submit">Continue to the dashboard</button>
        </form>
      </Layout>,
    ),
  )
  .post('/login/:token', async (c) => {
    if (await signInWithLink(c as never, c.req.param('token'))) return c.redirect('/dash/devices', 303)
    return c.html(
      <KeyForm error="This login link is invalid, expired or already used. Ask for a new one, or sign in with an API key." />,
      401,
    )
  })
  .post('/logout', async (c) => {
    await signOut(c as never, 'company')
    return c.redirect('/dash/login', 303)
  })
  .get('/admin/login', (c) => c.html(<AdminForm />))
  .post('/admin/login', async (c) => {
    const presented = await formField(c, 'admin_token')
    const expected = c.env.ADMIN_TOKEN ?? ''
    // Guesses from one address are paced like made-up API keys.
    const address = clientAddress(c.req.header('CF-Connecting-IP'))
    const waitMs = lookupWaitMs(address)
    if (waitMs > 0)
      return c.html(<AdminForm error={`Too many wrong tokens from this address; try again in ${Math.ceil(waitMs / 1000)} s.`} />, 429)
    const [a, b] = await Promise.all([sha256Hex(presented), sha256Hex(expected)])
    if (expected.length < MIN_ADMIN_TOKEN_LENGTH || !timingSafeEqualStrings(a, b)) {
      spendFailedLookup(address)
      return c.html(<AdminForm error="That is not the admin token." />, 401)
    }
    await signInOperator(c as never)
    return c.redirect('/dash/admin/companies', 303)
  })
  .post('/admin/logout', async (c) => {
    await signOut(c as never, 'operator')
    return c.redirect('/dash/admin/login', 303)
  })
