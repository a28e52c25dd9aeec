// `npm run bench`: starts the local stack on the simulator and reports, as JSON on stdout, every
// figure of the performance targets (docs/performance.md), each next to its target, speeds as a
// ratio against a baseline measured in the same run; the same table, short, goes to stderr.
// BENCH_ONLY=api,webhooks,outbox,listing,ledger,cost,memory,failover runs some sections only.
import { freePort } from '../scripts/stack'
import { measureColdStart } from './cold-start'
import { startBenchStack } from './bench-stack'
import { measureApi } from './api-latency'
import { measureOutbox } from './outbox'
import { measureWebhooks } from './webhooks'
import { measureListing } from './listing'
import { runChildBench } from './child-bench'
import { atLeast, atMost, printTargets, ratioOf, type Target } from './targets'
import { costPerThousand, PRICES, type MessageOperations } from './prices'

const durationSec = Number(process.env.BENCH_DURATION_SEC ?? 10)
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10)
const failoverSessions = process.env.BENCH_FAILOVER_SESSIONS ?? '2000'
const memorySessions = process.env.BENCH_MEMORY_SESSIONS ?? '300'
const only = process.env.BENCH_ONLY?.split(',')
const runs = (section: string) => !only || only.includes(section)

const report: Record<string, unknown> = { machine: { node: process.version, durationSec, connections } }
const targets: Target[] = []
const errors: Record<string, string> = {}

/** Runs one section; one that fails is reported as such, and the others still run. */
async function section(name: string, run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } catch (error) {
    errors[name] = String(error).slice(0, 2_000)
    targets.push({ figure: `${name}: did not complete (see errors)`, value: null, target: 'a figure', met: false })
  }
}

if (['api', 'webhooks', 'outbox', 'listing'].some(runs)) {
  if (runs('api')) report.coldStart = await measureColdStart(await freePort())
  const bench = await startBenchStack({ env: { DEVICE_CREATIONS_PER_MINUTE: '100000', NODE_CAPACITY: '2000' } })
  try {
    if (runs('api'))
      await section('api', async () => {
        const api = await measureApi(bench, { durationSec, connections })
        report.api = api
        const { unloaded, loaded } = api
        const sendShare = +(loaded.send.requestsPerSec / Math.max(loaded.health.requestsPerSec, 1)).toFixed(3)
        const hotKeyMs = +(unloaded.authenticated404.meanMs - unloaded.unauthenticated401.meanMs).toFixed(3)
        targets.push(
          atMost('unloaded POST /send p50 ÷ GET /health p50', ratioOf(unloaded.send.p50Ms, unloaded.health.p50Ms), 3),
          atLeast(`POST /send req/s ÷ GET /health req/s, ${connections} connections`, sendShare, 0.3),
          atMost('hot key: authenticated 404 − unauthenticated 401, mean ms', hotKeyMs, 0.5),
        )
      })
    if (runs('webhooks'))
      await section('webhooks', async () => {
        const webhooks = await measureWebhooks(bench.base, bench.key)
        report.webhooks = webhooks
        targets.push(atLeast('webhook delivery to one local endpoint, events/s', webhooks.busy.eventsPerSec, 200))
      })
    if (runs('outbox'))
      await section('outbox', async () => {
        const outbox = await measureOutbox(bench)
        report.outbox = outbox
        targets.push(atLeast('outbox drain, one device, pacing off, msg/s (until read)', outbox.messagesPerSec, 500))
      })
    if (runs('listing'))
      await section('listing', async () => {
        const listing = await measureListing(bench)
        report.listing = listing
        const ratio = ratioOf(listing.manyDevices.p50Ms, listing.oneDevice.p50Ms)
        targets.push(atMost(`GET /messages p50, ${listing.manyDevices.devices} devices ÷ 1 device`, ratio, 1.5))
      })
  } finally {
    await bench.stack.stop()
  }
}

if (runs('ledger'))
  await section('ledger', async () => {
    const ledger = await runChildBench<{ rows: number; insertMs: { empty: number; full: number }; work: Record<string, unknown> }>(
      'ledger at scale',
      ['node_modules/.bin/vitest', 'run', '--project', 'worker-bench', 'test/worker/ledger-scale.bench.ts'],
      { WORKER_BENCH: '1' },
    )
    report.ledger = ledger
    targets.push(
      atMost(
        `ledger insert at ${ledger.rows.toLocaleString('en')} rows ÷ at 0, time`,
        ratioOf(ledger.insertMs.full, ledger.insertMs.empty, 0.001),
        1.2,
      ),
    )
  })

if (runs('cost'))
  await section('cost', async () => {
    const cost = await runChildBench<{ messages: number; perMessage: MessageOperations & Record<string, unknown> }>(
      'cost of a message',
      ['node_modules/.bin/vitest', 'run', '--project', 'worker-bench', 'test/worker/message-cost.bench.ts'],
      { WORKER_BENCH: '1' },
    )
    const usd = costPerThousand(cost.perMessage)
    report.cost = { ...cost, usdPer1000Messages: usd, prices: PRICES }
    targets.push(atMost('USD per 1,000 messages (sent, delivered, read, 3 webhooks)', +usd.total.toFixed(4), 0.01))
  })

if (runs('memory'))
  await section('memory', async () => {
    const memory = await runChildBench<{ sessions: number; kibPerSession: number }>(
      'session memory',
      ['node_modules/.bin/tsx', 'bench/session-memory.ts'],
      {
        SESSIONS: memorySessions,
      },
    )
    report.memory = memory
    targets.push(atMost(`node memory per simulated session (${memory.sessions}, inbound and events on), KiB`, memory.kibPerSession, 1024))
  })

if (runs('failover'))
  await section('failover', async () => {
    const failover = await runChildBench<{ sessions: number; graceMs: number; beyondGraceMs: number | null }>(
      'failover at scale',
      ['node_modules/.bin/tsx', 'bench/failover.ts'],
      { SESSIONS: failoverSessions },
    )
    report.failover = failover
    const beyond = failover.beyondGraceMs === null ? null : +(failover.beyondGraceMs / 1000).toFixed(1)
    targets.push(atMost(`failover of ${failover.sessions} sessions, seconds beyond the ${failover.graceMs / 1000} s grace`, beyond, 30))
  })

report.targets = targets
if (Object.keys(errors).length > 0) report.errors = errors
console.log(JSON.stringify(report, null, 2))
printTargets(targets)
