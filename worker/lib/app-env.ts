import type { RouteConfig, RouteHandler } from '@hono/zod-openapi'
import type { Company, ApiKey, ApiKeyScope } from '../db/schema'

/** Who is calling the public API: resolved once per request by the API key middleware. */
export interface Caller {
  company: Pick<Company, 'id' | 'name' | 'monthlyQuota' | 'isActive'>
  apiKey: Pick<ApiKey, 'id' | 'serviceType'> & {
    /** What the key may do (every scope when it was given no list). */
    scopes: readonly ApiKeyScope[]
    /** The devices it may use; null is every device of the company. */
    deviceIds: readonly number[] | null
    /** Epoch ms; null never expires. */
    expiresAt: number | null
  }
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
