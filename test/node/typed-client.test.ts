// The typed TypeScript client (clients/typescript): its generated part is what the generator makes
// of the committed OpenAPI document today (regenerate with npm run client:generate), and its
// hand-written part verifies webhook signatures and walks cursor pages.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { cursorPages, idempotent, verifyWebhook } from '../../clients/typescript/src/index'
import { ROOT } from '../../scripts/stack'

describe('the typed client', () => {
  it('is generated from the committed OpenAPI document as it is now (else: npm run client:generate)', () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'wa-client-')), 'schema.d.ts')
    execFileSync(join(ROOT, 'node_modules/.bin/openapi-typescript'), ['clients/openapi.json', '--output', fresh], {
      cwd: ROOT,
      stdio: 'ignore',
    })
    expect(readFileSync(join(ROOT, 'clients/typescript/src/generated/schema.d.ts'), 'utf8')).toBe(readFileSync(fresh, 'utf8'))
  }, 60_000)

  it('verifies a Standard Webhooks signature and refuses a tampered body', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`
    const body = JSON.stringify({
      id: 'evt_1',
      type: 'message.read',
      created_at: new Date().toISOString(),
      device_id: 1,
      sequence: 3,
      data: {},
    })
    const now = new Date()
    const signature = new Webhook(secret).sign('evt_1', now, body)
    const headers = { 'webhook-id': 'evt_1', 'webhook-timestamp': String(Math.floor(now.getTime() / 1000)), 'webhook-signature': signature }
    expect(verifyWebhook(secret, body, headers)).toMatchObject({ id: 'evt_1', type: 'message.read', sequence: 3 })
    expect(() => verifyWebhook(secret, body.replace('read', 'sent'), headers)).toThrow()
  })

  it('walks every page of a cursor list, and makes Idempotency-Key headers', async () => {
    const pages: Record<string, { items: number[]; next_cursor: string | null }> = {
      first: { items: [1, 2], next_cursor: 'b' },
      b: { items: [3], next_cursor: 'c' },
      c: { items: [4], next_cursor: null },
    }
    const seen: number[] = []
    for await (const item of cursorPages(async (cursor) => pages[cursor ?? 'first']!)) seen.push(item)
    expect(seen).toEqual([1, 2, 3, 4])
    expect(idempotent('order-1')).toEqual({ 'Idempotency-Key': 'order-1' })
    expect(idempotent()['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
  })
})
