// `npm run dev`: the whole product on this machine. Ctrl-C stops everything it started.
import { join } from 'node:path'
import { onParentDeath } from '../session-node/parent-watch'
import { ROOT, startStack } from './stack'

const port = Number(process.env.DEV_PORT ?? 8000)
const stateDir = process.env.DEV_STATE_DIR ?? join(ROOT, '.dev')
const verbose = process.env.DEV_VERBOSE === '1'
const nodes = Number(process.env.DEV_SESSION_NODES ?? 1)
if (!Number.isInteger(nodes) || nodes < 0) {
  console.error('DEV_SESSION_NODES must be a whole number (0 for no session node)')
  process.exit(1)
}
const startedAt = Date.now()
const engine = process.env.WA_ENGINE ?? 'baileys'

/** Printed once, the first time a node on the real engine cannot reach WhatsApp (no network, a firewall). */
const UNREACHABLE_HINT = `
  ⚠ The session node cannot reach WhatsApp from this machine (no route to web.whatsapp.com?).
    Devices stay 'disconnected' with status_reason 'cannot_reach_whatsapp' while it keeps retrying.
    To try the whole API without WhatsApp, restart with the simulator sandbox:

      WA_ENGINE=simulator npm run dev
`
let hinted = false

let stack: Awaited<ReturnType<typeof startStack>>
try {
  stack = await startStack({
    port,
    stateDir,
    nodes,
    // A developer wants to see the QR code to scan right in this terminal.
    // A local stack: webhooks may go to a receiver on this machine (npm run webhooks:listen).
    env: { PRINT_QR: process.env.PRINT_QR ?? '1', WEBHOOK_ALLOW_PRIVATE: process.env.WEBHOOK_ALLOW_PRIVATE ?? '1' },
    log: (source, line) => {
      // wrangler's per-request lines are noise at the default level; errors always show.
      if (verbose || source !== 'worker' || /error|✘|warn/i.test(line)) console.log(`[${source}] ${line}`)
      if (engine === 'baileys' && !hinted && source !== 'worker' && line.includes('cannot reach WhatsApp from this machine')) {
        hinted = true
        console.log(UNREACHABLE_HINT)
      }
    },
  })
} catch (error) {
  console.error(`npm run dev: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}

const api = `http://localhost:${port}/api`
// A one-time link into the dashboard as the dev company (15 minutes, single use; sign in with the key after that).
const loginLink = await fetch(`http://127.0.0.1:${port}/api/admin/companies/${stack.credentials.companyId}/login-links`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${stack.adminToken}` },
})
  .then(async (res) => ((await res.json()) as { data?: { url: string } }).data?.url.replace('127.0.0.1', 'localhost'))
  .catch(() => undefined)
console.log(`
  Edge WhatsApp API is running (${Date.now() - startedAt} ms)

  API          ${api}
  Dashboard    ${loginLink ?? `http://localhost:${port}/dash`}
               (a one-time sign-in link, valid 15 minutes; then sign in at /dash/login with the key below)
  Docs         ${api}/docs
  OpenAPI      ${api}/openapi.json
  Admin token  in .dev.vars (ADMIN_TOKEN)
  Nodes        ${stack.nodes.length} session node(s), engine ${engine}

  Dev company #${stack.credentials.companyId}, API key:
    ${stack.credentials.apiKey}

  Try it:
    curl -s -X POST ${api}/whatsapp/devices \\
      -H 'X-API-Key: ${stack.credentials.apiKey}' -H 'Content-Type: application/json' \\
      -d '{"name":"My phone"}'
`)

let stopping = false
const shutdown = async (code: number) => {
  if (stopping) return
  stopping = true
  console.log('\nStopping…')
  await stack.stop()
  process.exit(code)
}
// Ctrl-C, a process manager, and a closed terminal all stop everything this started.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0))
// npm (or whatever started this) gone without a word: so is everything this started.
onParentDeath(() => void shutdown(1))
// Any of the processes failing is the whole stack failing: the exit code says so.
for (const child of stack.children()) {
  child.on('exit', (code, signal) => {
    if (stopping) return
    console.error(`a process of the stack exited (${signal ?? code}); stopping the rest`)
    void shutdown(1)
  })
}
