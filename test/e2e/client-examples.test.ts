// The client examples in examples/ (curl, Python requests, Node axios, PHP curl) run unchanged
// against the local stack and get 200.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, startStack, type Stack } from '../../scripts/stack'
import { clientsOf, freePort, tempDir, until } from './harness'

const run = promisify(execFile)
let stack: Stack

beforeAll(async () => {
  stack = await startStack({
    port: await freePort(),
    stateDir: tempDir('examples'),
    nodes: 1,
    env: { WA_ENGINE: 'simulator', SIM_SCAN_DELAY_MS: '300', LOG_LEVEL: 'warn' },
  })
  const { api } = clientsOf(stack)
  const device = (await api('POST', '/devices', { name: 'examples' })).body.data
  await until(
    async () => ((await api('GET', `/devices/${device.id}/status`)).body.data.status === 'authenticated' ? true : undefined),
    30_000,
    'device linked',
  )
})
afterAll(async () => {
  await stack?.stop()
})

describe('client examples', () => {
  it.each([
    ['curl', 'sh', 'curl.sh'],
    ['Python requests', 'python3', 'python_requests.py'],
    ['Node axios', process.execPath, 'node_axios.mjs'],
    ['PHP curl', 'php', 'php_curl.php'],
  ])('%s gets 200 and a sent message', async (_name, interpreter, file) => {
    const { stdout } = await run(interpreter, [join(ROOT, 'examples', file)], {
      cwd: ROOT,
      env: { ...process.env, BASE_URL: stack.baseUrl, API_KEY: stack.credentials.apiKey },
    })
    const body = JSON.parse(stdout.trim())
    expect(body).toMatchObject({ success: true, data: { status: 'sent', chat_id: '22370123456@s.whatsapp.net' } })
  })
})
