// `npm run bench:profile`: where workerd spends its CPU, as shares of the samples, while the
// benchmark drives one path: PROFILE_ROUTE=send (POST /whatsapp/send, 10 connections, 10 s; the
// default), health, outbox (a 2,000-message bulk drained with pacing off) or webhooks (the busy
// part of the webhook benchmark: 600 events of one device to one local endpoint).
// docs/performance.md reads these.
import { freePort } from '../scripts/stack'
import { startBenchStack } from './bench-stack'
import { CpuProfiler } from './cpu-profile'
import { load } from './load'
import { measureOutbox } from './outbox'
import { measureWebhooks } from './webhooks'

const route = process.env.PROFILE_ROUTE ?? 'send'
const inspectorPort = await freePort()
const bench = await startBenchStack({ inspectorPort })
try {
  const request =
    route === 'health'
      ? { url: `${bench.base}/health` }
      : {
          url: `${bench.base}/whatsapp/send`,
          method: 'POST' as const,
          headers: bench.json,
          body: JSON.stringify({ recipient: '+22370123456', message: 'profile' }),
        }
  await load({ label: 'warm-up', ...request, durationSec: 2, connections: 10 })
  const profiler = await CpuProfiler.connect(inspectorPort)
  let result: unknown
  const summary = await profiler.during(async () => {
    const drives: Record<string, () => Promise<unknown>> = {
      outbox: () => measureOutbox(bench),
      webhooks: () => measureWebhooks(bench.base, bench.key),
    }
    result = await (drives[route] ?? (() => load({ label: route, ...request, durationSec: 10, connections: 10 })))()
  })
  profiler.close()
  console.log(JSON.stringify({ route, result, ...summary }, null, 2))
} finally {
  await bench.stack.stop()
}
