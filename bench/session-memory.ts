// `npm run bench:memory`: memory per simulated session. One session node (simulator engine)
// links SESSIONS devices, then carries traffic for TRAFFIC_SEC seconds: contacts writing to
// every device (inbound messages), sends with their receipts, and the events of both going to a
// webhook receiver. Its resident memory is read before and after, in the same run.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, startStack } from '../scripts/stack'
import { BENCH_ENV, sleep } from './bench-stack'

const SESSIONS = Number(process.env.SESSIONS ?? 500)
const TRAFFIC_SEC = Number(process.env.TRAFFIC_SEC ?? 30)

const rssMiB = (pid: number) => {
  const kib = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  return kib / 1024
}

const stack = await startStack({
  port: await freePort(),
  stateDir: mkdtempSync(join(tmpdir(), 'wa-mem-')),
  nodes: 1,
  env: { ...BENCH_ENV, DEVICE_CREATIONS_PER_MINUTE: String(SESSIONS * 10), NODE_CAPACITY: String(SESSIONS + 10) },
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
  const traffic = await driveTraffic(headers)
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
        traffic,
      },
      null,
      2,
    ),
  )
} finally {
  await stack.stop()
}

/** Inbound messages to every device and sends from them, round robin, with every event going to a webhook receiver. */
async function driveTraffic(headers: Record<string, string>) {
  let events = 0
  const receiver = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      events++
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`
  await fetch(`${stack.baseUrl}/api/whatsapp/webhooks`, { method: 'POST', headers, body: JSON.stringify({ url, event_types: ['*'] }) })
  const ids = (
    (await (await fetch(`${stack.baseUrl}/api/whatsapp/devices`, { headers })).json()) as { data: Array<{ id: number }> }
  ).data.map((d) => d.id)
  const counts = { inbound: 0, sends: 0 }
  const until = performance.now() + TRAFFIC_SEC * 1000
  for (let round = 0; performance.now() < until; round++) {
    const id = ids[round % ids.length]!
    const inbound = fetch(`${stack.baseUrl}/api/whatsapp/sandbox/devices/${id}/inbound`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ from: '+22370111111', text: `hello ${round}` }),
    })
    const send = fetch(`${stack.baseUrl}/api/whatsapp/send`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ device_id: id, recipient: '+22370123456', message: `reply ${round}` }),
    })
    const [a, b] = await Promise.all([inbound, send])
    if (a.status === 202) counts.inbound++
    if (b.status === 200) counts.sends++
  }
  receiver.close()
  return { seconds: TRAFFIC_SEC, ...counts, webhookEvents: events }
}
