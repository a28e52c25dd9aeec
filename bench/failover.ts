// `npm run bench:failover`: how long a linked device is away when the node holding it is
// killed with SIGKILL, with the default 30 s grace (FLEET_FAILOVER_GRACE_MS overrides it).
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startStack } from '../scripts/stack'
import type { Body, SessionNode } from '../test/support/api-types'

const graceMs = Number(process.env.FLEET_FAILOVER_GRACE_MS ?? 30_000)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const stack = await startStack({
  port: await freePort(),
  stateDir: mkdtempSync(join(tmpdir(), 'wa-failover-')),
  nodes: 2,
  env: { WA_ENGINE: 'simulator', SIM_SCAN_DELAY_MS: '300', LOG_LEVEL: 'warn', FLEET_FAILOVER_GRACE_MS: String(graceMs) },
})
try {
  const headers = { 'X-API-Key': stack.credentials.apiKey, 'Content-Type': 'application/json' }
  const read = async <D>(path: string, admin: boolean): Promise<D> => {
    const res = await fetch(`${stack.baseUrl}/api${path}`, { headers: admin ? { Authorization: `Bearer ${stack.adminToken}` } : headers })
    return ((await res.json()) as Body<D>).data
  }
  const nodes = () => read<SessionNode[]>('/admin/nodes', true)
  const status = (id: number) => read<{ status: string; phone_number: string | null }>(`/whatsapp/devices/${id}/status`, false)
  while ((await nodes()).filter((n) => n.status === 'online').length < 2) await sleep(200)
  const device = (await (
    await fetch(`${stack.baseUrl}/api/whatsapp/devices`, { method: 'POST', headers, body: JSON.stringify({ name: 'failover' }) })
  ).json()) as { data: { id: number } }
  while ((await status(device.data.id)).status !== 'authenticated') await sleep(100)
  const phone = (await status(device.data.id)).phone_number

  const holder = (await nodes()).find((n) => n.devices === 1)!
  const victim = stack.nodes.find((n) => n.id === holder.id)!
  const killedAt = performance.now()
  await victim.kill('SIGKILL')
  const seen: string[] = []
  let disconnectedAfterMs: number | null = null
  for (;;) {
    const now = await status(device.data.id)
    if (seen.at(-1) !== now.status) seen.push(now.status)
    if (now.status === 'disconnected' && disconnectedAfterMs === null) disconnectedAfterMs = Math.round(performance.now() - killedAt)
    const survivor = (await nodes()).find((n) => n.id !== holder.id)
    if (now.status === 'authenticated' && survivor?.devices === 1) {
      console.log(
        JSON.stringify(
          {
            graceMs,
            noticedLostAfterMs: disconnectedAfterMs,
            authenticatedAgainAfterMs: Math.round(performance.now() - killedAt),
            beyondGraceMs: Math.round(performance.now() - killedAt - graceMs),
            statuses: seen,
            samePhoneNumber: now.phone_number === phone,
          },
          null,
          2,
        ),
      )
      break
    }
    await sleep(100)
  }
} finally {
  await stack.stop()
}
