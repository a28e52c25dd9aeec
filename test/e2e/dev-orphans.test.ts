// `npm run dev` never leaves orphans: closing the terminal (SIGHUP to its process group), kill -9
// of the dev script, and SIGTERM to npm each take down every process it started (wrangler,
// workerd, the session nodes) within 10 s, and free the port. A port already taken is refused
// up front, naming it, with a non-zero exit, and nothing is sent to whatever holds it.
import { execFileSync } from 'node:child_process'
import { createServer } from 'node:http'
import { describe as suite, expect, it } from 'vitest'
import { assertPortFree } from '../../scripts/stack'
import { freePort, startDev, tempDir, until, type DevProcess } from './harness'

/** Every process below `root` right now. */
function descendants(root: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number])
  const found: number[] = []
  const walk = (pid: number) => {
    for (const [child, parent] of table) {
      if (parent !== pid) continue
      found.push(child)
      walk(child)
    }
  }
  walk(root)
  return found
}

/** `pid command` of each process, for a failure message that says what was left. */
const describe = (pids: number[]) =>
  pids.length === 0 ? 'none' : execFileSync('ps', ['-o', 'pid=,args=', '-p', pids.join(',')], { encoding: 'utf8' }).trim()

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function running(options: { viaNpm?: boolean; detached?: boolean } = {}) {
  const port = await freePort()
  const dev = startDev(
    { DEV_PORT: String(port), DEV_STATE_DIR: tempDir('orphans'), WA_ENGINE: 'simulator', DEV_SESSION_NODES: '1', PRINT_QR: '0' },
    options,
  )
  await dev.waitFor(/is running/)
  // wrangler's guard, wrangler, workerd and the session node, at least.
  const pids = descendants(dev.child.pid!)
  expect(pids.length).toBeGreaterThanOrEqual(4)
  return { dev, port, pids }
}

async function expectAllGone({ pids, port }: { dev: DevProcess; port: number; pids: number[] }) {
  await until(
    async () => (pids.every((pid) => !alive(pid)) ? true : undefined),
    10_000,
    () => `processes to exit: ${describe(pids.filter(alive))}`,
  )
  await assertPortFree(port)
}

suite('npm run dev and its processes', () => {
  it('leaves nothing behind when its terminal closes (SIGHUP to its process group)', async () => {
    const stack = await running({ detached: true })
    process.kill(-stack.dev.child.pid!, 'SIGHUP')
    await expectAllGone(stack)
  })

  it('leaves nothing behind when the dev script is killed with -9', async () => {
    const stack = await running()
    process.kill(stack.dev.child.pid!, 'SIGKILL')
    await expectAllGone(stack)
  })

  it('leaves nothing behind when npm gets SIGTERM (what timeout, an IDE or a process manager sends)', async () => {
    const stack = await running({ viaNpm: true })
    process.kill(stack.dev.child.pid!, 'SIGTERM')
    await expectAllGone(stack)
  })

  it('refuses a port that is taken, naming it, exits non-zero, and never calls whatever holds it', async () => {
    const port = await freePort()
    const calls: string[] = []
    const squatter = createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`)
      res.writeHead(200).end('{"success":true,"data":{"status":"ok"}}')
    })
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve))
    try {
      const dev = startDev({ DEV_PORT: String(port), DEV_STATE_DIR: tempDir('taken'), WA_ENGINE: 'simulator', DEV_SESSION_NODES: '0' })
      expect(await dev.exited).not.toBe(0)
      expect(dev.output()).toContain(`port ${port} is already in use`)
      expect(calls).toEqual([])
    } finally {
      squatter.close()
    }
  })
})
