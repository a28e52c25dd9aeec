// `npm run bench`: starts the local stack and reports, as JSON, figures measured in one run.
// Every speed is also given as a ratio against a baseline measured in the same run, since the
// machines are shared and absolute numbers drift.
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startStack } from '../scripts/stack'
import { measureColdStart } from './cold-start'
import { load } from './load'

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })

const durationSec = Number(process.env.BENCH_DURATION_SEC ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)

const coldStart = await measureColdStart(await freePort())

const stack = await startStack({ port: await freePort(), stateDir: mkdtempSync(join(tmpdir(), 'wa-bench-')) })
try {
  const devices = `${stack.baseUrl}/api/whatsapp/devices`
  // Warm the isolate and the key cache before measuring.
  await load({ label: 'warm-up', url: devices, headers: { 'X-API-Key': stack.credentials.apiKey }, durationSec: 2, connections })
  const unauthenticated = await load({ label: 'GET /devices without a key (401)', url: devices, durationSec, connections })
  const authenticated = await load({
    label: 'GET /devices with a key (200)',
    url: devices,
    headers: { 'X-API-Key': stack.credentials.apiKey },
    durationSec,
    connections,
  })
  const report = {
    machine: { node: process.version, durationSec, connections },
    coldStart,
    auth: {
      baseline: unauthenticated,
      authenticated,
      p50Ratio: +(authenticated.p50Ms / Math.max(unauthenticated.p50Ms, 1)).toFixed(2),
      throughputRatio: +(authenticated.requestsPerSec / Math.max(unauthenticated.requestsPerSec, 1)).toFixed(2),
    },
  }
  console.log(JSON.stringify(report, null, 2))
} finally {
  await stack.stop()
}
