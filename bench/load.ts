// Load generation with autocannon, reduced to the figures the benchmark reports.
import autocannon from 'autocannon'

export interface LoadResult {
  label: string
  requests: number
  requestsPerSec: number
  p50Ms: number
  p99Ms: number
  meanMs: number
  statusCodes: Record<string, number>
}

export interface LoadSpec {
  label: string
  url: string
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  connections?: number
  durationSec?: number
}

export async function load(spec: LoadSpec): Promise<LoadResult> {
  const result = await autocannon({
    url: spec.url,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body,
    connections: spec.connections ?? 10,
    duration: spec.durationSec ?? 10,
  })
  const statusCodes: Record<string, number> = {}
  for (const [code, count] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = (count as { count: number }).count
  return {
    label: spec.label,
    requests: result.requests.total,
    requestsPerSec: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: +result.latency.average.toFixed(3),
    statusCodes,
  }
}
