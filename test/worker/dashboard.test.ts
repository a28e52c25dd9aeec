// The dashboard in the Workers runtime: sign-in keeps secrets out of the browser (a server-side
// session behind a __Host- cookie), cross-site posts are refused, pages are scoped to the
// signed-in company and escape what users typed, and the device card's stream flips from the
// QR to "Linked" as the node reports it.
import { afterEach, describe, expect, it } from 'vitest'
import { admin, issueKey, tenant } from './helpers'
import { connectDevice, connectNode, registerNode, resetWorld } from './node-client'
import { browser, operator, ORIGIN, signedIn } from './dash-client'
import { ASSET_VERSION } from '../../worker/dash/static'

afterEach(resetWorld)

describe('dashboard sign-in', () => {
  it('exchanges an API key for an HttpOnly, Secure, SameSite=Strict __Host- session cookie, and signs out', async () => {
    const { company } = await tenant()
    const { key } = await issueKey(company.id)
    const b = browser()
    const form = await b.get('/dash/login')
    expect(form.status).toBe(200)
    expect(form.text.startsWith('<!doctype html>')).toBe(true)
    expect(form.text).toContain('<label for="api-key">API key</label>')
    expect(form.headers.get('Content-Security-Policy')).toContain("script-src 'self'")
    expect(form.headers.get('Content-Security-Policy')).toContain("style-src 'self'")

    const res = await b.request('POST', '/dash/login', { api_key: key })
    expect(res.status).toBe(303)
    expect(res.headers.get('Location')).toBe('/dash/devices')
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-wa_dash='))!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/Secure/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect(cookie).toMatch(/Path=\//)
    expect(cookie).not.toContain(key)
    expect((await b.get('/dash/devices')).text).toContain('<h1>Devices</h1>')

    await b.post('/dash/logout')
    expect((await b.get('/dash/devices')).status).toBe(303)
  })

  it('refuses a wrong key with the reason, and any page without a session', async () => {
    const b = browser()
    const wrong = await b.post('/dash/login', { api_key: 'wak_notAKeyAtAll' })
    expect(wrong.status).toBe(401)
    expect(wrong.text).toContain('invalid_api_key')
    const page = await b.get('/dash/devices')
    expect(page.status).toBe(303)
    expect(page.headers.get('Location')).toBe('/dash/login')
    const htmx = await b.get('/dash/devices', { 'HX-Request': 'true' })
    expect(htmx.status).toBe(401)
    expect(htmx.headers.get('HX-Redirect')).toBe('/dash/login')
  })

  it('refuses a cross-site form post (CSRF) and one with no origin', async () => {
    const { company } = await tenant()
    const b = await signedIn(company.id)
    expect((await b.post('/dash/devices', { name: 'x' }, { Origin: 'https://evil.example' })).status).toBe(403)
    const noOrigin = await b.request('POST', '/dash/logout', undefined, { 'Content-Type': 'application/x-www-form-urlencoded' })
    expect(noOrigin.status).toBe(403)
    expect((await b.get('/dash/devices')).status).toBe(200)
  })

  it('ends a session opened with a key once the key is revoked', async () => {
    const { company } = await tenant()
    const { key, id } = await issueKey(company.id)
    const b = browser()
    await b.post('/dash/login', { api_key: key })
    expect((await b.get('/dash/devices')).status).toBe(200)
    await admin('DELETE', `/api-keys/${id}`)
    expect((await b.get('/dash/devices')).status).toBe(303)
  })

  it('signs in once with an admin-issued login link: a GET only shows a button, the POST uses it up', async () => {
    const { company } = await tenant()
    const link = await admin('POST', `/companies/${company.id}/login-links`)
    expect(link.status).toBe(201)
    const { url, expires_at } = link.body.data as unknown as { url: string; expires_at: string }
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(14 * 60_000)
    const path = new URL(url).pathname
    const b = browser()
    expect((await b.get(path)).text).toContain('Continue to the dashboard')
    expect(b.jar.size).toBe(0)
    expect((await b.post(path)).status).toBe(303)
    expect((await b.get('/dash/devices')).status).toBe(200)
    const again = await browser().post(path)
    expect(again.status).toBe(401)
    expect(again.text).toContain('already used')
  })
})

