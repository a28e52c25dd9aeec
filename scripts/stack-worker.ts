// The stack's worker: `wrangler dev` on the port asked for, up once /api/health answers.
import { spawn, type ChildProcess } from 'node:child_process'
import { pipeLines, stopChild, type LineLog } from './children'

export interface WorkerOptions {
  root: string
  wrangler: string
  port: number
  persist: string
  env: NodeJS.ProcessEnv
  /** `--var` pairs handed to the worker. */
  vars: string[]
  inspectorPort?: number
  log?: LineLog
}

/** How often a start is tried again when a port wrangler picked for itself was taken before workerd bound it. */
const ATTEMPTS = 3
const LAST_LINES = 20

export async function startWorker(options: WorkerOptions): Promise<ChildProcess> {
  for (let attempt = 1; ; attempt++) {
    const worker = spawnWorker(options)
    try {
      await waitForHealth(`http://127.0.0.1:${options.port}`, worker.child, worker.lastLines)
      return worker.child
    } catch (error) {
      await stopChild(worker.child)
      if (attempt >= ATTEMPTS || !lostOwnPort(worker.lastLines, [options.port, options.inspectorPort])) throw error
      options.log?.('worker', `wrangler dev lost a port of its own choosing to another process; starting it again (attempt ${attempt + 1})`)
    }
  }
}

function spawnWorker({ root, wrangler, port, persist, env, vars, inspectorPort, log }: WorkerOptions) {
  const inspector = inspectorPort === undefined ? [] : ['--inspector-port', String(inspectorPort)]
  const dev = ['dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persist, '--show-interactive-dev-session=false']
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/guarded-child.ts', wrangler, ...dev, ...inspector, ...vars],
    // Through a guard that takes wrangler's whole group (workerd too) down with it, and with us.
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const lastLines: string[] = []
  pipeLines(child, 'worker', (source, line) => {
    lastLines.push(line)
    if (lastLines.length > LAST_LINES) lastLines.shift()
    log?.(source, line)
  })
  return { child, lastLines }
}

/**
 * wrangler probes for a free inspector port (9229 and up) and workerd binds it seconds later, so
 * another wrangler starting meanwhile can take it. The ports we were asked for are not retried:
 * those are the caller's to choose.
 */
export function lostOwnPort(lastLines: string[], asked: (number | undefined)[]): boolean {
  const taken = lastLines.join('\n').match(/Address already in use[^\n]*?127\.0\.0\.1:(\d+)/)
  return taken !== null && !asked.includes(Number(taken[1]))
}

async function waitForHealth(baseUrl: string, child: ChildProcess, lastLines: string[], timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    // Its own last words say why (a port taken, a syntax error), which the exit code alone does not.
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${lastLines.join('\n')}`)
    try {
      const res = await fetch(`${baseUrl}/api/health`)
      if (res.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`the worker did not answer ${baseUrl}/api/health within ${timeoutMs} ms`)
}
