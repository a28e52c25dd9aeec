// `npm run dev`: the whole product on this machine. Ctrl-C stops everything it started.
import { join } from 'node:path'
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

const stack = await startStack({
  port,
  stateDir,
  nodes,
  // A developer wants to see the QR code to scan right in this terminal.
  env: { PRINT_QR: process.env.PRINT_QR ?? '1' },
  log: (source, line) => {
    // wrangler's per-request lines are noise at the default level; errors always show.
    if (verbose || source !== 'worker' || /error|✘|warn/i.test(line)) console.log(`[${source}] ${line}`)
  },
})

const api = `http://localhost:${port}/api`
console.log(`
  Edge WhatsApp API is running (${Date.now() - startedAt} ms)

  API          ${api}
  Docs         ${api}/docs
  OpenAPI      ${api}/openapi.json
  Admin token  in .dev.vars (ADMIN_TOKEN)
  Nodes        ${stack.nodes.length} session node(s), engine ${process.env.WA_ENGINE ?? 'baileys'}

  Dev company #${stack.credentials.companyId}, API key:
    ${stack.credentials.apiKey}

  Try it:
    curl -s -X POST ${api}/whatsapp/devices \\
      -H 'X-API-Key: ${stack.credentials.apiKey}' -H 'Content-Type: application/json' \\
      -d '{"name":"My phone"}'
`)

let stopping = false
const shutdown = async () => {
  if (stopping) return
  stopping = true
  console.log('\nStopping…')
  await stack.stop()
  process.exit(0)
}
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
const [worker, ...nodeProcesses] = stack.children()
worker?.on('exit', (code) => {
  if (!stopping) {
    console.error(`the worker exited (${code}); stopping the rest`)
    void shutdown()
  }
})
for (const child of nodeProcesses) {
  child.on('exit', (code) => {
    if (!stopping) console.error(`a session node exited (${code}); the fleet moves its devices to the others`)
  })
}
