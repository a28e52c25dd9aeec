// `npm run bench:memory`: memory per simulated session. One session node (simulator engine)
// links SESSIONS devices; its resident memory is read before and after, in the same run.
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startStack } from '../scripts/stack'

const SESSIONS = Number(process.env.SESSIONS ?? 500)

const rssMiB = (pid: number) => {
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  return kib / 1024
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const stack = await startStack({
  port: await freePort(),
  stateDir: mkdtempSync(join(tmpdir(), 'wa-mem-')),
  nodes: 1,
  env: {
    WA_ENGINE: 'simulator',
    SIM_SCAN_DELAY_MS: '200',
    DEVICE_CREATIONS_PER_MINUTE: String(SESSIONS * 10),
    NODE_CAPACITY: String(SESSIONS + 10),
    LOG_LEVEL: 'warn',
  },
})
try {
  const headers = { 'X-API-Key': stack.credentials.apiKey, 'Content-Type': 'application/json' }
  // One company holds every simulated session here: lift its fair-use device limit for the run.
  await fetch(`${stack.baseUrl}/api/admin/companies/${stack.credentials.companyId}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${stack.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ max_devices: SESSIONS }),
  })
  const list = async () =>
    ((await (await fetch(`${stack.baseUrl}/api/whatsapp/devices`, { headers })).json()) as { data: Array<{ status: string }> }).data
  const pid = stack.nodes[0]!.child.pid!
  await sleep(3_000)
  const before = rssMiB(pid)

  const startedAt = performance.now()
  for (let i = 0; i < SESSIONS; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, SESSIONS - i) }, (_, j) =>
        fetch(`${stack.baseUrl}/api/whatsapp/devices`, { method: 'POST', headers, body: JSON.stringify({ name: `d${i + j}` }) }),
      ),
    )
  }
  let linked = 0
  while (linked < SESSIONS && performance.now() - startedAt < 600_000) {
    await sleep(2_000)
    linked = (await list()).filter((d) => d.status === 'authenticated').length
  }
  const linkSeconds = (performance.now() - startedAt) / 1000
  await sleep(5_000)
  global.gc?.()
  const after = rssMiB(pid)
  console.log(
    JSON.stringify(
      {
        sessions: SESSIONS,
        linked,
        secondsToLinkAll: +linkSeconds.toFixed(1),
        nodeRssMiB: { idle: +before.toFixed(1), withSessions: +after.toFixed(1) },
        kibPerSession: Math.round(((after - before) * 1024) / Math.max(linked, 1)),
      },
      null,
      2,
    ),
  )
} finally {
  await stack.stop()
}
