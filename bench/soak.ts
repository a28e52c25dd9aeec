// `npm run soak`: mixed traffic on the local stack (simulator, two session nodes) for
// SOAK_MINUTES (default 10): single sends, bulks, inbound messages from the sandbox, every event
// to a local webhook receiver, and a session node killed with SIGKILL (and restarted) every
// SOAK_KILL_EVERY_SEC (default 180). Per minute: sends, their p50/p99, worker and node memory
// (the worker's after a full garbage collection, and before it).
// At the end: every accepted message against its final state, any sent twice (the nodes' audit
// log), any event of the feed not delivered, and the targets of docs/performance.md.
import { linkedDevice, sleep, startBenchStack } from './bench-stack'
import { processChildren, processTree, rssMiB, workerdMemory } from './soak/memory'
import { startReceiver } from './soak/receiver'
import { startTraffic } from './soak/traffic'
import { atMost, printTargets } from './targets'
import { lastEventId, settle, undeliveredEvents } from './soak/checks'
import { CpuProfiler } from './cpu-profile'
import { freePort } from '../scripts/stack'

const minutes = Number(process.env.SOAK_MINUTES ?? 10)
const killEverySec = Number(process.env.SOAK_KILL_EVERY_SEC ?? 180)
const durationMs = minutes * 60_000
// Growth and p99 are compared from minute 2 to the last: a shorter soak has nothing to compare.
if (!Number.isInteger(minutes) || minutes < 3) {
  console.error(`SOAK_MINUTES must be a whole number of at least 3 (got ${process.env.SOAK_MINUTES}): minute 2 is compared with the last`)
  process.exit(2)
}

