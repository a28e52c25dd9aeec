import type { RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Company, ApiKey } from '../db/schema'

/** Who is calling the public API: resolved once per request by the API key middleware. */
export interface Caller {
  company: Pick<Company, 'id' | 'name' | 'monthlyQuota' | 'isActive'>
  apiKey: Pick<ApiKey, 'id' | 'serviceType'>
}

export interface AppEnv {
  Bindings: Env
  Variables: {
    requestId: string
    caller: Caller
    /** The session node behind a node socket's upgrade (auth/node-auth.ts). */
    node: { id: number }
  }
}

export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>