describe('dashboard pages', () => {
  it('creates a device from the form, escapes its name, and shows another company’s device as a 404 page', async () => {
    const { company } = await tenant()
    const b = await signedIn(company.id)
    const empty = await b.get('/dash/devices')
    expect(empty.text).toContain('No device yet')
    expect(empty.text).toContain('New device')
    expect((await b.get('/dash/devices/new')).text).toContain('<label for="device-name">Device name</label>')
    const created = await b.post('/dash/devices', { name: '<script>alert(1)</script>' })
    expect(created.status).toBe(303)
    const devicePath = created.headers.get('Location')!
    const list = await b.get('/dash/devices')
    expect(list.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(list.text).not.toContain('<script>alert(1)</script>')
    expect((await b.get(devicePath)).status).toBe(200)

    const other = await tenant()
    const stranger = await signedIn(other.company.id)
    const foreign = await stranger.get(devicePath)
    expect(foreign.status).toBe(404)
    expect(foreign.text).toContain('Not found')
    expect((await stranger.get(`${devicePath}/live`)).status).toBe(404)
    expect((await stranger.post(`${devicePath}/delete`)).status).toBe(404)
  })

  it('streams the device card: the QR while it waits, then "Linked" with the phone number', async () => {
    const node = await registerNode()
    const control = await connectNode(node.token)
    const { company } = await tenant()
    const b = await signedIn(company.id)
    const devicePath = (await b.post('/dash/devices', { name: 'phone' })).headers.get('Location')!
    const deviceId = Number(devicePath.split('/').pop())
    const assign = await control.next('assign', (f) => f.device_id === deviceId)
    const session = await connectDevice(node.token, deviceId, assign.epoch)

    const res = await b.request('GET', `${devicePath}/live`)
    expect(res.headers.get('Content-Type')).toContain('text/event-stream')
    const reader = res.body!.getReader()
    let seen = ''
    const until = async (pattern: RegExp) => {
      while (!pattern.test(seen)) {
        const { value, done } = await reader.read()
        if (done) throw new Error(`stream ended; saw ${seen}`)
        seen += new TextDecoder().decode(value)
      }
    }
    session.send({ type: 'qr', qr_code: 'SIM-QR:test:1', qr_image: 'data:image/png;base64,AAAA', expires_at: Date.now() + 60_000 })
    await until(/data-status="qr_ready"[\s\S]*alt="QR code"/)
    expect(seen).toContain('event: card')
    session.send({ type: 'status', status: 'authenticated', phone_number: '+15550000042' })
    await until(/Linked[\s\S]*\+15550000042/)
    await reader.cancel()
  })

  it('serves its scripts and styles itself, cached for good', async () => {
    const b = browser()
    for (const file of ['htmx-2.0.11.min.js', 'htmx-ext-sse-2.2.4.min.js', `dash-${ASSET_VERSION}.js`, `dash-${ASSET_VERSION}.css`]) {
      const res = await b.request('GET', `/dash/static/${file}`)
      expect(res.status, file).toBe(200)
      expect(res.headers.get('Cache-Control')).toContain('immutable')
      expect((await res.text()).length).toBeGreaterThan(100)
    }
  })
})

describe('operator pages', () => {
  it('sign in with the admin token; a company session does not open them', async () => {
    const { company } = await tenant()
    const ops = await operator()
    const companies = await ops.get('/dash/admin/companies')
    expect(companies.status).toBe(200)
    expect(companies.text).toContain(company.name)
    expect((await ops.get('/dash/admin/nodes')).text).toContain('<h1>Session nodes</h1>')
    const customer = await signedIn(company.id)
    expect((await customer.get('/dash/admin/companies')).status).toBe(303)
    expect((await browser().post('/dash/admin/login', { admin_token: 'guess' })).status).toBe(401)
    expect(ORIGIN).toBe('http://api.test')
  })
})
