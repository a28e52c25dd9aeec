// `npm run bench:failover`: a node holding SESSIONS linked simulated sessions (default 1) is
// killed with SIGKILL; how long until every one of them is authenticated on the other node
// again, with no new QR, against the grace period (FLEET_FAILOVER_GRACE_MS, default 30 s).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { adminCall, freePort, startStack } from '../scripts/stack'
import type { Body, SessionNode } from '../test/support/api-types'
import { sleep } from './bench-stack'
import { CpuProfiler } from './cpu-profile'

const sessions = Number(process.env.SESSIONS ?? 1)
const graceMs = Number(process.env.FLEET_FAILOVER_GRACE_MS ?? 30_000)
async function retrying<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt()
    } catch (error) {
      if (tries >= 10) throw error
      await sleep(1_000)
    }
  }
}
// BENCH_PROFILE=1: a CPU profile of workerd from the kill until the last device is back.
const inspectorPort = process.env.BENCH_PROFILE ? await freePort() : undefined
const stack = await startStack({
  inspectorPort,
  port: await freePort(),
  stateDir: mkdtempSync(join(tmpdir(), 'wa-failover-')),
  nodes: 2,
  log: process.env.BENCH_LOG ? (source, line) => console.error(source, line) : undefined,
  env: {
    WA_ENGINE: 'simulator',
    SIM_SCAN_DELAY_MS: '300',
    LOG_LEVEL: 'warn',
    FLEET_FAILOVER_GRACE_MS: String(graceMs),
    NODE_CAPACITY: String(sessions + 100),
    DEVICE_CREATIONS_PER_MINUTE: String(sessions * 10),
  },
})
try {
  const headers = { 'X-API-Key': stack.credentials.apiKey, 'Content-Type': 'application/json' }
  const read = async <D>(path: string, admin: boolean): Promise<D> => {
    // A look that gets no answer within a minute is tried again: the worker is busiest now.
    const auth = admin ? { Authorization: `Bearer ${stack.adminToken}` } : headers
    const res = await retrying(() => fetch(`${stack.baseUrl}/api${path}`, { headers: auth, signal: AbortSignal.timeout(60_000) }))
    return ((await res.json()) as Body<D>).data
  }
  const nodes = () => read<SessionNode[]>('/admin/nodes', true)
  const devices = () => read<Array<{ id: number; status: string }>>('/whatsapp/devices', false)
  const [holder, spare] = stack.nodes as [(typeof stack.nodes)[0], (typeof stack.nodes)[0]]
  // Room for every session on either node (an operator's cap, read when a node connects).
  for (const node of stack.nodes) {
    await adminCall(stack.baseUrl, stack.adminToken, 'PATCH', `/nodes/${node.id}`, { max_capacity: sessions + 100 })
  }
  await holder.kill('SIGTERM')
  holder.start()
  // Every session on one node: the spare leaves until they are all linked.
  while ((await nodes()).filter((n) => n.status === 'online').length < 2) await sleep(200)
  await spare.kill('SIGTERM')
  while ((await nodes()).filter((n) => n.status === 'online').length > 1) await sleep(200)
  await adminCall(stack.baseUrl, stack.adminToken, 'PATCH', `/companies/${stack.credentials.companyId}`, { max_devices: sessions })
  const linkStarted = performance.now()
  for (let i = 0; i < sessions; i += 25) {
    await Promise.all(
      Array.from({ length: Math.min(25, sessions - i) }, (_, j) =>
        retrying(() =>
          fetch(`${stack.baseUrl}/api/whatsapp/devices`, { method: 'POST', headers, body: JSON.stringify({ name: `failover ${i + j}` }) }),
        ),
      ),
    )
  }
  while ((await devices()).filter((d) => d.status === 'authenticated').length < sessions) await sleep(1_000)
  const secondsToLink = +((performance.now() - linkStarted) / 1000).toFixed(1)
  spare.start()
  while ((await nodes()).filter((n) => n.status === 'online').length < 2) await sleep(200)

  const profiler = inspectorPort === undefined ? null : await CpuProfiler.connect(inspectorPort)
  await profiler?.call('Profiler.start')
  const killedAt = performance.now()
  await holder.kill('SIGKILL')
  console.error(`failover: killed the node holding ${sessions} sessions at ${new Date().toISOString()}`)
  const qrShown = new Set<number>()
  let noticedAfterMs: number | null = null
  for (;;) {
    const now = await devices()
    for (const d of now) if (d.status === 'qr_ready') qrShown.add(d.id)
    if (noticedAfterMs === null && now.some((d) => d.status !== 'authenticated')) noticedAfterMs = Math.round(performance.now() - killedAt)
    const back = now.filter((d) => d.status === 'authenticated').length
    const secondsSinceKill = ((performance.now() - killedAt) / 1000).toFixed(1)
    console.error(`failover: ${secondsSinceKill} s after the kill, ${back} of ${sessions} authenticated`)
    const survivor = (await nodes()).find((n) => n.id === spare.id)
    if (back === sessions && survivor?.devices === sessions && noticedAfterMs !== null) break
    if (performance.now() - killedAt > graceMs + 600_000) throw new Error(`only ${back} of ${sessions} came back`)
    // Each look lists every device: not so often that looking slows the move down.
    await sleep(1_000)
  }
  const backAfterMs = Math.round(performance.now() - killedAt)
  const profile = profiler ? await profiler.stop() : undefined
  profiler?.close()
  console.log(
    JSON.stringify(
      {
        sessions,
        graceMs,
        secondsToLink,
        noticedLostAfterMs: noticedAfterMs,
        authenticatedAgainAfterMs: backAfterMs,
        beyondGraceMs: backAfterMs - graceMs,
        devicesThatShowedAQr: qrShown.size,
        ...(profile && { profile }),
      },
      null,
      2,
    ),
  )
} finally {
  await stack.stop()
}
