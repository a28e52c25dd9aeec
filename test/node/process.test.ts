// `npm run session-node` as an operator runs it: a real process (tsx session-node/index.ts)
// against a fake worker, judged by exit codes, output and what reaches the worker.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ROOT } from '../../scripts/stack'
import { FakeWorker } from './fake-worker'

const TOKEN = 'wnt_process_test_token_42'
const KEY = randomBytes(32).toString('hex')

function startNode(env: Record<string, string>) {
  const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['session-node/index.ts'], {
    cwd: ROOT,
    // Only what the node needs: nothing from the developer's shell leaks into the test.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited, output: () => output }
}

/** A failed wait shows what the node printed: that is where the reason is. */
async function orShowOutput<T>(wait: Promise<T>, node: ReturnType<typeof startNode>): Promise<T> {
  try {
    return await wait
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- node output ---\n${node.output()}`)
  }
}

const workers: FakeWorker[] = []
const children: ReturnType<typeof startNode>[] = []
afterEach(async () => {
  for (const node of children.splice(0)) if (node.child.exitCode === null) node.child.kill('SIGKILL')
  for (const worker of workers.splice(0)) await worker.stop()
})

async function fakeWorker() {
  const worker = await new FakeWorker(TOKEN).start()
  workers.push(worker)
  return worker
}

function node(env: Record<string, string>) {
  const started = startNode(env)
  children.push(started)
  return started
}

// Spawned processes on a shared machine: limits are generous, they are not speed checks.
describe('the session-node process', { timeout: 60_000 }, () => {
  it('exits 1 on a refused token, after one attempt, saying so without printing the secrets', async () => {
    const worker = await fakeWorker()
    const wrong = 'wnt_wrong_secret_value_123'
    const proc = node({ WORKER_URL: worker.url, NODE_TOKEN: wrong, SESSION_ENCRYPTION_KEY: KEY, WA_ENGINE: 'simulator' })
    expect(await proc.exited).toBe(1)
    expect(worker.upgrades).toEqual([{ path: '/api/nodes/connect', status: 401 }])
    expect(proc.output()).toContain('NODE_TOKEN')
    expect(proc.output()).not.toContain(wrong)
    expect(proc.output()).not.toContain(KEY)
  })

  it('exits 1 on bad configuration, naming the variables but not their values', async () => {
    const worker = await fakeWorker()
    const proc = node({ WORKER_URL: worker.url, SESSION_ENCRYPTION_KEY: 'my-secret-but-not-hex', NODE_CAPACITY: 'lots' })
    expect(await proc.exited).toBe(1)
    const output = proc.output()
    expect(output).toMatch(/NODE_TOKEN/)
    expect(output).toMatch(/SESSION_ENCRYPTION_KEY must be exactly 64 hex characters/)
    expect(output).toMatch(/NODE_CAPACITY/)
    expect(output).not.toContain('my-secret-but-not-hex')
    expect(worker.upgrades).toEqual([])
  })

  it('on SIGTERM says bye, stops its devices without logging out, closes cleanly and exits 0', async () => {
    const worker = await fakeWorker()
    worker.plans.set('proc-node', [{ deviceId: 77, epoch: 2 }])
    const proc = node({
      WORKER_URL: worker.url,
      NODE_TOKEN: TOKEN,
      SESSION_ENCRYPTION_KEY: KEY,
      WA_ENGINE: 'simulator',
      NODE_NAME: 'proc-node',
      SIM_SCAN_DELAY_MS: '300',
      PRINT_QR: '1',
    })
    await orShowOutput(
      // Generous: a spawned tsx process on a busy shared machine can take a while to start.
      worker.deviceFrame(77, 'status', (frame) => frame.status === 'authenticated' && frame.phone_number === '+15550000077', 45_000),
      proc,
    )
    expect(proc.output()).toContain('link device 77')
    const stored = new Map(worker.devices.get(77)!.auth)
    expect(stored.size).toBeGreaterThan(0)

    proc.child.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    const control = worker.controls[0]!
    expect(control.frames.map((f) => f.type)).toEqual(['hello', 'bye'])
    expect(await control.closed).toMatchObject({ code: 1000 })
    const device = worker.devices.get(77)!.connections[0]!
    expect(await device.closed).toMatchObject({ code: 1000 })
    // Not logged out: the credentials are all still there for the next node.
    expect(worker.devices.get(77)!.auth).toEqual(stored)
    expect(device.frames.some((f) => f.type === 'status' && f.status === 'error')).toBe(false)
  })
})
