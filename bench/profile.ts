// `npm run bench:profile`: where workerd spends its CPU on `POST /whatsapp/send` under load
// (10 connections, 10 s), as shares of the samples: docs/performance.md reads these.
import { freePort } from '../scripts/stack'
import { startBenchStack } from './bench-stack'
import { CpuProfiler } from './cpu-profile'
import { load } from './load'

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
  let result
  const summary = await profiler.during(async () => {
    result = await load({ label: route, ...request, durationSec: 10, connections: 10 })
  })
  profiler.close()
  console.log(JSON.stringify({ result, ...summary }, null, 2))
} finally {
  await bench.stack.stop()
}