const sentByNodes = new Map<string, number>()
const inspectorPort = await freePort()
const bench = await startBenchStack({
  nodes: 2,
  inspectorPort,
  env: { LOG_LEVEL: 'info', NODE_CAPACITY: '100' },
  // The nodes' audit trail: one "message sent" line per message handed to WhatsApp.
  log: (_source, line) => {
    if (!line.includes('"message sent"')) return
    const id = /"messageId":"([^"]+)"/.exec(line)?.[1]
    if (id) sentByNodes.set(id, (sentByNodes.get(id) ?? 0) + 1)
  },
})
const receiver = await startReceiver()
try {
  const { base, json, stack } = bench
  // Events from here on go to the receiver (the first device's linking came before it).
  const firstEvent = await lastEventId(bench)
  const inspector = await CpuProfiler.connect(inspectorPort)
  await fetch(`${base}/whatsapp/webhooks`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ url: receiver.url, event_types: ['*'] }),
  })
  const deviceIds = [bench.deviceId, ...(await Promise.all([1, 2, 3].map((n) => linkedDevice(base, json, `soak ${n}`))))]
  for (const id of deviceIds) {
    await fetch(`${base}/whatsapp/devices/${id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ send_interval_ms: 50 }) })
  }
  const started = Date.now()
  const traffic = startTraffic(bench, { deviceIds, senders: 6, bulkEveryMs: 15_000, bulkSize: 50, inboundEveryMs: 500 })
  const perMinute: Array<Record<string, number>> = []
  const kills: Array<{ atSec: number; node: string }> = []
  let nextKill = Math.min(150_000, killEverySec * 1000)
  for (let minute = 1; minute <= minutes; minute++) {
    while (Date.now() - started < minute * 60_000) {
      // No kill in the last 90 s: the last minute is compared with the second.
      if (Date.now() - started >= nextKill && nextKill < durationMs - 90_000) {
        const node = stack.nodes[kills.length % stack.nodes.length]!
        kills.push({ atSec: Math.round((Date.now() - started) / 1000), node: node.name })
        await node.kill('SIGKILL')
        await sleep(5_000)
        node.start()
        nextKill += killEverySec * 1000
      }
      await sleep(1_000)
    }
    const window = traffic.counts.sendLatencies.filter((s) => s.at >= started + (minute - 1) * 60_000 && s.at < started + minute * 60_000)
    const ms = window.map((s) => s.ms).sort((a, b) => a - b)
    const at = (p: number) => +(ms[Math.min(ms.length - 1, Math.floor(ms.length * p))] ?? 0).toFixed(1)
    // One read of /proc for every figure of this minute.
    const byParent = processChildren()
    const wrangler = processTree(stack.children()[0]!.pid!, byParent)
    const uncollected = workerdMemory(wrangler)
    const heapUncollected = await inspector.heapMiB()
    // What the worker keeps, not what V8 has yet to collect: its heap grows between major
    // collections (tens of MiB in a minute here), which reads like a leak if measured as is.
    await inspector.collectGarbage()
    const workerd = workerdMemory(wrangler)
    const row = {
      minute,
      sends: ms.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      // The runtime that runs the worker and its Durable Objects; wrangler's own Node.js process
      // (its dev server) is counted apart: it is the local tool, not the product.
      workerdMiB: +((workerd?.anonMiB ?? 0) + (workerd?.fileMiB ?? 0)).toFixed(1),
      wranglerTreeMiB: rssMiB(wrangler),
      nodesMiB: rssMiB(stack.nodes.flatMap((n) => (n.child.pid ? processTree(n.child.pid, byParent) : []))),
      workerJsHeapMiB: (await inspector.heapMiB()).used,
      workerdAnonMiB: workerd?.anonMiB ?? 0,
      workerdFileMiB: workerd?.fileMiB ?? 0,
      // The same two figures just before the collection.
      workerdAnonBeforeGcMiB: uncollected?.anonMiB ?? 0,
      workerJsHeapBeforeGcMiB: heapUncollected.used,
    }
    perMinute.push(row)
    console.error(JSON.stringify(row))
  }
  await traffic.stop()
  const { counts } = traffic
  const final = await settle(bench, [...counts.accepted])
  const undelivered = await undeliveredEvents(bench, receiver.received, firstEvent)
  inspector.close()
  const sentTwice = [...sentByNodes.entries()].filter(([, n]) => n > 1).map(([id]) => id)
  const second = perMinute[1]!
  const last = perMinute.at(-1)!
  const growth = (key: string) => +(((last[key]! - second[key]!) / second[key]!) * 100).toFixed(1)
  const report = {
    minutes,
    kills,
    perMinute,
    accepted: counts.accepted.size,
    final: final.final,
    notFinal: final.notFinal.slice(0, 20),
    notFinalCount: final.notFinal.length,
    sentTwice: sentTwice.slice(0, 20),
    sentTwiceCount: sentTwice.length,
    refusedSends: counts.refused,
    inbound: counts.inbound,
    bulks: counts.bulks,
    webhookDeliveries: [...receiver.received.values()].reduce((a, b) => a + b, 0),
    events: undelivered.total,
    undeliveredEvents: undelivered.missing.length,
    memoryGrowthPercent: { workerd: growth('workerdMiB'), nodes: growth('nodesMiB'), wranglerTree: growth('wranglerTreeMiB') },
  }
  const targets = [
    atMost('accepted messages not in a final state', report.notFinalCount, 0),
    atMost('messages sent twice', report.sentTwiceCount, 0),
    atMost('events not delivered to the webhook', report.undeliveredEvents, 0),
    atMost('workerd memory growth, minute 2 to the end, %', report.memoryGrowthPercent.workerd, 10),
    atMost('node memory growth, minute 2 to the end, %', report.memoryGrowthPercent.nodes, 10),
    atMost('send p99, last minute ÷ second minute', +(last.p99Ms! / Math.max(second.p99Ms!, 1)).toFixed(2), 1.5),
  ]
  console.log(JSON.stringify({ ...report, targets }, null, 2))
  printTargets(targets)
} finally {
  await receiver.close()
  await bench.stack.stop()
}
