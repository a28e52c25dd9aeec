// The operator's local port (METRICS_PORT; off when unset): GET /metrics (Prometheus), /healthz
// (the process answers) and /readyz (it is in the fleet: the worker welcomed its control socket,
// and it is not shutting down). Bound to METRICS_HOST, 127.0.0.1 by default: nothing here is for
// the internet.
import { createServer, type Server } from 'node:http'
import type { Logger } from 'pino'
import { registry } from './metrics'

export interface OpsServerOptions {
  port: number
  host: string
  ready(): boolean
  logger: Logger
}

export function startOpsServer(options: OpsServerOptions): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET') return void res.writeHead(405).end()
    if (path === '/healthz') return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok\n')
    if (path === '/readyz') {
      const ready = options.ready()
      return void res.writeHead(ready ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ready ? 'ready\n' : 'not ready\n')
    }
    if (path === '/metrics') {
      registry
        .metrics()
        .then((body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(body))
        .catch((error: unknown) => res.writeHead(500).end(String(error)))
      return
    }
    res.writeHead(404).end()
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      options.logger.info({ port: options.port, host: options.host }, 'metrics and health on /metrics, /healthz, /readyz')
      resolve(server)
    })
  })
}
