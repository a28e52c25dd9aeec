// Request bodies are bounded by what a valid request can hold: a full bulk fits, anything far
// beyond is refused before it is read, and a body nested deeper than any valid one is refused
// before it is parsed. Every refusal is a clear 422, never a 500.
import { afterEach, describe, expect, it } from 'vitest'
import { MAX_BODY_BYTES, MAX_BULK_BODY_BYTES, MAX_JSON_DEPTH } from '../../worker/lib/body-limits'
import { MAX_BULK_MESSAGES, MAX_TEXT } from '../../worker/messaging/outgoing'
import { tenant } from './helpers'
import { linkedDevice, resetWorld } from './node-client'

afterEach(resetWorld)

describe('body limits', () => {
  it('takes a bulk of 1,000 messages at their longest', async () => {
    const { api } = await linkedDevice()
    const messages = Array.from({ length: MAX_BULK_MESSAGES }, (_, i) => ({
      recipient: `+2237012${String(i).padStart(4, '0')}`,
      message: 'é'.repeat(MAX_TEXT),
    }))
    expect(new TextEncoder().encode(JSON.stringify({ messages })).byteLength).toBeLessThan(MAX_BULK_BODY_BYTES)
    const res = await api('POST', '/send-bulk', { messages })
    expect(res.status).toBe(202)
    expect(res.body.data.total).toBe(MAX_BULK_MESSAGES)
  })

  it('refuses a bulk body beyond that, and any other body beyond one message, with the limit in details', async () => {
    const { api } = await tenant()
    const bulk = await api('POST', '/send-bulk', 'x'.repeat(MAX_BULK_BODY_BYTES + 1), { 'Content-Type': 'application/json' })
    expect(bulk.status).toBe(422)
    expect(bulk.body.error).toMatchObject({ code: 'validation_error', details: { max_bytes: MAX_BULK_BODY_BYTES } })
    const single = await api('POST', '/send', { recipient: '+22370123456', message: 'x'.repeat(MAX_BODY_BYTES) })
    expect(single.status).toBe(422)
    expect(single.body.error).toMatchObject({ code: 'validation_error', details: { max_bytes: MAX_BODY_BYTES } })
  })

  it('refuses JSON nested deeper than any valid body, and takes the depth of strings as text', async () => {
    const { api } = await tenant()
    const deep = `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`
    const res = await api('POST', '/devices', `{"name":"x","extra":${deep}}`, { 'Content-Type': 'application/json' })
    expect(res.status).toBe(422)
    expect(res.body.error).toMatchObject({ code: 'validation_error', details: { max_depth: MAX_JSON_DEPTH } })
    const brackets = await api('POST', '/devices', { name: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ "\\" {{{{{{{{{{{{{{{{{{{{{{{{{{{{' })
    expect(brackets.status).toBe(201)
  })
})
