// What a dashboard handler knows: the worker's bindings and, once signed in, the API as the
// signed-in caller and a name for the header.
import type { Context } from 'hono'
import type { AppEnv } from '../lib/app-env'
import type { DashApi } from './api-client'

export interface DashEnv {
  Bindings: Env
  Variables: AppEnv['Variables'] & { api: DashApi; who: string }
}

export type DashContext = Context<DashEnv>
