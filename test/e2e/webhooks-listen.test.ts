// `npm run webhooks:listen` against a real stack: it registers itself for the company, prints
// each event it verified (a send's message.sent), and on Ctrl-C removes its endpoint and exits 0.
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, tempDir, until } from './harness'

let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    port: await freePort(),
    stateDir: tempDir('listen'),
    nodes: 1,
    env: { WA_ENGINE: 'simulator', SIM_SCAN_DELAY_MS: '300', WEBHOOK_ALLOW_PRIVATE: '1', LOG_LEVEL: 'warn' },
  })
})
afterAll(() => stack?.stop())

describe('npm run webhooks:listen', () => {
  it('prints verified events as they arrive and removes its endpoint on Ctrl-C', async () => {
    const client = clientsOf(stack)
    const device = (await client.api('POST', '/devices', { name: 'listen' })).body.data
    await until(
      async () => ((await client.api('GET', `/devices/${device.id}/status`)).body.data.status === 'authenticated' ? true : undefined),
      30_000,
      'the device to link',
    )
    const listener = spawn(process.execPath, ['--import', 'tsx', 'scripts/webhooks-listen.ts'], {
      cwd: ROOT,
      env: { ...process.env, WA_API_URL: stack.baseUrl, WA_API_KEY: stack.credentials.apiKey, EVENT_TYPES: 'message.sent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    listener.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    listener.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<number | null>((resolve) => listener.on('exit', resolve))
    await until(
      async () => (output.includes('Listening on') ? true : undefined),
      20_000,
      () => `the listener to start: ${output}`,
    )
    expect((await client.api('GET', '/webhooks')).body.data).toHaveLength(1)

    const sent = await client.api('POST', '/send', { recipient: '+22370123456', message: 'Hello listener' })
    const id = sent.body.data.message_id
    await until(
      async () => (output.includes(id) ? true : undefined),
      20_000,
      () => `the event to be printed: ${output}`,
    )
    expect(output.split('\n').find((line) => line.includes(id))).toMatch(/message\.sent\s+evt_/)
    expect(output).not.toContain('refused a delivery')

    listener.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(output).toContain('Removed webhook endpoint')
    expect((await client.api('GET', '/webhooks')).body.data).toEqual([])
  }, 120_000)
})
