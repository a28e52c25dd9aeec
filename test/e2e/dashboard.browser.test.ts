// The dashboard in a real headless Chromium (Debian's, driven by playwright-core) against the
// real stack on the simulator: sign in with the dev key, create a device, see its QR, see it flip
// to "Linked" with its phone number, send a test message and see it reach `read`, all without a
// single request leaving 127.0.0.1. Written from the accessible names alone.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startStack, type Stack } from '../../scripts/stack'
import { freePort, tempDir } from './harness'

const CHROMIUM = '/usr/bin/chromium'
/** Where the screenshots go: a temporary directory, or DASH_SCREENSHOTS (docs/screenshots for the README). */
const shots = process.env.DASH_SCREENSHOTS ?? tempDir('dash-shots')
let stack: Stack
let browser: Browser

beforeAll(async () => {
  stack = await startStack({
    port: await freePort(),
    stateDir: tempDir('dash-browser'),
    nodes: 1,
    env: {
      WA_ENGINE: 'simulator',
      SIM_SCAN_DELAY_MS: '4000',
      SIM_DELIVERY_MS: '300',
      SIM_READ_MS: '800',
      LOG_LEVEL: 'warn',
      WEBHOOK_ALLOW_PRIVATE: '1',
    },
  })
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
  mkdirSync(shots, { recursive: true })
})

afterAll(async () => {
  await browser?.close()
  await stack?.stop()
})

describe('the API reference in Chromium', () => {
  it('renders /api/docs offline with Redoc: public routes first, code samples, no request elsewhere, no error', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    const elsewhere: string[] = []
    const errors: string[] = []
    // Redoc's footer logo points at its CDN: the page's CSP blocks it before any request is made.
    const blocked: string[] = []
    page.on('requestfailed', (request) => {
      if (request.failure()?.errorText === 'csp') blocked.push(request.url())
    })
    page.on('requestfinished', (request) => {
      const url = new URL(request.url())
      if (url.protocol.startsWith('http') && url.hostname !== '127.0.0.1') elsewhere.push(request.url())
    })
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    await page.goto(`${stack.baseUrl}/api/docs`)
    await page
      .getByRole('heading', { name: /Edge WhatsApp API/ })
      .first()
      .waitFor({ timeout: 30_000 })
    const sidebar = (await page.locator('.menu-content').first().textContent()) ?? ''
    expect(sidebar.indexOf('WhatsApp API')).toBeLessThan(sidebar.indexOf('Admin API'))
    expect(sidebar.indexOf('Devices')).toBeLessThan(sidebar.indexOf('Admin: companies'))
    await page.goto(`${stack.baseUrl}/api/docs#tag/Messages/operation/sendMessage`)
    await page.getByText('curl', { exact: true }).first().waitFor()
    await page.waitForTimeout(500)
    await page.screenshot({ path: join(shots, 'api-docs.png') })
    expect(elsewhere, elsewhere.join('\n')).toEqual([])
    const unexpected = errors.filter((e) => !/violates the following Content Security Policy directive: "img-src/.test(e))
    expect(unexpected, unexpected.join('\n')).toEqual([])
    expect(blocked.every((url) => url.startsWith('https://cdn.redoc.ly/'))).toBe(true)
    await page.close()
  }, 60_000)
})

describe('the dashboard in Chromium', () => {
  it('keeps the QR dark on white in dark mode', async () => {
    const page = await browser.newPage({ colorScheme: 'dark' })
    await page.goto(`${stack.baseUrl}/dash/login`)
    await page.getByLabel('API key').fill(stack.credentials.apiKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'New device' }).click()
    await page.getByLabel('Device name').fill('Dark mode')
    await page.getByRole('button', { name: 'Create' }).click()
    await page.getByRole('img', { name: 'QR code' }).waitFor({ state: 'visible', timeout: 20_000 })
    const [page_, box] = await page.evaluate<[string, string]>(
      "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.querySelector('.qr')).backgroundColor]",
    )
    expect(page_).not.toBe('rgb(255, 255, 255)')
    expect(box).toBe('rgb(255, 255, 255)')
    await page.close()
  }, 60_000)

  it('signs in, links a device by its live QR, sends a test message to read, and never leaves 127.0.0.1', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    const elsewhere: string[] = []
    const consoleErrors: string[] = []
    page.on('request', (request) => {
      const host = new URL(request.url()).hostname
      if (host !== '127.0.0.1' && !request.url().startsWith('data:')) elsewhere.push(request.url())
    })
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text())
    })

    await page.goto(`${stack.baseUrl}/dash/login`)
    await page.getByLabel('API key').fill(stack.credentials.apiKey)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('heading', { name: 'Devices' }).isVisible()).toBe(true)
    // Nothing secret in the browser's reach: storage is empty of it, and the session cookie is HttpOnly.
    const reachable = await page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage }) + document.cookie')
    expect(reachable).not.toContain(stack.credentials.apiKey)
    expect(reachable).not.toContain('wa_dash')

    await page.getByRole('button', { name: 'New device' }).click()
    await page.getByLabel('Device name').fill('Front desk')
    await page.getByRole('button', { name: 'Create' }).click()
    const qr = page.getByRole('img', { name: 'QR code' })
    await qr.waitFor({ state: 'visible', timeout: 20_000 })
    await page.screenshot({ path: join(shots, 'device-qr.png') })

    // The simulator "scans" after SIM_SCAN_DELAY_MS: the card flips without a reload.
    await page.getByText('Linked', { exact: true }).waitFor({ timeout: 30_000 })
    await expect
      .poll(() =>
        page
          .getByText(/\+1555\d{7}/)
          .first()
          .isVisible(),
      )
      .toBe(true)
    expect(await qr.count()).toBe(0)
    await page.screenshot({ path: join(shots, 'device-linked.png') })

    await page.getByLabel('Recipient').fill('+22370123456')
    await page.getByLabel('Message', { exact: true }).fill('Hello from the dashboard')
    await page.getByRole('button', { name: 'Send' }).click()
    await page.locator('#test-result [data-status="read"]').waitFor({ timeout: 20_000 })
    expect(await page.locator('#test-result').textContent()).toMatch(/msg_\w+/)

    await page.goto(`${stack.baseUrl}/dash/messages`)
    await page.locator('td [data-status="read"]').first().waitFor()
    expect(await page.getByText('Hello from the dashboard').count()).toBeGreaterThan(0)
    await page.screenshot({ path: join(shots, 'messages.png') })
    await page.goto(`${stack.baseUrl}/dash/devices`)
    await page.locator('td [data-status="authenticated"]').first().waitFor()
    await page.screenshot({ path: join(shots, 'devices.png') })

    await page.goto(`${stack.baseUrl}/dash/webhooks`)
    await page.getByRole('heading', { name: 'Webhooks' }).waitFor()
    await page.getByLabel('Endpoint URL').fill('http://127.0.0.1:9/hook')
    await page.getByRole('button', { name: 'Add endpoint' }).click()
    await page.getByText('shown once').waitFor()

    console.log(`dashboard browser test: screenshots in ${shots}`)
    expect(elsewhere).toEqual([])
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([])
  }, 120_000)
})
