// The local stack as a library: `npm run dev`, the end-to-end tests and the benchmark all start
// the product the same way: real `wrangler dev`, real local D1, real session-node processes.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pipeLines, stopChild, type LineLog } from './children'
import { assertPortFree } from './ports'
import { startWorker } from './stack-worker'

export { assertPortFree, freePort } from './ports'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const WRANGLER = join(ROOT, 'node_modules', '.bin', 'wrangler')

/** Settings the dev stack hands from its own environment to the worker (as vars). */
const WORKER_VARS = [
  'FLEET_FAILOVER_GRACE_MS',
  'AUTH_CACHE_TTL_MS',
  'RATE_LIMIT_PER_SEC',
  'RATE_LIMIT_BURST',
  'DEVICE_CREATIONS_PER_MINUTE',
  'WEBHOOK_ALLOW_PRIVATE',
]
/** ...and to the session nodes. */
const NODE_VARS = [
  'WA_ENGINE',
  'SIM_SCAN_DELAY_MS',
  'SIM_DELIVERY_MS',
  'SIM_READ_MS',
  'SIM_REPLY_MS',
  'MEDIA_ALLOW_PRIVATE',
  'MEDIA_MEMORY_MB',
  'MEDIA_CONCURRENCY',
  'NODE_CAPACITY',
  'NODE_LEASE_MS',
  'NODE_MAX_OPENING_SOCKETS',
  'LOG_LEVEL',
  'PRINT_QR',
  'METRICS_PORT',
  'METRICS_HOST',
]

export interface StackOptions {
  port: number
  /** Where local D1/DO state and the seeded credentials live. */
  stateDir: string
  /** Output of the child processes: a function per line, or nothing. */
  log?: LineLog
  env?: NodeJS.ProcessEnv
  /** Session nodes to register and start (0 for none). */
  nodes?: number
  /** workerd's inspector (Chrome DevTools protocol) on this port, for profiles; none when absent. */
  inspectorPort?: number
}

export interface NodeProcess {
  id: number
  name: string
  child: ChildProcess
  /** Starts (or restarts) the node process with its token. */
  start(): ChildProcess
  /** Sends `signal` and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>
}

export interface DevCredentials {
  companyId: number
  apiKey: string
}

export interface Stack {
  baseUrl: string
  adminToken: string
  credentials: DevCredentials
  nodes: NodeProcess[]
  /** Every process the stack started and still runs (the worker, then the nodes). */
  children(): ChildProcess[]
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

export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; log?: LineLog; source: string }) {
  return new Promise<void>((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] })
    const output: string[] = []
    pipeLines(child, options.source, (source, line) => {
      output.push(line)
      options.log?.(source, line)
    })
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.join('\n')}`)),
    )
  })
}

export async function adminCall<T>(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
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

interface DevNodeSecrets {
  sessionEncryptionKey: string
  nodes: Array<{ id: number; name: string; token: string }>
}

/**
 * Node tokens and the shared SESSION_ENCRYPTION_KEY, registered once and kept in the state
 * directory (next to the local D1 they belong to), so restarts reuse the same nodes and keys.
 */
async function devNodeSecrets(baseUrl: string, adminToken: string, stateDir: string, count: number): Promise<DevNodeSecrets> {
  const file = join(stateDir, 'dev-nodes.json')
  const saved: DevNodeSecrets = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as DevNodeSecrets)
    : { sessionEncryptionKey: randomBytes(32).toString('hex'), nodes: [] }
  while (saved.nodes.length < count) {
    const name = `dev-node-${saved.nodes.length + 1}`
    const node = await adminCall<{ id: number; token: string }>(baseUrl, adminToken, 'POST', '/nodes', { name })
    saved.nodes.push({ id: node.id, name, token: node.token })
  }
  writeFileSync(file, JSON.stringify(saved, null, 2), { mode: 0o600 })
  return saved
}

function nodeProcess(spec: { id: number; name: string; token: string }, env: NodeJS.ProcessEnv, log?: LineLog): NodeProcess {
  const node: NodeProcess = {
    id: spec.id,
    name: spec.name,
    child: undefined as unknown as ChildProcess,
    start() {
      // Node itself with tsx as a loader (not the tsx wrapper, which forks): a signal sent to
      // this process, even SIGKILL, reaches the session node.
      node.child = spawn(process.execPath, ['--import', 'tsx', 'session-node/index.ts'], {
        cwd: ROOT,
        env: { ...env, NODE_TOKEN: spec.token, NODE_NAME: spec.name },
        // stdin stays open for as long as this process lives: the node's sign that we are gone.
        stdio: ['pipe', 'pipe', 'pipe'],
      })
      pipeLines(node.child, spec.name, log)
      return node.child
    },
    kill: (signal = 'SIGTERM') => stopChild(node.child, signal),
  }
  node.start()
  return node
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const { port, log } = options
  await assertPortFree(port)
  const stateDir = resolve(options.stateDir)
  mkdirSync(stateDir, { recursive: true })
  // No telemetry and no Request.cf download: the machine may have no internet at all.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    CI: '1',
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  }
  const adminToken = ensureDevVars()
  const persist = join(stateDir, 'wrangler')

  await run(WRANGLER, ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist], { env, log, source: 'migrate' })

  const vars = WORKER_VARS.filter((name) => env[name]).flatMap((name) => ['--var', `${name}:${env[name]}`])
  const worker = await startWorker({ root: ROOT, wrangler: WRANGLER, port, persist, env, vars, inspectorPort: options.inspectorPort, log })
  const nodes: NodeProcess[] = []
  const children = () => [worker, ...nodes.map((n) => n.child)].filter((c) => c.exitCode === null && c.signalCode === null)
  const baseUrl = `http://127.0.0.1:${port}`

  const stop = async () => {
    // Nodes first, so they leave the fleet cleanly while the worker still answers.
    await Promise.all(nodes.map((node) => node.kill('SIGTERM')))
    await Promise.all(children().map((child) => stopChild(child)))
  }

  try {
    const credentials = await seedDevCompany(baseUrl, adminToken, stateDir)
    const count = options.nodes ?? 0
    if (count > 0) {
      const secrets = await devNodeSecrets(baseUrl, adminToken, stateDir, count)
      const nodeEnv: NodeJS.ProcessEnv = {
        ...Object.fromEntries(NODE_VARS.filter((name) => env[name] !== undefined).map((name) => [name, env[name]])),
        PATH: env.PATH,
        HOME: env.HOME,
        TMPDIR: env.TMPDIR,
        WORKER_URL: baseUrl,
        SESSION_ENCRYPTION_KEY: secrets.sessionEncryptionKey,
        // Nodes the stack started go when the stack's process goes, however it goes.
        EXIT_WITH_PARENT: '1',
      }
      for (const spec of secrets.nodes.slice(0, count)) nodes.push(nodeProcess(spec, nodeEnv, log))
    }
    return { baseUrl, adminToken, credentials, nodes, children, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
