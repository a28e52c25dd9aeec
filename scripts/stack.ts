// The local stack as a library: `npm run dev`, the end-to-end tests and the benchmark all start
// the product the same way: real `wrangler dev`, real local D1, real session-node processes.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler')

/** Settings the dev stack hands from its own environment to the worker (as vars). */
const WORKER_VARS = ['FLEET_FAILOVER_GRACE_MS', 'AUTH_CACHE_TTL_MS']

export interface StackOptions {
  port: number
  /** Where local D1/DO state and the seeded credentials live. */
  stateDir: string
  /** Output of the child processes: a function per line, or nothing. */
  log?: (source: string, line: string) => void
  env?: NodeJS.ProcessEnv
}

export interface DevCredentials {
  companyId: number
  apiKey: string
}

export interface Stack {
  baseUrl: string
  adminToken: string
  credentials: DevCredentials
  children: ChildProcess[]
  stop(): Promise<void>
}

/** Reads ADMIN_TOKEN from .dev.vars, writing a random one first when the file or the line is missing. */
export function ensureDevVars(file = join(ROOT, '.dev.vars')): string {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
  const found = /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(text)?.[1]
  if (found) return found
  const token = randomBytes(24).toString('hex')
  writeFileSync(file, `${text}${text && !text.endsWith('\n') ? '\n' : ''}ADMIN_TOKEN=${token}\n`, { mode: 0o600 })
  return token
}

function pipeLines(child: ChildProcess, source: string, log?: StackOptions['log']) {
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = ''
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) if (line.trim()) log?.(source, line)
    })
  }
}

export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; log?: StackOptions['log']; source: string }) {
  return new Promise<void>((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    const output: string[] = []
    pipeLines(child, options.source, (source, line) => {
      output.push(line)
      options.log?.(source, line)
    })
    child.on('error', reject)
    child.on('exit', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.join('\n')}`))))
  })
}

async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`)
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

async function adminCall<T>(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}/api/admin${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = (await res.json()) as { success: boolean; data: T; error?: unknown }
  if (!json.success) throw new Error(`admin ${method} ${path}: ${res.status} ${JSON.stringify(json.error)}`)
  return json.data
}

/**
 * The dev company and its key, reused across restarts: the plaintext key is only ever known at
 * creation, so it is kept in the (git-ignored) state directory and checked against the API.
 */
export async function seedDevCompany(baseUrl: string, adminToken: string, stateDir: string): Promise<DevCredentials> {
  const file = join(stateDir, 'dev-credentials.json')
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevCredentials>
    if (typeof saved.apiKey === 'string' && typeof saved.companyId === 'number') {
      const probe = await fetch(`${baseUrl}/api/whatsapp/devices`, { headers: { 'X-API-Key': saved.apiKey } })
      if (probe.ok) return { companyId: saved.companyId, apiKey: saved.apiKey }
    }
  }
  const company = await adminCall<{ id: number }>(baseUrl, adminToken, 'POST', '/companies', { name: 'Dev Company' })
  const key = await adminCall<{ key: string }>(baseUrl, adminToken, 'POST', `/companies/${company.id}/api-keys`, {
    name: 'dev key',
    service_type: 'whatsapp',
  })
  const credentials = { companyId: company.id, apiKey: key.key }
  writeFileSync(file, JSON.stringify(credentials, null, 2), { mode: 0o600 })
  return credentials
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000)
    child.once('exit', () => {
      clearTimeout(force)
      resolveStop()
    })
    child.kill('SIGTERM')
  })
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { port, log } = options
  const stateDir = resolve(options.stateDir)
  mkdirSync(stateDir, { recursive: true })
  // No telemetry and no Request.cf download: the machine may have no internet at all.
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, CI: '1', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' }
  const adminToken = ensureDevVars()
  const persist = join(stateDir, 'wrangler')

  await run(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { env, log, source: 'migrate' })

  const vars = WORKER_VARS.filter((name) => env[name]).flatMap((name) => ['--var', `${name}:${env[name]}`])
  const worker = spawn(
    WRANGLER,
    ['dev', '--port', String(port), '--ip', '127.0.0.1', '--persist-to', persist, '--show-interactive-dev-session=false', ...vars],
    // Its own process group, so stopping it also stops workerd.
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  )
  pipeLines(worker, 'worker', log)
  const children: ChildProcess[] = [worker]
  const baseUrl = `http://127.0.0.1:${port}`

  const stop = async () => {
    await Promise.all(
      children.map((child) => {
        const stopped = stopChild(child)
        // wrangler leaves workerd behind unless its whole group is signalled.
        if (child === worker && child.pid && child.exitCode === null) {
          try {
            process.kill(-child.pid, 'SIGTERM')
          } catch {
            // already gone
          }
        }
        return stopped
      }),
    )
  }

  try {
    await waitForHealth(baseUrl, worker)
    const credentials = await seedDevCompany(baseUrl, adminToken, stateDir)
    return { baseUrl, adminToken, credentials, children, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
